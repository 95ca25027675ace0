//! `GET /health`, for load balancers and operators.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok`, or `degraded` when the database does not answer.
    status: &'static str,
    /// `ok` or `unavailable`.
    database: &'static str,
}

/// No auth: load balancers and operators probe it.
#[utoipa::path(tag = "operations", security(),
    responses(
        (status = 200, description = "The server and its database answer", body = Health,
            example = json!({"status": "ok", "database": "ok"})),
        (status = 503, description = "The database does not answer", body = Health,
            example = json!({"status": "degraded", "database": "unavailable"})),
    ))]
#[get("/health")]
pub async fn health(state: web::Data<AppState>) -> HttpResponse {
    if state.app.monitoring().database_ok().await {
        HttpResponse::Ok().json(Health {
            status: "ok",
            database: "ok",
        })
    } else {
        HttpResponse::ServiceUnavailable().json(Health {
            status: "degraded",
            database: "unavailable",
        })
    }
}
