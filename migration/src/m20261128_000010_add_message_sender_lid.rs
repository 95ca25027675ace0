//! The LID a received message's sender wrote under, beside the phone JID.

use sea_orm_migration::{prelude::*, schema::*};

use crate::columns;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        columns::add(manager, "messages", string_null("sender_lid")).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        columns::drop(manager, "messages", "sender_lid").await
    }
}
