//! The simulated network's "session store": which phone paired an instance.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("sim_sessions")
                    .if_not_exists()
                    .col(string_len("instance_id", 36).primary_key())
                    .col(string_len("phone", 32))
                    .col(string("push_name"))
                    .col(big_integer("created_at"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("sim_sessions").to_owned())
            .await
    }
}
