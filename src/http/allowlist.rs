//! `server.allowed_ips`: requests from other addresses get 403.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web;

use crate::error::ApiError;
use crate::http::state::AppState;
use crate::net::client_ip::client_ip;

pub async fn allowed_ips_only(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if let Some(state) = req.app_data::<web::Data<AppState>>() {
        let server = &state.app.settings().server;
        if !server.allowed_ips.is_empty() {
            let allowed = client_ip(req.request(), &server.trusted_proxies)
                .is_some_and(|ip| server.allowed_ips.iter().any(|range| range.contains(ip)));
            if !allowed {
                return Err(
                    ApiError::forbidden("your address is not allowed to use this server").into(),
                );
            }
        }
    }
    next.call(req).await
}
