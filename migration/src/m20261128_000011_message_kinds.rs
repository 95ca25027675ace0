//! Every message kind and what changes a message after it is sent: replies,
//! mentions, locations, contact cards, polls and their votes, reactions, edits,
//! deletions; the `presence` webhook flag; whom a simulated phone blocked.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// SQLite alters one column per statement.
fn add(table: &str, column: ColumnDef) -> TableAlterStatement {
    Table::alter()
        .table(Alias::new(table))
        .add_column(column)
        .to_owned()
}

fn drop(table: &str, column: &str) -> TableAlterStatement {
    Table::alter()
        .table(Alias::new(table))
        .drop_column(Alias::new(column))
        .to_owned()
}

const ADDED: [(&str, &str); 7] = [
    ("messages", "quoted_message_id"),
    ("messages", "edited_at"),
    ("messages", "revoked"),
    ("messages", "details"),
    ("messages", "message_secret"),
    ("instances", "notify_presence"),
    ("sim_sessions", "blocked"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let columns = [
            ("messages", string_null("quoted_message_id")),
            ("messages", big_integer_null("edited_at")),
            ("messages", boolean("revoked").default(false).to_owned()),
            // JSON: mentions, location, contact cards, poll, votes, reactions.
            ("messages", text_null("details")),
            // A poll's secret, which opens its votes; never shown.
            ("messages", string_null("message_secret")),
            (
                "instances",
                boolean("notify_presence").default(false).to_owned(),
            ),
            // JSON array of the JIDs this simulated phone blocked.
            ("sim_sessions", text("blocked").default("[]").to_owned()),
        ];
        for (table, column) in columns {
            manager.alter_table(add(table, column)).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, column) in ADDED.iter().rev() {
            manager.alter_table(drop(table, column)).await?;
        }
        Ok(())
    }
}
