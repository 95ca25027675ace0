//! The LID WhatsApp names a contact by, beside their phone number, so a person
//! addressed either way is one contact.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("contacts")
                    .add_column(string_null("lid"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("contacts")
                    .drop_column("lid")
                    .to_owned(),
            )
            .await
    }
}
