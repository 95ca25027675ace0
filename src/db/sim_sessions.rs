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
    })
    .on_conflict(
        OnConflict::column(Column::InstanceId)
            .update_columns([Column::Phone, Column::PushName, Column::CreatedAt])
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
