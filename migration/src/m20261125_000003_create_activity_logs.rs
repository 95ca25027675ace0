use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("activity_logs")
                    .if_not_exists()
                    .col(string_len("id", 36).primary_key())
                    .col(string_len("instance_id", 36))
                    .col(string_len("action", 64))
                    .col(text("details"))
                    .col(big_integer("created_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_activity_instance_time")
                    .table("activity_logs")
                    .col("instance_id")
                    .col("created_at")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_activity_instance_action")
                    .table("activity_logs")
                    .col("instance_id")
                    .col("action")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("activity_logs").to_owned())
            .await
    }
}
