use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("contacts")
                    .if_not_exists()
                    .col(string_len("instance_id", 36))
                    .col(string("jid"))
                    .col(string("name"))
                    .col(string("number"))
                    .col(boolean("is_group"))
                    .col(big_integer("updated_at"))
                    .primary_key(Index::create().col("instance_id").col("jid"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("contacts").to_owned())
            .await
    }
}
