//! Usage statistics, as the contract shapes them.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::stats::{Counters, DayUsage};
use crate::domain::period::{Period, Periods, day_start_iso};
use crate::domain::user::AuthUser;
use crate::error::{ApiError, ErrorBody, ErrorCode};
use crate::http::extract::AdminUser;
use crate::http::state::AppState;
use crate::routes::input;

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserTotal {
    #[serde(flatten)]
    counters: Counters,
    instance_count: usize,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InstanceUsage {
    instance_id: String,
    name: String,
    #[serde(flatten)]
    counters: Counters,
}

#[derive(Serialize, ToSchema)]
pub struct UserStats {
    total: UserTotal,
    instances: Vec<InstanceUsage>,
}

/// One UTC day with some activity.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DayStats {
    /// The day's midnight UTC.
    date: String,
    messages_sent: i64,
    messages_received: i64,
    media_sent: i64,
    media_received: i64,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InstanceUsageByDay {
    #[serde(flatten)]
    counters: Counters,
    /// Oldest first.
    daily_stats: Vec<DayStats>,
}

#[derive(Serialize, ToSchema)]
pub struct InstanceStats {
    usage: InstanceUsageByDay,
}

#[derive(Serialize, ToSchema)]
pub struct Headcount {
    total: u64,
    active: u64,
}

#[derive(Serialize, ToSchema)]
pub struct SystemStats {
    instances: Headcount,
    users: Headcount,
    usage: Counters,
}

pub const USER_PERIODS: Periods = Periods {
    allowed: &[Period::Week, Period::Month, Period::Year, Period::All],
    default: Period::Month,
};
pub const INSTANCE_PERIODS: Periods = Periods {
    allowed: &[Period::Today, Period::Week, Period::Month, Period::All],
    default: Period::Today,
};
pub const SYSTEM_PERIODS: Periods = Periods {
    allowed: &[
        Period::Today,
        Period::Week,
        Period::Month,
        Period::Year,
        Period::All,
    ],
    default: Period::All,
};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeriodQuery {
    period: Option<String>,
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
#[utoipa::path(tag = "stats", operation_id = "getUserStats",
    params(("period" = Option<String>, Query, description = "week, month (default), year or all")),
    responses(
        (status = 200, description = "Totals and per-instance usage", body = UserStats,
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
        (status = 400, description = "Unknown `period` (or query parameter)", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::ValidationError, "period must be one of: week, month, year, all"))),
    ))]
#[get("/api/stats/user")]
pub async fn user_stats(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<PeriodQuery>,
) -> Result<HttpResponse, ApiError> {
    let period = input::period(query.period.as_deref(), &USER_PERIODS)?;
    let (instances, rows) = state.app.stats().of_user(&user, period).await?;
    let per_instance = instances
        .iter()
        .map(|instance| {
            let mine: Vec<DayUsage> = rows
                .iter()
                .filter(|r| r.instance_id == instance.id)
                .cloned()
                .collect();
            InstanceUsage {
                instance_id: instance.id.clone(),
                name: instance.name.clone(),
                counters: total(&mine),
            }
        })
        .collect();
    Ok(HttpResponse::Ok().json(UserStats {
        total: UserTotal {
            counters: total(&rows),
            instance_count: instances.len(),
        },
        instances: per_instance,
    }))
}

/// Usage of one instance: totals and a per-day breakdown.
///
/// `dailyStats` lists only the UTC days with some activity, oldest first; `date` is
/// the day's midnight UTC. `week` and `month` are the last 7 and 30 days including today.
#[utoipa::path(tag = "stats", operation_id = "getInstanceStats",
    params(
        ("instance_id" = String, Path, description = "Instance id"),
        ("period" = Option<String>, Query, description = "today (default), week, month or all"),
    ),
    responses(
        (status = 200, description = "The instance's usage", body = InstanceStats,
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
        (status = 400, description = "Unknown `period` (or query parameter)", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::ValidationError, "period must be one of: today, week, month, all"))),
    ))]
#[get("/api/stats/instances/{instance_id}")]
pub async fn instance_stats(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    query: web::Query<PeriodQuery>,
) -> Result<HttpResponse, ApiError> {
    let period = input::period(query.period.as_deref(), &INSTANCE_PERIODS)?;
    let rows = state.app.stats().of_instance(&user, &path, period).await?;
    let mut days: BTreeMap<&str, Counters> = BTreeMap::new();
    for row in &rows {
        *days.entry(row.day.as_str()).or_default() += row.counters;
    }
    let daily_stats = days
        .iter()
        .filter(|(_, counters)| !counters.is_empty())
        .map(|(day, c)| DayStats {
            date: day_start_iso(day),
            messages_sent: c.messages_sent,
            messages_received: c.messages_received,
            media_sent: c.media_sent,
            media_received: c.media_received,
        })
        .collect();
    Ok(HttpResponse::Ok().json(InstanceStats {
        usage: InstanceUsageByDay {
            counters: total(&rows),
            daily_stats,
        },
    }))
}

/// Server-wide figures (administrators only).
///
/// `instances.active`: instances connected now; `users.active`: users who made an
/// authenticated call in the last 30 days. `usage` covers the period.
#[utoipa::path(tag = "stats", operation_id = "getSystemStats",
    params(("period" = Option<String>, Query, description = "today, week, month, year or all (default)")),
    responses(
        (status = 200, description = "Instances, users and usage of the whole server", body = SystemStats,
            example = json!({
                "instances": {"total": 50, "active": 35},
                "users": {"total": 20, "active": 15},
                "usage": {
                    "messagesSent": 15000, "messagesReceived": 12000, "mediaSent": 450, "mediaReceived": 300,
                    "totalMediaSize": 1250000000, "apiCalls": 32000, "webhookSent": 27000
                }
            })),
        (status = 400, description = "Unknown `period` (or query parameter)", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::ValidationError, "period must be one of: today, week, month, year, all"))),
        (status = 403, description = "The caller is not an administrator", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::Forbidden, "administrator role required"))),
    ))]
#[get("/api/stats/system")]
pub async fn system_stats(
    state: web::Data<AppState>,
    _admin: AdminUser,
    query: web::Query<PeriodQuery>,
) -> Result<HttpResponse, ApiError> {
    let period = input::period(query.period.as_deref(), &SYSTEM_PERIODS)?;
    let figures = state.app.stats().system(period).await?;
    Ok(HttpResponse::Ok().json(SystemStats {
        instances: Headcount {
            total: figures.instances_total,
            active: figures.instances_active,
        },
        users: Headcount {
            total: figures.users_total,
            active: figures.users_active,
        },
        usage: total(&figures.usage),
    }))
}
