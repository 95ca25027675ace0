use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("instances")
                    .if_not_exists()
                    .col(string_len("id", 36).primary_key())
                    .col(string_len("user_id", 36))
                    .col(string("name"))
                    .col(text("description"))
                    .col(string_len("status", 16))
                    .col(string_null("phone"))
                    .col(text_null("webhook_url"))
                    .col(boolean("webhook_enabled"))
                    .col(string_null("webhook_secret"))
                    .col(boolean("notify_received"))
                    .col(boolean("notify_sent"))
                    .col(boolean("notify_delivery"))
                    .col(boolean("notify_read"))
                    .col(integer("max_retries"))
                    .col(big_integer("retry_interval_ms"))
                    .col(big_integer("created_at"))
                    .col(big_integer("updated_at"))
                    .col(big_integer_null("deleted_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_instances_user")
                    .table("instances")
                    .col("user_id")
                    .col("created_at")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("instances").to_owned())
            .await
    }
}
