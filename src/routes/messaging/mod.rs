//! Sending messages, reading chats and contacts.

mod history;
pub mod idempotency;
mod upload;

use actix::Addr;
use actix_multipart::Multipart;
use actix_web::{HttpRequest, HttpResponse, web};
use bytes::Bytes;
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::actors::instance::{InstanceActor, Outgoing, SendMessage, SendMessageError};
use crate::auth::AuthUser;
use crate::db;
use crate::domain::phone::{InvalidPhone, Jid};
use crate::error::ApiError;
use crate::net::fetch::{FetchError, MediaFetcher};
use crate::net::guard::TargetError;
use crate::routes::access::{ask, live_instance, visible_instance, webhooks_durable};
use crate::state::AppState;
use crate::whatsapp::{MediaKind, OutgoingMedia};
pub use history::{history, media};
use idempotency::{IdempotencyKey, fingerprint};

/// WhatsApp's own limit for one text message.
const MAX_TEXT_CHARS: usize = 65_536;
const MAX_CAPTION_CHARS: usize = 1024;

pub fn parse_jid(raw: &str) -> Result<Jid, ApiError> {
    Jid::parse(raw)
        .map_err(|InvalidPhone| ApiError::bad_request("invalid_phone", InvalidPhone.to_string()))
}

fn text(name: &str, value: &str, max: usize) -> Result<String, ApiError> {
    crate::domain::text::check_no_nul(name, value).map_err(ApiError::validation)?;
    let chars = value.chars().count();
    if value.trim().is_empty() || chars > max {
        return Err(ApiError::validation(format!(
            "{name} must be 1-{max} characters"
        )));
    }
    Ok(value.to_owned())
}

fn caption(value: Option<String>) -> Result<Option<String>, ApiError> {
    if let Some(caption) = &value {
        crate::domain::text::check_no_nul("caption", caption).map_err(ApiError::validation)?;
    }
    match value.filter(|c| !c.is_empty()) {
        Some(c) if c.chars().count() > MAX_CAPTION_CHARS => Err(ApiError::validation(format!(
            "caption must be at most {MAX_CAPTION_CHARS} characters"
        ))),
        other => Ok(other),
    }
}

fn send_error(err: SendMessageError) -> ApiError {
    let message = err.to_string();
    match err {
        SendMessageError::NotConnected => ApiError::conflict("instance_not_connected", message),
        SendMessageError::Rejected(_) => ApiError::bad_request("send_rejected", message),
        SendMessageError::Failed(_) => ApiError::BadGateway {
            code: "send_failed",
            message,
        },
        SendMessageError::Storage(_) => {
            ApiError::ServiceUnavailable("the message could not be recorded; try again")
        }
    }
}

