//! The webhook outbox: a delivery is a row before its first attempt.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("webhook_deliveries")
                    .if_not_exists()
                    .col(string_len("id", 36).primary_key())
                    .col(string_len("instance_id", 36))
                    .col(string_len("event", 32))
                    .col(text("payload"))
                    .col(text("url"))
                    .col(string_len_null("signature", 64))
                    .col(string_len("state", 16))
                    .col(integer("attempts"))
                    .col(integer("max_retries"))
                    .col(big_integer("retry_interval_ms"))
                    .col(big_integer("next_attempt_at"))
                    .col(text_null("last_error"))
                    .col(integer_null("last_status"))
                    .col(big_integer("created_at"))
                    .col(big_integer("updated_at"))
                    .col(big_integer_null("delivered_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_webhook_deliveries_state")
                    .table("webhook_deliveries")
                    .col("state")
                    .col("created_at")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_webhook_deliveries_instance")
                    .table("webhook_deliveries")
                    .col("instance_id")
                    .col("created_at")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("webhook_deliveries").to_owned())
            .await
    }
}
