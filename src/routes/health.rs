use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::state::AppState;

/// No auth: load balancers and operators probe it.
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
