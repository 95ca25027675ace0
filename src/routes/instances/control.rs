//! Acting on a live instance: reconnect, logout, QR, status, activity log.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use crate::actors::instance::{GetQr, GetStatus, Logout, Reconnect};
use crate::auth::AuthUser;
use crate::db;
use crate::db::activity::ActivityFilter;
use crate::domain::time::{iso_millis, parse_iso};
use crate::error::ApiError;
use crate::routes::access::{ask, live_instance, visible_instance};
use crate::routes::pagination::{Page, Pagination};
use crate::state::AppState;

const MAX_ACTIONS_FILTER: usize = 50;

pub async fn reconnect(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let addr = live_instance(&state, &user, &path)?;
    ask(&state, &addr, Reconnect).await?;
    Ok(HttpResponse::Ok().json(json!({
        "success": true,
        "message": format!("Instance {} reconnected", path.as_str()),
    })))
}

pub async fn logout(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let addr = live_instance(&state, &user, &path)?;
    ask(&state, &addr, Logout).await?;
    Ok(HttpResponse::Ok().json(json!({
        "success": true,
        "message": format!("Instance {} logged out", path.as_str()),
    })))
}

/// `POST /api/whatsapp/{id}/logout`: the same, in the WhatsApp API's shape.
pub async fn whatsapp_logout(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let addr = live_instance(&state, &user, &path)?;
    ask(&state, &addr, Logout).await?;
    Ok(HttpResponse::Ok().json(json!({ "success": true })))
}

pub async fn qr(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let addr = live_instance(&state, &user, &path)?;
    match ask(&state, &addr, GetQr).await? {
        Some(code) => Ok(HttpResponse::Ok().json(json!({ "qrCode": code }))),
        None => Err(ApiError::not_found(
            "qr_not_available",
            "no QR code is pending: the instance is connected, connecting or resting",
        )),
    }
}

pub async fn status(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let addr = live_instance(&state, &user, &path)?;
    Ok(HttpResponse::Ok().json(ask(&state, &addr, GetStatus).await?))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ActivityQuery {
    limit: Option<i64>,
    skip: Option<i64>,
    actions: Option<String>,
    start_date: Option<String>,
    end_date: Option<String>,
}

fn date(name: &str, value: Option<&str>) -> Result<Option<i64>, ApiError> {
    value
        .map(|raw| {
            parse_iso(raw).ok_or_else(|| {
                ApiError::validation(format!("{name} must be an ISO 8601 date or date-time"))
            })
        })
        .transpose()
}

pub async fn activity(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    query: web::Query<ActivityQuery>,
) -> Result<HttpResponse, ApiError> {
    let instance = visible_instance(&state, &user, &path).await?;
    let page = Page::parse(query.limit, query.skip, 100, 1000)?;
    let actions: Vec<String> = query
        .actions
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .filter(|a| a.len() <= 64 && a.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        .map(str::to_owned)
        .collect();
    if actions.len() > MAX_ACTIONS_FILTER {
        return Err(ApiError::validation(format!(
            "at most {MAX_ACTIONS_FILTER} actions"
        )));
    }
    let filter = ActivityFilter {
        actions,
        start: date("startDate", query.start_date.as_deref())?,
        end: date("endDate", query.end_date.as_deref())?,
    };
    // Everything the instance did before this request is in the answer.
    state.recorder.flush().await;
    let (logs, total) =
        db::activity::list(&state.db, &instance.id, &filter, page.limit, page.skip).await?;
    let logs: Vec<_> = logs
        .into_iter()
        .map(|log| {
            json!({
                "id": log.id,
                "instanceId": log.instance_id,
                "action": log.action,
                "details": serde_json::from_str::<serde_json::Value>(&log.details).unwrap_or_else(|_| json!({})),
                "createdAt": iso_millis(log.created_at),
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({
        "logs": logs,
        "pagination": Pagination::new(total, page),
    })))
}
