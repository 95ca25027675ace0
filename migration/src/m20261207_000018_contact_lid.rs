//! The LID WhatsApp names a contact by, beside their phone number, so a person
//! addressed either way is one contact.

use sea_orm_migration::{prelude::*, schema::*};

use crate::columns;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        columns::add(manager, "contacts", string_null("lid")).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        columns::drop(manager, "contacts", "lid").await
    }
}
