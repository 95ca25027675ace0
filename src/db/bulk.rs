//! Many writes of one kind as one statement: what lets the recorder keep up
//! with thousands of messages a second on SQLite's single writer.

use entity::{activity_logs, contacts, messages, webhook_deliveries};
use sea_orm::sea_query::{Alias, CaseStatement, Expr, ExprTrait, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};

use crate::db::activity::ActivityAction;
use crate::db::contacts::ContactUpsert;
use crate::db::messages::{MessageStatus, NewMessage};
use crate::db::webhooks::DeliveryState;
use crate::domain::time::now_millis;

/// Rows per statement: under SQLite's and PostgreSQL's bound-parameter limits.
const CHUNK: usize = 400;

pub async fn insert_activities(
    db: &impl ConnectionTrait,
    rows: &[(&str, ActivityAction, &serde_json::Value, i64)],
) -> Result<(), DbErr> {
    for chunk in rows.chunks(CHUNK) {
        let models =
            chunk.iter().map(
                |(instance_id, action, details, at)| activity_logs::ActiveModel {
                    id: Set(uuid::Uuid::now_v7().to_string()),
                    instance_id: Set((*instance_id).to_owned()),
                    action: Set(*action),
                    details: Set(details.to_string()),
                    created_at: Set(*at),
                },
            );
        activity_logs::Entity::insert_many(models)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

pub async fn insert_messages(db: &impl ConnectionTrait, rows: &[&NewMessage]) -> Result<(), DbErr> {
    for chunk in rows.chunks(CHUNK) {
        let models = chunk
            .iter()
            .map(|message| super::messages::active_model(message));
        messages::Entity::insert_many(models)
            .on_conflict_do_nothing_on([messages::Column::InstanceId, messages::Column::MessageId])
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Pending messages went out.
pub async fn mark_sent(db: &impl ConnectionTrait, row_ids: &[&str]) -> Result<(), DbErr> {
    for chunk in row_ids.chunks(CHUNK) {
        messages::Entity::update_many()
            .col_expr(
                messages::Column::Status,
                Expr::val(MessageStatus::Sent.as_str()),
            )
            .filter(messages::Column::Id.is_in(chunk.iter().copied()))
            .filter(messages::Column::Status.eq(MessageStatus::Pending))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Adds or refreshes contacts; a repeat of a key in one batch keeps its last name.
pub async fn upsert_contacts(
    db: &impl ConnectionTrait,
    rows: &[&ContactUpsert],
) -> Result<(), DbErr> {
    let mut latest: Vec<&ContactUpsert> = Vec::with_capacity(rows.len());
    for row in rows {
        match latest
            .iter_mut()
            .find(|c| c.instance_id == row.instance_id && c.jid == row.jid)
        {
            Some(kept) if !row.name.is_empty() => *kept = row,
            Some(_) => {}
            None => latest.push(row),
        }
    }
    let now = now_millis();
    let excluded = |column| Expr::col((Alias::new("excluded"), column));
    for chunk in latest.chunks(CHUNK) {
        let models = chunk.iter().map(|contact| contacts::ActiveModel {
            instance_id: Set(contact.instance_id.clone()),
            jid: Set(contact.jid.to_string()),
            name: Set(contact.name.clone()),
            number: Set(contact.jid.user().to_owned()),
            is_group: Set(contact.is_group),
            // Only the LID merge sets it: an upsert keeps what is known.
            lid: sea_orm::NotSet,
            updated_at: Set(now),
        });
        // An empty name ("we do not know it") never erases a known one.
        let name = Expr::case(
            excluded(contacts::Column::Name).eq(""),
            Expr::col((contacts::Entity, contacts::Column::Name)),
        )
        .finally(excluded(contacts::Column::Name));
        let upsert = OnConflict::columns([contacts::Column::InstanceId, contacts::Column::Jid])
            .value(contacts::Column::Name, name)
            .value(
                contacts::Column::UpdatedAt,
                excluded(contacts::Column::UpdatedAt),
            )
            .to_owned();
        contacts::Entity::insert_many(models)
            .on_conflict(upsert)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

pub async fn insert_deliveries(
    db: &impl ConnectionTrait,
    rows: &[&webhook_deliveries::Model],
) -> Result<(), DbErr> {
    for chunk in rows.chunks(CHUNK) {
        let models = chunk
            .iter()
            .map(|delivery| webhook_deliveries::ActiveModel::from((*delivery).clone()));
        webhook_deliveries::Entity::insert_many(models)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Deliveries that reached their receiver: `(id, attempts, HTTP status)`.
pub async fn mark_delivered(
    db: &impl ConnectionTrait,
    rows: &[(&str, i32, u16)],
) -> Result<(), DbErr> {
    use webhook_deliveries::Column;
    let now = now_millis();
    for chunk in rows.chunks(CHUNK) {
        let mut attempts = CaseStatement::new();
        let mut statuses = CaseStatement::new();
        for (id, tries, status) in chunk {
            attempts = attempts.case(Expr::col(Column::Id).eq(*id), Expr::val(*tries));
            statuses = statuses.case(Expr::col(Column::Id).eq(*id), Expr::val(i32::from(*status)));
        }
        webhook_deliveries::Entity::update_many()
            .col_expr(Column::State, Expr::val(DeliveryState::Delivered.as_str()))
            .col_expr(
                Column::Attempts,
                attempts.finally(Expr::col(Column::Attempts)).into(),
            )
            .col_expr(
                Column::LastStatus,
                statuses.finally(Expr::col(Column::LastStatus)).into(),
            )
            .col_expr(Column::DeliveredAt, Expr::val(now))
            .col_expr(Column::UpdatedAt, Expr::val(now))
            .filter(Column::Id.is_in(chunk.iter().map(|(id, _, _)| *id)))
            .exec(db)
            .await?;
    }
    Ok(())
}
