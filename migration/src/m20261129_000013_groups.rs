//! Groups: the simulated network's groups and their members (WhatsApp keeps
//! them on its servers; the simulation keeps them here, so they outlive a
//! restart), and the `notifyGroups` webhook flag.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("sim_groups")
                    .if_not_exists()
                    // The group JID's digits.
                    .col(string("id").primary_key())
                    .col(string("subject"))
                    .col(text("description"))
                    // The creator's phone digits.
                    .col(string("owner"))
                    .col(big_integer("created_at"))
                    .col(boolean("announce"))
                    .col(boolean("locked"))
                    .col(string("invite_code").unique_key())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("sim_group_members")
                    .if_not_exists()
                    .col(string("group_id"))
                    .col(string("phone"))
                    // member, admin or superadmin.
                    .col(string("role"))
                    .primary_key(Index::create().col("group_id").col("phone"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("sim_group_members", "group_id")
                            .to("sim_groups", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // A phone's groups: the list route reads by member.
        manager
            .create_index(
                Index::create()
                    .name("sim_group_members_phone")
                    .table("sim_group_members")
                    .col("phone")
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("instances")
                    .add_column(boolean("notify_groups").default(true))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("instances")
                    .drop_column("notify_groups")
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table("sim_group_members").to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table("sim_groups").to_owned())
            .await
    }
}
