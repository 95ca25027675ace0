use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::state::AppState;

/// No auth: load balancers and operators probe it.
#[utoipa::path(get, path = "/health", tag = "operations",
    responses(
        (status = 200, description = "The server and its database answer", body = serde_json::Value,
            example = json!({"status": "ok", "database": "ok"})),
        (status = 503, description = "The database does not answer", body = serde_json::Value,
            example = json!({"status": "degraded", "database": "unavailable"})),
    ))]
pub async fn health(state: web::Data<AppState>) -> HttpResponse {
    match state.db.ping().await {
        Ok(()) => HttpResponse::Ok().json(json!({"status": "ok", "database": "ok"})),
        Err(err) => {
            tracing::warn!(error = %err, "health check: database does not answer");
            HttpResponse::ServiceUnavailable()
                .json(json!({"status": "degraded", "database": "unavailable"}))
        }
    }
}
