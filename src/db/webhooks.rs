use entity::webhook_deliveries::{ActiveModel, Column, Entity as Deliveries, Model as Delivery};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};

use crate::domain::time::now_millis;

pub use entity::webhook_deliveries::DeliveryState;

pub async fn insert(db: &impl ConnectionTrait, delivery: &Delivery) -> Result<(), DbErr> {
    Deliveries::insert(ActiveModel::from(delivery.clone()))
        .exec_without_returning(db)
        .await
        .map(|_| ())
}

/// An attempt failed; the next one is due at `next_attempt_at`.
pub async fn record_failure(
    db: &impl ConnectionTrait,
    id: &str,
    attempts: i32,
    next_attempt_at: i64,
    error: &str,
    status: Option<u16>,
    gave_up: bool,
) -> Result<(), DbErr> {
    Deliveries::update_many()
        .col_expr(Column::Attempts, Expr::value(attempts))
        .col_expr(Column::NextAttemptAt, Expr::value(next_attempt_at))
        .col_expr(Column::LastError, Expr::value(error))
        .col_expr(Column::LastStatus, Expr::value(status.map(i32::from)))
        .col_expr(
            Column::State,
            Expr::value(
                if gave_up {
                    DeliveryState::Failed
                } else {
                    DeliveryState::Pending
                }
                .as_str(),
            ),
        )
        .col_expr(Column::UpdatedAt, Expr::value(now_millis()))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await
        .map(|_| ())
}

pub async fn mark_delivered(
    db: &impl ConnectionTrait,
    id: &str,
    attempts: i32,
    status: u16,
) -> Result<(), DbErr> {
    let now = now_millis();
    Deliveries::update_many()
        .col_expr(
            Column::State,
            Expr::value(DeliveryState::Delivered.as_str()),
        )
        .col_expr(Column::Attempts, Expr::value(attempts))
        .col_expr(Column::LastStatus, Expr::value(i32::from(status)))
        .col_expr(Column::DeliveredAt, Expr::value(now))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await
        .map(|_| ())
}

/// Puts a failed delivery back in line with fresh tries; `None` when it is not failed.
pub async fn requeue(
    db: &impl ConnectionTrait,
    instance_id: &str,
    id: &str,
) -> Result<Option<Delivery>, DbErr> {
    let now = now_millis();
    let result = Deliveries::update_many()
        .col_expr(Column::State, Expr::value(DeliveryState::Pending.as_str()))
        .col_expr(Column::Attempts, Expr::value(0))
        .col_expr(Column::NextAttemptAt, Expr::value(now))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(id))
        .filter(Column::InstanceId.eq(instance_id))
        .filter(Column::State.eq(DeliveryState::Failed))
        .exec(db)
        .await?;
    if result.rows_affected == 0 {
        return Ok(None);
    }
    Deliveries::find_by_id(id.to_owned()).one(db).await
}

pub async fn find(
    db: &impl ConnectionTrait,
    instance_id: &str,
    id: &str,
) -> Result<Option<Delivery>, DbErr> {
    Deliveries::find_by_id(id.to_owned())
        .filter(Column::InstanceId.eq(instance_id))
        .one(db)
        .await
}

/// Drops the deliveries still to make for these instances (their owner was
/// deleted): they will not be attempted again, here or after a restart.
pub async fn drop_pending(
    db: &impl ConnectionTrait,
    instance_ids: &[String],
) -> Result<u64, DbErr> {
    let result = Deliveries::delete_many()
        .filter(Column::InstanceId.is_in(instance_ids.iter().cloned()))
        .filter(Column::State.eq(DeliveryState::Pending))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// Every delivery still to make (of `only` these instances, when given),
/// oldest first: resumed at start-up, or when a node takes instances over.
pub async fn pending(
    db: &impl ConnectionTrait,
    only: Option<&[String]>,
) -> Result<Vec<Delivery>, DbErr> {
    let mut query = Deliveries::find();
    if let Some(ids) = only {
        query = query.filter(Column::InstanceId.is_in(ids.iter().cloned()));
    }
    query
        .filter(Column::State.eq(DeliveryState::Pending))
        .order_by_asc(Column::CreatedAt)
        .order_by_asc(Column::Id)
        .all(db)
        .await
}

fn of_instance(instance_id: &str, state: Option<DeliveryState>) -> Select<Deliveries> {
    let mut query = Deliveries::find().filter(Column::InstanceId.eq(instance_id));
    if let Some(state) = state {
        query = query.filter(Column::State.eq(state));
    }
    query
}

/// A page of the instance's deliveries, newest first, and how many match.
pub async fn list(
    db: &impl ConnectionTrait,
    instance_id: &str,
    state: Option<DeliveryState>,
    limit: u64,
    skip: u64,
) -> Result<(Vec<Delivery>, u64), DbErr> {
    let total = of_instance(instance_id, state).count(db).await?;
    let rows = of_instance(instance_id, state)
        .order_by_desc(Column::CreatedAt)
        .order_by_desc(Column::Id)
        .offset(skip)
        .limit(limit)
        .all(db)
        .await?;
    Ok((rows, total))
}
