use entity::users::{ActiveModel, Column, Entity as Users, Model as User};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};

use crate::domain::time::now_millis;
use crate::domain::user::Role;

pub struct NewUser {
    pub email: String,
    pub password_hash: String,
    pub first_name: String,
    pub last_name: String,
    pub role: Role,
    pub api_key: String,
}

#[derive(Default)]
pub struct UserChanges {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub role: Option<Role>,
    pub active: Option<bool>,
    pub password_hash: Option<String>,
    pub api_key: Option<String>,
    /// Raises the token version: every login token issued before stops working.
    pub revoke_tokens: bool,
}

pub async fn find_by_id(db: &impl ConnectionTrait, id: &str) -> Result<Option<User>, DbErr> {
    Users::find_by_id(id.to_owned()).one(db).await
}

pub async fn find_by_email(db: &impl ConnectionTrait, email: &str) -> Result<Option<User>, DbErr> {
    Users::find().filter(Column::Email.eq(email)).one(db).await
}

pub async fn find_by_api_key(db: &impl ConnectionTrait, key: &str) -> Result<Option<User>, DbErr> {
    Users::find().filter(Column::ApiKey.eq(key)).one(db).await
}

pub async fn insert(db: &impl ConnectionTrait, new: NewUser) -> Result<User, DbErr> {
    let now = now_millis();
    ActiveModel {
        id: Set(uuid::Uuid::now_v7().to_string()),
        email: Set(new.email),
        password_hash: Set(new.password_hash),
        first_name: Set(new.first_name),
        last_name: Set(new.last_name),
        role: Set(new.role),
        api_key: Set(new.api_key),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        last_active_at: Set(None),
        token_version: Set(0),
    }
    .insert(db)
    .await
}

/// A page of users, oldest first, and the total count.
pub async fn list(
    db: &impl ConnectionTrait,
    limit: u64,
    skip: u64,
) -> Result<(Vec<User>, u64), DbErr> {
    let total = Users::find().count(db).await?;
    let page = Users::find()
        .order_by_asc(Column::CreatedAt)
        .order_by_asc(Column::Id)
        .offset(skip)
        .limit(limit)
        .all(db)
        .await?;
    Ok((page, total))
}

pub async fn update(
    db: &impl ConnectionTrait,
    user: User,
    changes: UserChanges,
) -> Result<User, DbErr> {
    if changes.revoke_tokens {
        // Raised in the database, never from the version read: two changes at
        // once raise it twice. First, so the row answered below carries it.
        Users::update_many()
            .col_expr(Column::TokenVersion, Expr::col(Column::TokenVersion).add(1))
            .filter(Column::Id.eq(user.id.as_str()))
            .exec(db)
            .await?;
    }
    let mut active: ActiveModel = user.into();
    if let Some(first_name) = changes.first_name {
        active.first_name = Set(first_name);
    }
    if let Some(last_name) = changes.last_name {
        active.last_name = Set(last_name);
    }
    if let Some(role) = changes.role {
        active.role = Set(role);
    }
    if let Some(is_active) = changes.active {
        active.active = Set(is_active);
    }
    if let Some(hash) = changes.password_hash {
        active.password_hash = Set(hash);
    }
    if let Some(key) = changes.api_key {
        active.api_key = Set(key);
    }
    active.updated_at = Set(now_millis());
    active.update(db).await
}

pub async fn set_api_key(
    db: &impl ConnectionTrait,
    user_id: &str,
    api_key: &str,
) -> Result<bool, DbErr> {
    let result = Users::update_many()
        .col_expr(Column::ApiKey, Expr::value(api_key))
        .col_expr(Column::UpdatedAt, Expr::value(now_millis()))
        .filter(Column::Id.eq(user_id))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

pub async fn delete(db: &impl ConnectionTrait, id: &str) -> Result<bool, DbErr> {
    let result = Users::delete_by_id(id.to_owned()).exec(db).await?;
    Ok(result.rows_affected == 1)
}

pub async fn count(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    Users::find().count(db).await
}

/// Records that these users made requests at `at` (never moving the time back).
pub async fn mark_active(
    db: &impl ConnectionTrait,
    user_ids: &[String],
    at: i64,
) -> Result<(), DbErr> {
    if user_ids.is_empty() {
        return Ok(());
    }
    Users::update_many()
        .col_expr(Column::LastActiveAt, Expr::value(at))
        .filter(Column::Id.is_in(user_ids.iter().cloned()))
        .filter(
            Column::LastActiveAt
                .is_null()
                .or(Column::LastActiveAt.lt(at)),
        )
        .exec(db)
        .await
        .map(|_| ())
}

pub async fn count_active_since(db: &impl ConnectionTrait, since: i64) -> Result<u64, DbErr> {
    Users::find()
        .filter(Column::LastActiveAt.gte(since))
        .count(db)
        .await
}
