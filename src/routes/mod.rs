//! HTTP routes; `configure` mounts them all.

mod admin;
mod auth;
pub mod errors;
mod health;
pub mod pagination;

use actix_web::middleware::from_fn;
use actix_web::{Resource, web};

use crate::auth::extractor::require_auth;

/// Handlers put `AuthUser`/`AdminUser` before any body extractor, so that the
/// role check answers before body validation does.
///
/// A route path whose unsupported methods answer 405 JSON (not the app's 404).
pub fn resource(path: &str) -> Resource {
    web::resource(path).default_service(web::to(errors::method_not_allowed))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/health").route(web::get().to(health::health)))
        .service(
            web::scope("/api/auth")
                .service(resource("/login").route(web::post().to(auth::login)))
                .service(
                    resource("/me")
                        .wrap(from_fn(require_auth))
                        .route(web::get().to(auth::me)),
                )
                .service(
                    resource("/api-key/rotate")
                        .wrap(from_fn(require_auth))
                        .route(web::post().to(auth::rotate_api_key)),
                ),
        )
        .service(
            web::scope("/api/admin")
                .wrap(from_fn(require_auth))
                .service(
                    resource("/users")
                        .route(web::post().to(admin::create_user))
                        .route(web::get().to(admin::list_users)),
                )
                .service(
                    resource("/users/{user_id}")
                        .route(web::patch().to(admin::update_user))
                        .route(web::delete().to(admin::delete_user)),
                ),
        );
}
