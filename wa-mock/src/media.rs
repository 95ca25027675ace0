//! WhatsApp's media servers: encrypted uploads are kept as they came and
//! served back by the path the upload answered with. Also the web client's
//! version file, for clients that look their version up.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use actix_web::{HttpRequest, HttpResponse, web};
use bytes::Bytes;
use serde_json::json;

use crate::world::World;

/// Largest upload accepted (WhatsApp's own limit for documents is 2 GB; tests
/// stay far below this).
pub const MAX_UPLOAD: usize = 256 * 1024 * 1024;
const BLOB_PREFIX: &str = "/mms-blob/";

#[derive(Default)]
pub struct MediaStore {
    blobs: Mutex<HashMap<String, Bytes>>,
    token: OnceLock<String>,
}

impl MediaStore {
    /// The `auth` of every media connection (URL-safe: clients paste it as is).
    pub fn auth_token(&self) -> &str {
        self.token
            .get_or_init(|| format!("{:032x}", rand::random::<u128>()))
    }

    /// Keeps an encrypted blob; its direct path.
    pub fn put(&self, blob: impl Into<Bytes>) -> String {
        let path = format!("{BLOB_PREFIX}{:032x}.enc", rand::random::<u128>());
        self.blobs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(path.clone(), blob.into());
        path
    }

    pub fn get(&self, path: &str) -> Option<Bytes> {
        self.blobs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(path)
            .cloned()
    }
}

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
