//! Usage statistics, as the contract shapes them.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::actors::stats::{FlushStats, ReadUsage};
use crate::auth::{AdminUser, AuthUser};
use crate::db;
use crate::db::usage::{Counters, DayUsage};
use crate::domain::instance::InstanceStatus;
use crate::domain::period::{Period, day_start_iso, today};
use crate::error::ApiError;
use crate::routes::access::{ask, visible_instance};
use crate::state::AppState;

const ACTIVE_USER_WINDOW_MS: i64 = 30 * 24 * 60 * 60 * 1000;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeriodQuery {
    period: Option<String>,
}

fn period(query: &PeriodQuery, allowed: &[Period], default: Period) -> Result<Period, ApiError> {
    match query.period.as_deref() {
        None => Ok(default),
        Some(raw) => Period::parse(raw, allowed).ok_or_else(|| {
            let names: Vec<_> = allowed.iter().map(|p| p.name()).collect();
            ApiError::validation(format!("period must be one of: {}", names.join(", ")))
        }),
    }
}

async fn usage(
    state: &AppState,
    instance_ids: Option<Vec<String>>,
    period: Period,
) -> Result<Vec<DayUsage>, ApiError> {
    let since_day = period.first_day(today()).map(|day| day.to_string());
    ask(
        state,
        &state.stats,
        ReadUsage {
            instance_ids,
            since_day,
        },
    )
    .await?
    .map_err(ApiError::from)
}

fn total(rows: &[DayUsage]) -> Counters {
    let mut total = Counters::default();
    for row in rows {
        total += row.counters;
    }
    total
}

pub async fn user(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<PeriodQuery>,
) -> Result<HttpResponse, ApiError> {
    let period = period(
        &query,
        &[Period::Week, Period::Month, Period::Year, Period::All],
        Period::Month,
    )?;
    let instances = db::instances::list(&state.db, Some(&user.id)).await?;
    let ids: Vec<String> = instances.iter().map(|i| i.id.clone()).collect();
    let rows = usage(&state, Some(ids), period).await?;
    let per_instance: Vec<Value> = instances
        .iter()
        .map(|instance| {
            let mine: Vec<DayUsage> = rows
                .iter()
                .filter(|r| r.instance_id == instance.id)
                .cloned()
                .collect();
            let mut item = json!(total(&mine));
            item["instanceId"] = json!(instance.id);
            item["name"] = json!(instance.name);
            item
        })
        .collect();
    let mut all = json!(total(&rows));
    all["instanceCount"] = json!(instances.len());
    Ok(HttpResponse::Ok().json(json!({ "total": all, "instances": per_instance })))
}

pub async fn instance(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    query: web::Query<PeriodQuery>,
) -> Result<HttpResponse, ApiError> {
    let period = period(
        &query,
        &[Period::Today, Period::Week, Period::Month, Period::All],
        Period::Today,
    )?;
    let instance = visible_instance(&state, &user, &path).await?;
    let rows = usage(&state, Some(vec![instance.id]), period).await?;
    let mut days: BTreeMap<&str, Counters> = BTreeMap::new();
    for row in &rows {
        *days.entry(row.day.as_str()).or_default() += row.counters;
    }
    let daily: Vec<Value> = days
        .iter()
        .filter(|(_, counters)| !counters.is_empty())
        .map(|(day, c)| {
            json!({
                "date": day_start_iso(day),
                "messagesSent": c.messages_sent,
                "messagesReceived": c.messages_received,
                "mediaSent": c.media_sent,
                "mediaReceived": c.media_received,
            })
        })
        .collect();
    let mut usage = json!(total(&rows));
    usage["dailyStats"] = json!(daily);
    Ok(HttpResponse::Ok().json(json!({ "usage": usage })))
}

pub async fn system(
    state: web::Data<AppState>,
    _admin: AdminUser,
    query: web::Query<PeriodQuery>,
) -> Result<HttpResponse, ApiError> {
    let period = period(
        &query,
        &[
            Period::Today,
            Period::Week,
            Period::Month,
            Period::Year,
            Period::All,
        ],
        Period::All,
    )?;
    // Users seen lately and instance statuses are written in batches: land them first.
    ask(&state, &state.stats, FlushStats).await??;
    state.recorder.flush().await;
    let rows = usage(&state, None, period).await?;
    let instances_total = db::instances::count_live(&state.db).await?;
    let instances_active =
        db::instances::count_with_status(&state.db, InstanceStatus::Connected).await?;
    let users_total = db::users::count(&state.db).await?;
    let since = crate::domain::time::now_millis() - ACTIVE_USER_WINDOW_MS;
    let users_active = db::users::count_active_since(&state.db, since).await?;
    let usage = json!(total(&rows));
    Ok(HttpResponse::Ok().json(json!({
        "instances": {"total": instances_total, "active": instances_active},
        "users": {"total": users_total, "active": users_active},
        "usage": usage,
    })))
}
