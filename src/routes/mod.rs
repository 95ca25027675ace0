//! HTTP routes. Each handler declares its method and path once (actix-web's
//! route attribute) beside its documentation (`#[utoipa::path]`); `mount` below
//! lists the handlers once, and that one list both mounts them and writes the
//! OpenAPI document (utoipa-actix-web), so the two cannot drift apart.
//!
//! A handler parses and validates its request, calls one service (`crate::app`)
//! and renders the answer. It never reaches the database, the recorder or an
//! actor itself (`tests/api/layers.rs` checks).

mod admin;
pub(crate) mod answers;
mod auth;
pub mod console;
pub mod errors;
mod events;
pub mod extract;
pub mod forward;
mod groups;
mod health;
mod input;
mod instances;
mod messaging;
mod metrics;
mod nodes;
pub mod openapi;
pub mod pagination;
pub mod request_log;
#[cfg(feature = "sim")]
mod sim;
mod stats;
mod webhooks;

use std::collections::{BTreeMap, HashSet};
use std::sync::OnceLock;

use actix_web::web;
use utoipa_actix_web::scope::scope;
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_swagger_ui::{Config as SwaggerConfig, SwaggerUi};

use instances::control;

/// Every route: mounted by `configure`, documented by `document_for`.
#[cfg_attr(not(feature = "sim"), allow(unused_variables))]
fn mount(cfg: &mut ServiceConfig, with_sim: bool) {
    cfg.service(
        scope("/api/whatsapp/{instance_id}")
            .service(control::status)
            .service(messaging::send)
            .service(messaging::send_media)
            .service(messaging::send_file)
            .service(messaging::send_location)
            .service(messaging::send_contact)
            .service(messaging::send_poll)
            .service(messaging::react)
            .service(messaging::vote)
            .service(messaging::edit)
            .service(messaging::delete_for_everyone)
            .service(messaging::mark_read)
            .service(messaging::chat_presence)
            .service(messaging::presence)
            .service(messaging::check_numbers)
            .service(messaging::profile)
            .service(messaging::block)
            .service(messaging::unblock)
            .service(groups::list_groups)
            .service(groups::create_group)
            .service(groups::join_group)
            .service(groups::get_group)
            .service(groups::update_group)
            .service(groups::change_participants)
            .service(groups::get_invite)
            .service(groups::reset_invite)
            .service(groups::leave_group)
            .service(control::whatsapp_logout)
            .service(messaging::contacts)
            // The instance route's twin, documented as its alias (`openapi::shared`).
            .route("/qr", web::get().to(control::whatsapp_qr)),
    );
    cfg.service(
        scope("/api/instances/{instance_id}")
            .service(instances::get_instance)
            .service(instances::update_instance)
            .service(instances::delete_instance)
            .service(control::reconnect)
            .service(control::logout)
            .service(control::instance_qr)
            .service(control::pairing_code)
            .service(control::activity)
            .service(events::instance_events)
            .service(messaging::chat_history)
            .service(messaging::message_media)
            .service(webhooks::list_deliveries)
            .service(webhooks::retry_delivery),
    );
    // Fixed paths after the instance scopes: the hot routes (status, send) are
    // found first.
    cfg.service(health::health)
        .service(metrics::scrape)
        .service(openapi::openapi_document)
        .service(auth::login)
        .service(auth::me)
        .service(auth::rotate_api_key)
        .service(admin::create_user)
        .service(admin::list_users)
        .service(admin::update_user)
        .service(admin::delete_user)
        .service(nodes::list_nodes)
        .service(events::user_events)
        .service(instances::create_instance)
        .service(instances::list_instances)
        .service(stats::user_stats)
        .service(stats::instance_stats)
        .service(stats::system_stats);
    #[cfg(feature = "sim")]
    if with_sim {
        cfg.service(
            scope("/api/sim/instances/{instance_id}")
                .service(sim::scan)
                .service(sim::inbound)
                .service(sim::fault),
        );
    }
}

/// Mounts every route, the web console at `/console/` and Swagger UI at `/docs/`.
pub fn configure(cfg: &mut web::ServiceConfig, with_sim: bool) {
    mount(&mut ServiceConfig::new(cfg), with_sim);
    nodes::internal(cfg);
    console::mount(cfg);
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

/// The OpenAPI document of the routes `configure` mounts, built from the same list.
pub fn document_for(with_sim: bool) -> utoipa::openapi::OpenApi {
    use utoipa_actix_web::AppExt;
    let (_, mut document) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(openapi::base())
        .configure(|cfg| mount(cfg, with_sim))
        .split_for_parts();
    openapi::finish(&mut document);
    document
}

/// Path templates and the methods each answers, as mounted (with the simulated
/// network's routes).
pub fn route_table() -> &'static BTreeMap<String, Vec<&'static str>> {
    static TABLE: OnceLock<BTreeMap<String, Vec<&'static str>>> = OnceLock::new();
    TABLE.get_or_init(|| {
        document_for(true)
            .paths
            .paths
            .iter()
            .map(|(path, item)| (path.clone(), openapi::methods(item)))
            .collect()
    })
}

/// `(method, path template)` of every mounted route, the simulated network's
/// included when it is on.
pub fn inventory(with_sim: bool) -> Vec<(String, String)> {
    let document = document_for(with_sim);
    document
        .paths
        .paths
        .iter()
        .flat_map(|(path, item)| {
            openapi::methods(item)
                .into_iter()
                .map(move |method| (method.to_owned(), path.clone()))
        })
        .collect()
}

/// Whether a request path takes no credentials: the paths of the routes
/// documented without security (all fixed paths), the console and Swagger UI. Anything else,
/// unknown paths included, is authenticated first.
pub fn is_public_path(path: &str) -> bool {
    static PUBLIC: OnceLock<HashSet<String>> = OnceLock::new();
    path == "/docs"
        || path.starts_with("/docs/")
        || console::is_console_path(path)
        // Node to node: signed with `cluster.secret`, checked by the route itself.
        || path.starts_with("/internal/cluster/")
        || PUBLIC
            .get_or_init(|| {
                openapi::public_paths(&document_for(true))
                    .into_iter()
                    .collect()
            })
            .contains(path)
}
