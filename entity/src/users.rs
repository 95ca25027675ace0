use sea_orm::entity::prelude::*;

pub use crate::values::Role;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    #[sea_orm(unique)]
    pub email: String,
    pub password_hash: String,
    pub first_name: String,
    pub last_name: String,
    pub role: Role,
    #[sea_orm(unique)]
    pub api_key: String,
    pub active: bool,
    pub created_at: i64,
    pub updated_at: i64,
    /// The last authenticated request, at most an hour stale (statistics).
    pub last_active_at: Option<i64>,
    /// Raised by every password change: a login token issued under another
    /// version is refused.
    pub token_version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
