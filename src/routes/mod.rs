//! HTTP routes. Each route is listed once, in `routes!` below: the list mounts
//! them and also tells what is mounted (`inventory`), which the OpenAPI test
//! checks against the published document.

pub mod access;
mod admin;
mod auth;
pub mod errors;
mod events;
mod health;
mod instances;
mod messaging;
mod metrics;
pub mod openapi;
pub mod pagination;
mod sim;
mod stats;
mod webhooks;

use actix_web::middleware::from_fn;
use actix_web::{Resource, web};
use utoipa_swagger_ui::{Config as SwaggerConfig, SwaggerUi};

use crate::auth::extractor::require_auth;
use instances::control;

/// A route path whose unsupported methods answer 405 JSON (not the app's 404).
///
/// Handlers put `AuthUser`/`AdminUser` before any body extractor, so that the
/// role check answers before body validation does.
pub fn resource(path: &str) -> Resource {
    web::resource(path).default_service(web::to(errors::method_not_allowed))
}

/// `public` routes take no credentials; `auth` routes authenticate first
/// (401 before anything else), then count the call for the statistics.
///
/// Routes are grouped by path prefix; a non-empty prefix becomes one actix scope,
/// so a request is matched against a few prefixes, then its scope's few routes,
/// rather than against every route pattern in turn (the router, the request span
/// and the HTTP metrics each match the path).
macro_rules! routes {
    ($mount:ident, $inventory:ident;
     $( $prefix:literal => {
         $( $access:ident $path:literal => { $( $method:ident: $handler:path ),+ $(,)? } )*
     } )*) => {
        fn $mount(cfg: &mut web::ServiceConfig) {
            $(
                let group = |cfg: &mut web::ServiceConfig| {
                    $( cfg.service(routes!(@resource $access $path) $( .route(web::$method().to($handler)) )+ ); )*
                };
                if $prefix.is_empty() {
                    group(cfg);
                } else {
                    cfg.service(web::scope($prefix).configure(group));
                }
            )*
        }

        /// Every route `$mount` mounts.
        fn $inventory() -> Vec<Mounted> {
            vec![ $( $( $( Mounted {
                method: stringify!($method),
                path: concat!($prefix, $path),
                public: routes!(@public $access),
            } ),+ ),* ),* ]
        }
    };
    (@resource public $path:literal) => { resource($path) };
    (@resource auth $path:literal) => { resource($path).wrap(from_fn(require_auth)) };
    (@public public) => { true };
    (@public auth) => { false };
}

routes! { mount_api, api_inventory;
    "" => {
        public "/health" => { get: health::health }
        public "/metrics" => { get: metrics::scrape }
        public "/api/openapi.json" => { get: openapi::document }
        public "/api/auth/login" => { post: auth::login }
        auth "/api/auth/me" => { get: auth::me }
        auth "/api/auth/api-key/rotate" => { post: auth::rotate_api_key }
        auth "/api/admin/users" => { post: admin::create_user, get: admin::list_users }
        auth "/api/admin/users/{user_id}" => { patch: admin::update_user, delete: admin::delete_user }
        auth "/api/instances" => { post: instances::create, get: instances::list }
        auth "/api/stats/user" => { get: stats::user }
        auth "/api/stats/instances/{instance_id}" => { get: stats::instance }
        auth "/api/stats/system" => { get: stats::system }
    }
    "/api/whatsapp/{instance_id}" => {
        auth "/status" => { get: control::status }
        auth "/send" => { post: messaging::send }
        auth "/send-media" => { post: messaging::send_media }
        auth "/send-file" => { post: messaging::send_file }
        auth "/qr" => { get: control::whatsapp_qr }
        auth "/logout" => { post: control::whatsapp_logout }
        auth "/contacts" => { get: messaging::contacts }
    }
    "/api/instances/{instance_id}" => {
        auth "" => { get: instances::get, put: instances::update, delete: instances::delete }
        auth "/reconnect" => { post: control::reconnect }
        auth "/logout" => { post: control::logout }
        auth "/qr" => { get: control::qr }
        auth "/pairing-code" => { post: control::pairing_code }
        auth "/activity" => { get: control::activity }
        auth "/events" => { get: events::events }
        auth "/chats/{chat_id}/messages" => { get: messaging::history }
        auth "/messages/{message_id}/media" => { get: messaging::media }
        auth "/webhooks/deliveries" => { get: webhooks::list }
        auth "/webhooks/deliveries/{delivery_id}/retry" => { post: webhooks::retry }
    }
}

routes! { mount_sim, sim_inventory;
    "/api/sim/instances/{instance_id}" => {
        auth "/scan" => { post: sim::scan }
        auth "/inbound" => { post: sim::inbound }
        auth "/fault" => { post: sim::fault }
    }
}

pub fn configure(cfg: &mut web::ServiceConfig, with_sim: bool) {
    mount_api(cfg);
    if with_sim {
        mount_sim(cfg);
    }
    mount_docs(cfg);
}

/// Swagger UI at `/docs/`, from assets compiled into the binary (no CDN), reading
/// the document `/api/openapi.json` serves.
fn mount_docs(cfg: &mut web::ServiceConfig) {
    cfg.service(web::redirect("/docs", "/docs/"));
    cfg.service(
        SwaggerUi::new("/docs/{_:.*}").config(
            SwaggerConfig::new(["/api/openapi.json"])
                .persist_authorization(true)
                .try_it_out_enabled(true),
        ),
    );
}

/// A mounted route: its method (lower case), path template and whether it takes
/// no credentials.
#[derive(Debug, Clone, Copy)]
pub struct Mounted {
    pub method: &'static str,
    pub path: &'static str,
    pub public: bool,
}

/// `(method, path)` of every mounted route, the simulated network's included
/// when it is on.
pub fn inventory(with_sim: bool) -> Vec<(&'static str, &'static str)> {
    mounted(with_sim)
        .into_iter()
        .map(|route| (route.method, route.path))
        .collect()
}

fn mounted(with_sim: bool) -> Vec<Mounted> {
    let mut routes = api_inventory();
    if with_sim {
        routes.extend(sim_inventory());
    }
    routes
}

/// Whether the route takes no credentials (unknown routes count as secured).
pub fn is_public(method: &str, path: &str) -> bool {
    mounted(true)
        .iter()
        .any(|route| route.public && route.method == method && route.path == path)
}
