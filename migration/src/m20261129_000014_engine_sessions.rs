//! The engine's WhatsApp sessions (identity, Signal sessions, pre-keys, sender
//! keys, app-state, device registry) in wamux's own database, so a backup of the
//! database is a backup of every session and a session can move between nodes.
//! Every table is keyed by the instance first: deleting an instance's session is
//! one statement per table, and no row is ever read without its instance.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A table keyed by the instance and then by `key`, holding `values`.
struct SessionTable {
    name: &'static str,
    key: &'static [&'static str],
    values: fn() -> Vec<ColumnDef>,
}

const TABLES: &[SessionTable] = &[
    SessionTable {
        name: "wa_devices",
        key: &[],
        // The engine's `Device` (this account's keys and identity), as JSON.
        values: || vec![text("device")],
    },
    SessionTable {
        name: "wa_identities",
        key: &["address"],
        values: || vec![blob("identity_key")],
    },
    SessionTable {
        name: "wa_signal_sessions",
        key: &["address"],
        values: || vec![blob("record")],
    },
    SessionTable {
        name: "wa_prekeys",
        key: &["key_id"],
        values: || vec![blob("record"), boolean("uploaded")],
    },
    SessionTable {
        name: "wa_signed_prekeys",
        key: &["key_id"],
        values: || vec![blob("record")],
    },
    SessionTable {
        name: "wa_sender_keys",
        key: &["address"],
        values: || vec![blob("record")],
    },
    SessionTable {
        name: "wa_app_state_keys",
        key: &["key_id"],
        values: || {
            vec![
                blob("key_data"),
                blob("fingerprint"),
                big_integer("key_timestamp"),
            ]
        },
    },
    SessionTable {
        name: "wa_app_state_versions",
        key: &["collection"],
        // The collection's `HashState`, as JSON.
        values: || vec![text("state")],
    },
    SessionTable {
        name: "wa_app_state_macs",
        key: &["collection", "index_mac"],
        values: || vec![big_integer("version"), blob("value_mac")],
    },
    SessionTable {
        name: "wa_sender_key_devices",
        key: &["group_jid", "device_jid"],
        values: || vec![boolean("has_key")],
    },
    SessionTable {
        name: "wa_lid_mappings",
        key: &["lid"],
        values: || {
            vec![
                string("phone_number"),
                big_integer("created_at"),
                big_integer("updated_at"),
                string("learning_source"),
            ]
        },
    },
    SessionTable {
        name: "wa_base_keys",
        key: &["address", "message_id"],
        values: || vec![blob("base_key")],
    },
    SessionTable {
        name: "wa_device_lists",
        key: &["user_id"],
        // The engine's `DeviceListRecord`, as JSON.
        values: || vec![text("record")],
    },
    SessionTable {
        name: "wa_group_metadata",
        key: &["group_jid"],
        values: || vec![blob("metadata")],
    },
    SessionTable {
        name: "wa_tc_tokens",
        key: &["jid"],
        values: || {
            vec![
                blob("token"),
                big_integer("token_timestamp"),
                big_integer_null("sender_timestamp"),
            ]
        },
    },
    SessionTable {
        name: "wa_sent_messages",
        key: &["chat_jid", "message_id"],
        values: || vec![blob("payload"), big_integer("created_at")],
    },
    SessionTable {
        name: "wa_pending_inbound",
        key: &["chat_jid", "sender_jid", "message_id"],
        values: || vec![blob("message"), big_integer("created_at")],
    },
    SessionTable {
        name: "wa_msg_secrets",
        key: &["chat_jid", "sender_jid", "message_id"],
        values: || {
            vec![
                blob("secret"),
                big_integer("expires_at"),
                big_integer("message_ts"),
            ]
        },
    },
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            let mut create = Table::create();
            create
                .table(table.name)
                .if_not_exists()
                .col(string("instance_id"));
            let mut primary = Index::create();
            primary.col("instance_id");
            for key in table.key {
                create.col(key_column_of(table.name, key));
                primary.col(*key);
            }
            for value in (table.values)() {
                create.col(value);
            }
            create.primary_key(&mut primary);
            manager.create_table(create).await?;
        }
        // Reads by a second column: a phone's LID, a device's sender-key rows
        // across groups, the expiry sweeps.
        for (name, table, cols) in [
            (
                "wa_lid_mappings_phone",
                "wa_lid_mappings",
                &["instance_id", "phone_number"][..],
            ),
            (
                "wa_sender_key_devices_device",
                "wa_sender_key_devices",
                &["instance_id", "device_jid"][..],
            ),
            (
                "wa_sent_messages_created",
                "wa_sent_messages",
                &["instance_id", "created_at"][..],
            ),
            (
                "wa_msg_secrets_expiry",
                "wa_msg_secrets",
                &["instance_id", "expires_at"][..],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(table);
            for col in cols {
                index.col(*col);
            }
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES.iter().rev() {
            manager
                .drop_table(Table::drop().table(table.name).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}

/// Numbered keys (pre-key ids) are integers; MACs are bytes; the rest are text.
fn key_column_of(table: &str, key: &'static str) -> ColumnDef {
    match (table, key) {
        (_, "index_mac") => blob(key),
        ("wa_app_state_keys", "key_id") => blob(key),
        (_, "key_id") => big_integer(key),
        _ => string(key),
    }
}
