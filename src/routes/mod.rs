//! HTTP routes; `configure` mounts them all.

pub mod access;
mod admin;
mod auth;
pub mod errors;
mod health;
mod instances;
mod messaging;
pub mod pagination;
mod sim;
mod stats;
mod webhooks;

use actix_web::middleware::from_fn;
use actix_web::{Resource, web};

use crate::auth::extractor::require_auth;
use instances::control;

/// Handlers put `AuthUser`/`AdminUser` before any body extractor, so that the
/// role check answers before body validation does.
///
/// A route path whose unsupported methods answer 405 JSON (not the app's 404).
pub fn resource(path: &str) -> Resource {
    web::resource(path).default_service(web::to(errors::method_not_allowed))
}

pub fn configure(cfg: &mut web::ServiceConfig, with_sim: bool) {
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
        )
        .service(
            web::scope("/api/instances")
                .wrap(from_fn(require_auth))
                .service(
                    resource("")
                        .route(web::post().to(instances::create))
                        .route(web::get().to(instances::list)),
                )
                .service(
                    resource("/{instance_id}")
                        .route(web::get().to(instances::get))
                        .route(web::put().to(instances::update))
                        .route(web::delete().to(instances::delete)),
                )
                .service(
                    resource("/{instance_id}/reconnect").route(web::post().to(control::reconnect)),
                )
                .service(resource("/{instance_id}/logout").route(web::post().to(control::logout)))
                .service(resource("/{instance_id}/qr").route(web::get().to(control::qr)))
                .service(
                    resource("/{instance_id}/activity").route(web::get().to(control::activity)),
                )
                .service(
                    resource("/{instance_id}/chats/{chat_id}/messages")
                        .route(web::get().to(messaging::history)),
                )
                .service(
                    resource("/{instance_id}/messages/{message_id}/media")
                        .route(web::get().to(messaging::media)),
                )
                .service(
                    resource("/{instance_id}/webhooks/deliveries")
                        .route(web::get().to(webhooks::list)),
                )
                .service(
                    resource("/{instance_id}/webhooks/deliveries/{delivery_id}/retry")
                        .route(web::post().to(webhooks::retry)),
                ),
        )
        .service(
            web::scope("/api/whatsapp/{instance_id}")
                .wrap(from_fn(require_auth))
                .service(resource("/status").route(web::get().to(control::status)))
                .service(resource("/qr").route(web::get().to(control::qr)))
                .service(resource("/logout").route(web::post().to(control::whatsapp_logout)))
                .service(resource("/send").route(web::post().to(messaging::send)))
                .service(resource("/send-media").route(web::post().to(messaging::send_media)))
                .service(resource("/send-file").route(web::post().to(messaging::send_file)))
                .service(resource("/contacts").route(web::get().to(messaging::contacts))),
        );
    cfg.service(
        web::scope("/api/stats")
            .wrap(from_fn(require_auth))
            .service(resource("/user").route(web::get().to(stats::user)))
            .service(resource("/instances/{instance_id}").route(web::get().to(stats::instance)))
            .service(resource("/system").route(web::get().to(stats::system))),
    );
    if with_sim {
        cfg.service(
            web::scope("/api/sim/instances/{instance_id}")
                .wrap(from_fn(require_auth))
                .service(resource("/scan").route(web::post().to(sim::scan)))
                .service(resource("/fault").route(web::post().to(sim::fault)))
                .service(resource("/inbound").route(web::post().to(sim::inbound))),
        );
    }
}
