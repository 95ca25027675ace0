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

/// Usage of the caller's instances: totals and one entry per instance.
///
/// Counts are summed over whole UTC days: `week`, `month` and `year` are the last 7, 30
/// and 365 days including today.
#[utoipa::path(get, path = "/api/stats/user", tag = "stats", operation_id = "getUserStats",
    params(("period" = Option<String>, Query, description = "week, month (default), year or all")),
    responses(
        (status = 200, description = "Totals and per-instance usage", body = serde_json::Value,
            example = json!({
                "total": {
                    "messagesSent": 1500, "messagesReceived": 1200, "mediaSent": 45, "mediaReceived": 30,
                    "totalMediaSize": 125000000, "apiCalls": 3200, "webhookSent": 2700, "instanceCount": 3
                },
                "instances": [{
                    "instanceId": "0193a0c2-6f1e-7c3b-9a2d-4b8f2e1d0c5a", "name": "Main WhatsApp",
                    "messagesSent": 600, "messagesReceived": 500, "mediaSent": 20, "mediaReceived": 12,
                    "totalMediaSize": 50000000, "apiCalls": 1500, "webhookSent": 1100
                }]
            })),
        (status = 400, description = "Unknown `period` (or query parameter)", body = serde_json::Value,
            example = json!(crate::routes::openapi::error_example("validation_error", "period must be one of: week, month, year, all"))),
    ))]
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

/// Usage of one instance: totals and a per-day breakdown.
///
/// `dailyStats` lists only the UTC days with some activity, oldest first; `date` is
/// the day's midnight UTC. `week` and `month` are the last 7 and 30 days including today.
#[utoipa::path(get, path = "/api/stats/instances/{instance_id}", tag = "stats", operation_id = "getInstanceStats",
    params(
        ("instance_id" = String, Path, description = "Instance id"),
        ("period" = Option<String>, Query, description = "today (default), week, month or all"),
    ),
    responses(
        (status = 200, description = "The instance's usage", body = serde_json::Value,
            example = json!({
                "usage": {
                    "messagesSent": 150, "messagesReceived": 120, "mediaSent": 5, "mediaReceived": 3,
                    "totalMediaSize": 12500000, "apiCalls": 320, "webhookSent": 270,
                    "dailyStats": [{
                        "date": "2026-11-25T00:00:00.000Z", "messagesSent": 50,
                        "messagesReceived": 40, "mediaSent": 2, "mediaReceived": 1
                    }]
                }
            })),
        (status = 400, description = "Unknown `period` (or query parameter)", body = serde_json::Value,
            example = json!(crate::routes::openapi::error_example("validation_error", "period must be one of: today, week, month, all"))),
    ))]
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

/// Server-wide figures (administrators only).
///
/// `instances.active`: instances connected now; `users.active`: users who made an
/// authenticated call in the last 30 days. `usage` covers the period.
#[utoipa::path(get, path = "/api/stats/system", tag = "stats", operation_id = "getSystemStats",
    params(("period" = Option<String>, Query, description = "today, week, month, year or all (default)")),
    responses(
        (status = 200, description = "Instances, users and usage of the whole server", body = serde_json::Value,
            example = json!({
                "instances": {"total": 50, "active": 35},
                "users": {"total": 20, "active": 15},
                "usage": {
                    "messagesSent": 15000, "messagesReceived": 12000, "mediaSent": 450, "mediaReceived": 300,
                    "totalMediaSize": 1250000000, "apiCalls": 32000, "webhookSent": 27000
                }
            })),
        (status = 400, description = "Unknown `period` (or query parameter)", body = serde_json::Value,
            example = json!(crate::routes::openapi::error_example("validation_error", "period must be one of: today, week, month, year, all"))),
        (status = 403, description = "The caller is not an administrator", body = serde_json::Value,
            example = json!(crate::routes::openapi::error_example("forbidden", "administrator role required"))),
    ))]
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
