//! Deleting an instance's session: every session table, in one transaction.

use sea_orm::sea_query::{Expr, ExprTrait};
use std::sync::Arc;

use sea_orm::{ConnectionTrait, DbErr};

use super::StoreConnections;
use super::sql::{INSTANCE, col, delete};
use super::writer::Work;

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

/// Removes every row of `instance_id`'s session in one transaction; true when
/// there was one. It waits in the instance's queue of the session writer, so a
/// write the engine queued just before is committed first and removed with the
/// rest, never committed after the deletion.
pub async fn delete_session(db: &StoreConnections, instance_id: &str) -> Result<bool, DbErr> {
    let backend = db.writes.get_database_backend();
    let of_instance = || Expr::col(col(INSTANCE)).eq(instance_id.to_owned());
    let mut statements: Vec<_> = SESSION_TABLES
        .iter()
        .filter(|table| **table != DEVICES)
        .map(|table| backend.build(&delete(table, of_instance())))
        .collect();
    // Last, answering whether there was a device.
    let mut devices = delete(DEVICES, of_instance());
    devices.returning_col(col(INSTANCE));
    statements.push(backend.build(&devices));
    let work = Work::Statements {
        statements,
        returning: true,
    };
    let written = db.writer.write(&Arc::from(instance_id), work).await?;
    Ok(written.returned.is_some())
}

const DEVICES: &str = "wa_devices";

pub(super) async fn delete_in(db: &impl ConnectionTrait, instance_id: &str) -> Result<bool, DbErr> {
    let mut had_device = false;
    for table in SESSION_TABLES {
        let statement = delete(table, Expr::col(col(INSTANCE)).eq(instance_id.to_owned()));
        let deleted = db.execute(&statement).await?.rows_affected();
        if *table == DEVICES {
            had_device = deleted > 0;
        }
    }
    Ok(had_device)
}
