//! Who wrote a received message in a group chat (the chat is the group).

use sea_orm_migration::{prelude::*, schema::*};

use crate::columns;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        columns::add(manager, "messages", string_null("author")).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        columns::drop(manager, "messages", "author").await
    }
}
