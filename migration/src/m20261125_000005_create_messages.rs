use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("messages")
                    .if_not_exists()
                    .col(string_len("id", 36).primary_key())
                    .col(string_len("instance_id", 36))
                    .col(string("remote_jid"))
                    .col(boolean("from_me"))
                    .col(string_len("message_type", 16))
                    .col(text("content"))
                    .col(string_null("message_id"))
                    .col(boolean("has_media"))
                    .col(string_null("media_mimetype"))
                    .col(big_integer_null("media_size"))
                    .col(string_null("media_filename"))
                    .col(string_null("media_path"))
                    .col(string_null("push_name"))
                    .col(string_len("status", 16))
                    .col(big_integer("created_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_messages_chat_time")
                    .table("messages")
                    .col("instance_id")
                    .col("remote_jid")
                    .col("created_at")
                    .to_owned(),
            )
            .await?;
        // A message delivered twice (reconnects, offline drains) is stored once.
        manager
            .create_index(
                Index::create()
                    .name("idx_messages_whatsapp_id")
                    .table("messages")
                    .col("instance_id")
                    .col("message_id")
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("messages").to_owned())
            .await
    }
}
