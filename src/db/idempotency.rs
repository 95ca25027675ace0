//! Remembered answers of sends made with an `Idempotency-Key`.

use entity::idempotency_keys::{ActiveModel, Column, Entity as Keys, Model as Key};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};

use crate::domain::time::now_millis;

/// How long a key protects against a repeated send.
pub const KEY_LIFETIME_MS: i64 = 24 * 60 * 60 * 1000;

/// Claims the key for a first request; `false` when it is already taken.
pub async fn claim(
    db: &impl ConnectionTrait,
    instance_id: &str,
    key: &str,
    fingerprint: &str,
) -> Result<bool, DbErr> {
    let row = ActiveModel {
        instance_id: Set(instance_id.to_owned()),
        key: Set(key.to_owned()),
        fingerprint: Set(fingerprint.to_owned()),
        response_status: Set(None),
        response_body: Set(None),
        created_at: Set(now_millis()),
    };
    match Keys::insert(row).exec(db).await {
        Ok(_) => Ok(true),
        Err(err) if crate::db::is_unique_violation(&err) => Ok(false),
        Err(err) => Err(err),
    }
}

pub async fn find(
    db: &impl ConnectionTrait,
    instance_id: &str,
    key: &str,
) -> Result<Option<Key>, DbErr> {
    Keys::find_by_id((instance_id.to_owned(), key.to_owned()))
        .one(db)
        .await
}

pub async fn complete(
    db: &impl ConnectionTrait,
    instance_id: &str,
    key: &str,
    status: u16,
    body: &str,
) -> Result<(), DbErr> {
    Keys::update_many()
        .col_expr(Column::ResponseStatus, Expr::value(i32::from(status)))
        .col_expr(Column::ResponseBody, Expr::value(body))
        .filter(Column::InstanceId.eq(instance_id))
        .filter(Column::Key.eq(key))
        .exec(db)
        .await
        .map(|_| ())
}

/// Forgets the key: its request failed and may be tried again.
pub async fn release(db: &impl ConnectionTrait, instance_id: &str, key: &str) -> Result<(), DbErr> {
    Keys::delete_by_id((instance_id.to_owned(), key.to_owned()))
        .exec(db)
        .await
        .map(|_| ())
}

/// Drops keys past their lifetime (they no longer protect anything).
pub async fn expire(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    Keys::delete_many()
        .filter(Column::CreatedAt.lt(now_millis() - KEY_LIFETIME_MS))
        .exec(db)
        .await
        .map(|r| r.rows_affected)
}
