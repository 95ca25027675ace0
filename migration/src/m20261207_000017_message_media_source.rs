//! Where WhatsApp keeps a received message's media (its direct path and the
//! keys that open it), so the file can be fetched again later when its first
//! download failed.

use sea_orm_migration::{prelude::*, schema::*};

use crate::columns;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        columns::add(manager, "messages", text_null("media_source")).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        columns::drop(manager, "messages", "media_source").await
    }
}
