//! `GET /metrics`: Prometheus text, for a scraper holding the token or calling
//! from an allowed address.

use actix_web::http::header::AUTHORIZATION;
use actix_web::{HttpRequest, HttpResponse, get, web};
use secrecy::ExposeSecret;

use crate::error::{ApiError, ErrorBody, ErrorCode};
use crate::http::state::AppState;
use crate::net::client_ip::client_ip;

fn allowed(state: &AppState, req: &HttpRequest) -> bool {
    let settings = &state.app.settings().metrics;
    let token = settings.token.expose_secret();
    if !token.is_empty() {
        let given = req
            .headers()
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        return constant_time_eq(given.as_bytes(), token.as_bytes());
    }
    client_ip(req, &state.app.settings().server.trusted_proxies)
        .is_some_and(|ip| settings.allowed_ips.iter().any(|range| range.contains(ip)))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Prometheus metrics (text exposition format 0.0.4).
///
/// Takes no user credentials. When `metrics.token` is set, the scraper must send
/// `Authorization: Bearer <metrics.token>`; otherwise the client address must be in
/// `metrics.allowed_ips` (default: loopback only). Anyone else gets 403.
#[utoipa::path(tag = "operations", operation_id = "scrapeMetrics", security(),
    responses(
        (status = 200, description = "The metrics (`wamux_*`), Prometheus text format", content_type = "text/plain; version=0.0.4", body = String),
        (status = 403, description = "Wrong or missing metrics token, or the address is not allowed", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::Forbidden, "metrics need the token or an allowed address"))),
        (status = 404, description = "Metrics are turned off (`metrics.enabled = false`)", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::RouteNotFound, "metrics are turned off"))),
    ))]
#[get("/metrics")]
pub async fn scrape(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    if !state.app.settings().metrics.enabled {
        return Err(ApiError::new(
            ErrorCode::RouteNotFound,
            "metrics are turned off",
        ));
    }
    if !allowed(&state, &req) {
        return Err(ApiError::forbidden(
            "metrics need the token or an allowed address",
        ));
    }
    let text = state.app.monitoring().metrics().await?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(text))
}
