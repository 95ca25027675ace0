//! Usage counters per instance per UTC day, and when each user was last active.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("usage_daily")
                    .if_not_exists()
                    .col(string_len("instance_id", 36))
                    .col(string_len("day", 10))
                    .col(big_integer("messages_sent"))
                    .col(big_integer("messages_received"))
                    .col(big_integer("media_sent"))
                    .col(big_integer("media_received"))
                    .col(big_integer("total_media_size"))
                    .col(big_integer("api_calls"))
                    .col(big_integer("webhook_sent"))
                    .primary_key(Index::create().col("instance_id").col("day"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_usage_daily_day")
                    .table("usage_daily")
                    .col("day")
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("users")
                    .add_column(big_integer_null("last_active_at"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("users")
                    .drop_column("last_active_at")
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table("usage_daily").to_owned())
            .await
    }
}
