//! `GET /metrics`: Prometheus text, for a scraper holding the token or calling
//! from an allowed address.

use actix_web::http::header::AUTHORIZATION;
use actix_web::{HttpRequest, HttpResponse, web};
use secrecy::ExposeSecret;

use crate::actors::webhook::GetOutboxDepth;
use crate::error::{ApiError, ErrorCode};
use crate::net::client_ip::client_ip;
use crate::routes::access::ask;
use crate::state::AppState;

fn allowed(state: &AppState, req: &HttpRequest) -> bool {
    let settings = &state.settings.metrics;
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
    client_ip(req, &state.settings.server.trusted_proxies)
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
#[utoipa::path(get, path = "/metrics", tag = "operations", operation_id = "scrapeMetrics",
    responses(
        (status = 200, description = "The metrics (`wamux_*`), Prometheus text format", content_type = "text/plain; version=0.0.4", body = String),
        (status = 403, description = "Wrong or missing metrics token, or the address is not allowed", body = serde_json::Value,
            example = json!(crate::routes::openapi::error_example("forbidden", "metrics need the token or an allowed address"))),
        (status = 404, description = "Metrics are turned off (`metrics.enabled = false`)", body = serde_json::Value,
            example = json!(crate::routes::openapi::error_example("route_not_found", "metrics are turned off"))),
    ))]
pub async fn scrape(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    if !state.settings.metrics.enabled {
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
    let metrics = &state.metrics;
    // The live instances' own statuses: no database round trip per scrape.
    for (status, count) in state.registry.status_counts() {
        metrics
            .instances
            .with_label_values(&[status.as_str()])
            .set(i64::try_from(count).unwrap_or(i64::MAX));
    }
    state.load.observe(metrics);
    let depth = ask(&state, &state.webhooks, GetOutboxDepth).await?;
    metrics
        .webhook_outbox
        .set(i64::try_from(depth).unwrap_or(i64::MAX));
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(metrics.render()))
}
