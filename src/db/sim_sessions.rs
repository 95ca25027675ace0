use entity::sim_sessions::{ActiveModel, Column, Entity as SimSessions, Model as SimSession};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};

use crate::domain::time::now_millis;

pub async fn find(
    db: &impl ConnectionTrait,
    instance_id: &str,
) -> Result<Option<SimSession>, DbErr> {
    SimSessions::find_by_id(instance_id.to_owned())
        .one(db)
        .await
}

pub async fn find_by_phone(
    db: &impl ConnectionTrait,
    phone: &str,
) -> Result<Option<SimSession>, DbErr> {
    SimSessions::find()
        .filter(Column::Phone.eq(phone))
        .one(db)
        .await
}

pub async fn save(
    db: &impl ConnectionTrait,
    instance_id: &str,
    phone: &str,
    push_name: &str,
) -> Result<(), DbErr> {
    SimSessions::insert(ActiveModel {
        instance_id: Set(instance_id.to_owned()),
        phone: Set(phone.to_owned()),
        push_name: Set(push_name.to_owned()),
        created_at: Set(now_millis()),
        blocked: Set("[]".to_owned()),
    })
    .on_conflict(
        OnConflict::column(Column::InstanceId)
            .update_columns([
                Column::Phone,
                Column::PushName,
                Column::CreatedAt,
                Column::Blocked,
            ])
            .to_owned(),
    )
    .exec(db)
    .await
    .map(|_| ())
}

pub async fn delete(db: &impl ConnectionTrait, instance_id: &str) -> Result<(), DbErr> {
    SimSessions::delete_by_id(instance_id.to_owned())
        .exec(db)
        .await
        .map(|_| ())
}

/// Whom a simulated phone blocked (phone digits), as stored.
pub fn blocked(session: &SimSession) -> std::collections::HashSet<String> {
    serde_json::from_str(&session.blocked).unwrap_or_default()
}

pub async fn set_blocked(
    db: &impl ConnectionTrait,
    instance_id: &str,
    blocked: &std::collections::HashSet<String>,
) -> Result<(), DbErr> {
    let mut sorted: Vec<&String> = blocked.iter().collect();
    sorted.sort();
    let json = serde_json::to_string(&sorted).map_err(|e| DbErr::Custom(e.to_string()))?;
    SimSessions::update_many()
        .col_expr(Column::Blocked, sea_orm::sea_query::Expr::value(json))
        .filter(Column::InstanceId.eq(instance_id))
        .exec(db)
        .await
        .map(|_| ())
}

/// Which of these phones (digits) a simulated phone linked an instance with.
pub async fn paired_phones(
    db: &impl ConnectionTrait,
    phones: &[&str],
) -> Result<std::collections::HashSet<String>, DbErr> {
    Ok(SimSessions::find()
        .filter(Column::Phone.is_in(phones.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|session| session.phone)
        .collect())
}
