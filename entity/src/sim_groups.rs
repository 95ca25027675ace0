use sea_orm::entity::prelude::*;

/// A group of the simulated network.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sim_groups")]
pub struct Model {
    /// The group JID's digits.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub subject: String,
    pub description: String,
    /// The creator's phone digits.
    pub owner: String,
    /// Unix seconds.
    pub created_at: i64,
    pub announce: bool,
    pub locked: bool,
    pub invite_code: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
