use sea_orm::entity::prelude::*;

/// A phone's membership of a simulated group.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sim_group_members")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub group_id: String,
    /// Phone digits.
    #[sea_orm(primary_key, auto_increment = false)]
    pub phone: String,
    /// `member`, `admin` or `superadmin`.
    pub role: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
