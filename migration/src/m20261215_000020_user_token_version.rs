//! A user's login tokens carry the version they were issued under; changing
//! the password raises it, so every token issued before stops working.
//! Existing users start at 0, the version of tokens that carry none.

use sea_orm_migration::{prelude::*, schema::*};

use crate::columns;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        columns::add(
            manager,
            "users",
            integer("token_version").default(0).to_owned(),
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        columns::drop(manager, "users", "token_version").await
    }
}