/// Hands the message to the instance and shapes its answer.
async fn deliver(
    state: &AppState,
    instance: &Addr<InstanceActor>,
    to: Jid,
    content: Outgoing,
) -> Result<serde_json::Value, ApiError> {
    let id = ask(state, instance, SendMessage { to, content })
        .await?
        .map_err(send_error)?;
    webhooks_durable(state).await?;
    Ok(json!({ "id": id }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendText {
    phone: String,
    message: String,
}

pub async fn send(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Json<SendText>,
) -> Result<HttpResponse, ApiError> {
    let key = IdempotencyKey::from_headers(req.headers())?;
    let to = parse_jid(&body.phone)?;
    let message = text("message", &body.message, MAX_TEXT_CHARS)?;
    let instance = live_instance(&state, &user, &path)?;
    let print = fingerprint(&[b"send", to.to_string().as_bytes(), message.as_bytes()]);
    let sending = deliver(&state, &instance, to, Outgoing::Text(message));
    idempotency::once(&state, &path, key, &print, sending).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendMedia {
    phone: String,
    url: String,
    caption: Option<String>,
    filename: Option<String>,
}

fn fetch_error(err: FetchError) -> ApiError {
    let message = err.to_string();
    match err {
        FetchError::Target(TargetError::Private) => {
            ApiError::bad_request("url_not_allowed", message)
        }
        FetchError::Target(TargetError::InvalidUrl) => {
            ApiError::validation(format!("url: {message}"))
        }
        FetchError::TooLarge(limit) => ApiError::PayloadTooLarge { limit },
        _ => ApiError::Unprocessable {
            code: "media_fetch_failed",
            message,
        },
    }
}

/// The mimetype a file is sent with: what its source says, else what its name says.
fn mimetype_for(declared: Option<String>, filename: &str) -> String {
    declared
        .filter(|m| !m.is_empty() && m != "application/octet-stream")
        .unwrap_or_else(|| {
            mime_guess::from_path(filename)
                .first_or_octet_stream()
                .essence_str()
                .to_owned()
        })
}

pub async fn send_media(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<String>,
    fetcher: web::Data<MediaFetcher>,
    body: web::Json<SendMedia>,
) -> Result<HttpResponse, ApiError> {
    let key = IdempotencyKey::from_headers(req.headers())?;
    let SendMedia {
        phone,
        url,
        caption: raw_caption,
        filename,
    } = body.into_inner();
    let to = parse_jid(&phone)?;
    let caption = caption(raw_caption)?;
    crate::net::guard::http_target(&url).map_err(|e| ApiError::validation(format!("url: {e}")))?;
    let instance = live_instance(&state, &user, &path)?;
    let print = fingerprint(&[
        b"send-media",
        to.to_string().as_bytes(),
        url.as_bytes(),
        caption.as_deref().unwrap_or_default().as_bytes(),
        filename.as_deref().unwrap_or_default().as_bytes(),
    ]);
    let sending = async {
        let fetched = fetcher.fetch(&url).await.map_err(fetch_error)?;
        let name = filename
            .as_deref()
            .map(upload::sanitize_filename)
            .unwrap_or_else(|| upload::sanitize_filename(fetched.final_url.path()));
        let mimetype = mimetype_for(fetched.content_type, &name);
        let media = outgoing_media(fetched.bytes, mimetype, name, caption);
        deliver(&state, &instance, to, Outgoing::Media(media)).await
    };
    idempotency::once(&state, &path, key, &print, sending).await
}

fn outgoing_media(
    bytes: Bytes,
    mimetype: String,
    filename: String,
    caption: Option<String>,
) -> OutgoingMedia {
    OutgoingMedia {
        kind: MediaKind::for_mimetype(&mimetype),
        bytes,
        mimetype,
        filename,
        caption,
    }
}

pub async fn send_file(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<String>,
    form: Multipart,
) -> Result<HttpResponse, ApiError> {
    let key = IdempotencyKey::from_headers(req.headers())?;
    let instance = live_instance(&state, &user, &path)?;
    let upload = upload::read(form, state.settings.whatsapp.max_media_bytes).await?;
    let to = parse_jid(&upload.phone)?;
    let caption = caption(upload.caption)?;
    let file_digest = Sha256::digest(&upload.file);
    let print = fingerprint(&[
        b"send-file",
        to.to_string().as_bytes(),
        caption.as_deref().unwrap_or_default().as_bytes(),
        upload.filename.as_bytes(),
        &file_digest[..],
    ]);
    let mimetype = mimetype_for(upload.mimetype, &upload.filename);
    let media = outgoing_media(upload.file, mimetype, upload.filename, caption);
    let sending = deliver(&state, &instance, to, Outgoing::Media(media));
    idempotency::once(&state, &path, key, &print, sending).await
}

pub async fn contacts(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let instance = visible_instance(&state, &user, &path).await?;
    state.recorder.flush().await;
    let contacts: Vec<_> = db::contacts::list(&state.db, &instance.id)
        .await?
        .into_iter()
        .map(|c| {
            let name = if c.name.is_empty() {
                c.number.clone()
            } else {
                c.name
            };
            json!({"id": c.jid, "name": name, "number": c.number, "isGroup": c.is_group})
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "contacts": contacts })))
}
