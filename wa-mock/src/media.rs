//! WhatsApp's media servers: encrypted uploads are kept as they came and
//! served back by the path the upload answered with. Also the web client's
//! version file, for clients that look their version up.

use std::sync::Arc;

use actix_web::{HttpRequest, HttpResponse, web};
use bytes::Bytes;
use serde_json::json;

use crate::world::World;

/// Largest upload accepted (WhatsApp's own limit for documents is 2 GB; tests
/// stay far below this).
pub const MAX_UPLOAD: usize = 256 * 1024 * 1024;

/// `POST /mms/{kind}/{token}?auth=..&token=..` → `{"url", "direct_path"}`.
pub async fn upload(req: HttpRequest, body: Bytes, world: web::Data<Arc<World>>) -> HttpResponse {
    let query = req.query_string();
    if query.split('&').any(|pair| pair.starts_with("resume=")) {
        // No partial uploads are kept: the client sends the whole file.
        return HttpResponse::NotFound().json(json!({"error": "no upload to resume"}));
    }
    let auth_ok = query
        .split('&')
        .any(|pair| pair == format!("auth={}", world.media.auth_token()));
    if !auth_ok {
        return HttpResponse::Unauthorized().json(json!({"error": "bad media auth"}));
    }
    let path = world.media.put(body);
    HttpResponse::Ok().json(json!({
        "url": format!("https://{}{path}", world.address),
        "direct_path": path,
    }))
}

/// `GET /mms-blob/{name}` (any query): the blob as it was uploaded.
pub async fn download(req: HttpRequest, world: web::Data<Arc<World>>) -> HttpResponse {
    world.media.pass().await;
    match world.media.get(req.path()) {
        Some(blob) => HttpResponse::Ok()
            .content_type("application/octet-stream")
            .body(blob),
        None => HttpResponse::NotFound().finish(),
    }
}

/// `GET /sw.js`: where WhatsApp Web announces its current version.
pub async fn web_version() -> HttpResponse {
    let device = whatsapp_rust::wacore::store::Device::new();
    HttpResponse::Ok()
        .content_type("application/javascript")
        .body(format!(
            r#"self.__swData={{"dynamic_data":{{"SiteData":{{"client_revision":{}}}}}}};"#,
            device.app_version_tertiary
        ))
}
