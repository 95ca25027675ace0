//! `GET /console`: the web console, a page and its scripts compiled into the
//! binary (no CDN, no build step), under a Content-Security-Policy that allows
//! only this server's own files: no inline script or style, no other origin.

use std::sync::OnceLock;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::domain::text::echoed;
use crate::error::{ApiError, ErrorCode};
use crate::http::state::AppState;

/// Images: the QR code the page fetches with the caller's credentials arrives as
/// a `blob:`. Everything else comes from this server only.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self' blob:; connect-src 'self'; base-uri 'none'; \
     form-action 'none'; frame-ancestors 'none'";

/// `(path under /console/, content type, bytes)`.
const ASSETS: &[(&str, &str, &[u8])] = &[
    ("", HTML, include_bytes!("../../console/index.html")),
    (
        "console.css",
        CSS,
        include_bytes!("../../console/console.css"),
    ),
    ("js/main.js", JS, include_bytes!("../../console/js/main.js")),
    ("js/api.js", JS, include_bytes!("../../console/js/api.js")),
    ("js/dom.js", JS, include_bytes!("../../console/js/dom.js")),
    (
        "js/signin.js",
        JS,
        include_bytes!("../../console/js/signin.js"),
    ),
    (
        "js/instances.js",
        JS,
        include_bytes!("../../console/js/instances.js"),
    ),
    (
        "js/instance.js",
        JS,
        include_bytes!("../../console/js/instance.js"),
    ),
    (
        "js/settings.js",
        JS,
        include_bytes!("../../console/js/settings.js"),
    ),
    (
        "js/pairing.js",
        JS,
        include_bytes!("../../console/js/pairing.js"),
    ),
    (
        "js/messages.js",
        JS,
        include_bytes!("../../console/js/messages.js"),
    ),
    (
        "js/activity.js",
        JS,
        include_bytes!("../../console/js/activity.js"),
    ),
    (
        "js/deliveries.js",
        JS,
        include_bytes!("../../console/js/deliveries.js"),
    ),
    (
        "js/usage.js",
        JS,
        include_bytes!("../../console/js/usage.js"),
    ),
    (
        "js/admin.js",
        JS,
        include_bytes!("../../console/js/admin.js"),
    ),
];

const HTML: &str = "text/html; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";

/// The paths the console's assets answer on (the page itself at `/console/`).
pub fn asset_paths() -> impl Iterator<Item = String> {
    ASSETS.iter().map(|(path, _, _)| format!("/console/{path}"))
}

pub fn mount(cfg: &mut web::ServiceConfig) {
    cfg.service(web::redirect("/console", "/console/"))
        .route("/console/features.json", web::get().to(features))
        .route("/console/{path:.*}", web::get().to(asset));
}

/// The console's page and, below `PREFIX`, its files: served without credentials.
pub const PATH: &str = "/console";
pub const PREFIX: &str = "/console/";

async fn asset(request: HttpRequest, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let Some((index, (_, content_type, bytes))) = ASSETS
        .iter()
        .enumerate()
        .find(|(_, (name, _, _))| *name == path.as_str())
    else {
        return Err(ApiError::new(
            ErrorCode::RouteNotFound,
            format!("the console has no file {}", echoed(path.as_str())),
        ));
    };
    let etag = &etags()[index];
    let cached = request
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value == etag);
    let mut answer = if cached {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    answer
        .insert_header((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
        // Revalidated at every load (the server's default is no-store), so an
        // upgraded server is never shown with yesterday's scripts.
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::ETAG, etag.as_str()));
    Ok(if cached {
        answer.finish()
    } else {
        answer.content_type(*content_type).body(*bytes)
    })
}

fn etags() -> &'static [String] {
    static ETAGS: OnceLock<Vec<String>> = OnceLock::new();
    ETAGS.get_or_init(|| {
        ASSETS
            .iter()
            .map(|(_, _, bytes)| {
                let digest = Sha256::digest(bytes);
                format!("\"{}\"", hex::encode(&digest[..12]))
            })
            .collect()
    })
}

/// What the page adapts to: the simulated network's "scan" button, the nodes page.
#[derive(Serialize)]
struct Features {
    sim: bool,
    cluster: bool,
}

async fn features(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
        .json(Features {
            sim: state.app.has_sim(),
            cluster: state.app.cluster().is_some(),
        })
}
