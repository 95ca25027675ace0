//! HTTP routes. Each handler declares its method and path once (actix-web's
//! route attribute) beside its documentation (`#[utoipa::path]`); `mount` below
//! lists the handlers once, and that one list both mounts them and writes the
//! OpenAPI document (utoipa-actix-web), so the two cannot drift apart.
//!
//! A handler parses and validates its request, calls one service (`crate::app`)
//! and renders the answer. It never reaches the database, the recorder or an
//! actor itself (`tests/api/layers/` checks).

mod admin;
mod auth;
pub mod console;
mod events;
mod groups;
mod health;
mod input;
mod instances;
mod messaging;
mod metrics;
mod nodes;
pub mod openapi;
pub mod pagination;
#[cfg(feature = "sim")]
mod sim;
mod stats;
mod webhooks;

use std::collections::HashSet;

use actix_web::web;
use utoipa_actix_web::scope::scope;
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_swagger_ui::{Config as SwaggerConfig, SwaggerUi};

use crate::http::known_routes::KnownRoutes;
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
            .service(messaging::find_lid)
            .service(messaging::lid)
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

/// What the middleware needs to know of the routes: the methods of each path
/// template, as mounted (with the simulated network's routes), and which paths
/// take no credentials — the routes documented without security (all fixed
/// paths), Swagger UI, the console, and the node-to-node calls (signed with
/// `cluster.secret`, checked by the route itself).
pub fn known_routes() -> KnownRoutes {
    let document = document_for(true);
    let methods = document
        .paths
        .paths
        .iter()
        .map(|(path, item)| (path.clone(), openapi::methods(item)))
        .collect();
    let mut public: HashSet<String> = openapi::public_paths(&document).into_iter().collect();
    public.extend(["/docs".to_owned(), console::PATH.to_owned()]);
    let prefixes = vec!["/docs/", console::PREFIX, "/internal/cluster/"];
    KnownRoutes::new(methods, public, prefixes)
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
