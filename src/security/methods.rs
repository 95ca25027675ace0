//! Methods HTTP does not define are relabelled before anything counts them.

use std::sync::OnceLock;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;

const STANDARD: [Method; 9] = [
    Method::GET,
    Method::POST,
    Method::PUT,
    Method::DELETE,
    Method::HEAD,
    Method::OPTIONS,
    Method::CONNECT,
    Method::PATCH,
    Method::TRACE,
];

/// A request with an invented method (`FOO`) goes on as method `OTHER`: the
/// metrics, which label requests by method, see one value for all of them, and
/// the router answers it like any method a route does not take.
pub async fn known_methods_only(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    static OTHER: OnceLock<Option<Method>> = OnceLock::new();
    if !STANDARD.contains(req.method())
        && let Some(other) = OTHER.get_or_init(|| Method::from_bytes(b"OTHER").ok())
    {
        req.head_mut().method = other.clone();
    }
    next.call(req).await
}
