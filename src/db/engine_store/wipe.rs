//! Deleting an instance's session: every session table, in one transaction.

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ConnectionTrait, DbErr, TransactionTrait};

use super::StoreConnections;
use super::sql::{INSTANCE, col, delete};

/// Every session table (migration `m20261129_000014_engine_sessions`).
pub const SESSION_TABLES: &[&str] = &[
    "wa_devices",
    "wa_identities",
    "wa_signal_sessions",
    "wa_prekeys",
    "wa_signed_prekeys",
    "wa_sender_keys",
    "wa_app_state_keys",
    "wa_app_state_versions",
    "wa_app_state_macs",
    "wa_sender_key_devices",
    "wa_lid_mappings",
    "wa_base_keys",
    "wa_device_lists",
    "wa_group_metadata",
    "wa_tc_tokens",
    "wa_sent_messages",
    "wa_pending_inbound",
    "wa_msg_secrets",
];

/// Removes every row of `instance_id`'s session; true when there was one.
pub async fn delete_session(db: &StoreConnections, instance_id: &str) -> Result<bool, DbErr> {
    let txn = db.writes.begin().await?;
    let had_device = delete_in(&txn, instance_id).await?;
    txn.commit().await?;
    Ok(had_device)
}

pub(super) async fn delete_in(db: &impl ConnectionTrait, instance_id: &str) -> Result<bool, DbErr> {
    let mut had_device = false;
    for table in SESSION_TABLES {
        let statement = delete(table, Expr::col(col(INSTANCE)).eq(instance_id.to_owned()));
        let deleted = db.execute(&statement).await?.rows_affected();
        if *table == "wa_devices" {
            had_device = deleted > 0;
        }
    }
    Ok(had_device)
}
