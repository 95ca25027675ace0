//! Several servers on one PostgreSQL database: the nodes that are up, and which
//! node holds each instance (a lease with a fencing epoch). Times in these
//! tables are the database's clock in Unix milliseconds, never a node's.
//! Created on SQLite too, where they stay empty (the cluster needs PostgreSQL).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("cluster_nodes")
                    .if_not_exists()
                    .col(string("node_id").primary_key())
                    .col(string("advertise_url"))
                    .col(string("version"))
                    .col(big_integer("started_at"))
                    .col(big_integer("heartbeat_at"))
                    // Set while it hands its instances over before exiting.
                    .col(boolean("draining"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("instance_leases")
                    .if_not_exists()
                    .col(string("instance_id").primary_key())
                    // The node running it; empty when released.
                    .col(string("holder"))
                    // Raised on every change of holder: writes carrying an older one are refused.
                    .col(big_integer("epoch"))
                    .col(big_integer("expires_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("instance_leases", "instance_id")
                            .to("instances", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // Renewal reads a node's leases; takeover looks for expired ones.
        manager
            .create_index(
                Index::create()
                    .name("instance_leases_holder")
                    .table("instance_leases")
                    .col("holder")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("instance_leases_expires_at")
                    .table("instance_leases")
                    .col("expires_at")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("instance_leases").to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table("cluster_nodes").to_owned())
            .await
    }
}
