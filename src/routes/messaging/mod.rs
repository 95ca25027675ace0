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
use crate::error::{ApiError, ErrorCode};
use crate::net::fetch::{FetchError, MediaFetcher};
use crate::net::guard::TargetError;
use crate::routes::access::{ask, live_instance, visible_instance, webhooks_durable};
use crate::state::AppState;
use crate::whatsapp::{MediaKind, OutgoingMedia};
pub use history::{__path_history, __path_media, history, media};
use idempotency::{IdempotencyKey, fingerprint};

/// WhatsApp's own limit for one text message.
const MAX_TEXT_CHARS: usize = 65_536;
const MAX_CAPTION_CHARS: usize = 1024;

fn invalid_phone() -> ApiError {
    ApiError::new(ErrorCode::InvalidPhone, InvalidPhone.to_string())
}

pub fn parse_jid(raw: &str) -> Result<Jid, ApiError> {
    Jid::parse(raw).map_err(|InvalidPhone| invalid_phone())
}

/// A person's number, not a group: what pairing and the simulated phone take.
pub fn parse_phone(raw: &str) -> Result<Jid, ApiError> {
    let jid = parse_jid(raw)?;
    if jid.is_group() {
        return Err(ApiError::new(
            ErrorCode::InvalidPhone,
            "phone must be a person's number, not a group",
        ));
    }
    Ok(jid)
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
        SendMessageError::NotConnected => ApiError::new(ErrorCode::InstanceNotConnected, message),
        SendMessageError::Rejected(_) => ApiError::new(ErrorCode::SendRejected, message),
        SendMessageError::Failed(_) => ApiError::new(ErrorCode::SendFailed, message),
        SendMessageError::Storage(_) => {
            ApiError::unavailable("the message could not be recorded; try again")
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

/// Send a text message.
///
/// `phone` is digits (optional leading `+`, spaces, dashes) or a JID ending in
/// `@s.whatsapp.net` / `@g.us`. Answers once WhatsApp took the message.
#[utoipa::path(post, path = "/api/whatsapp/{instance_id}/send", tag = "whatsapp", operation_id = "sendText",
    params(("instance_id" = String, Path, description = "Instance id (UUID)")),
    request_body(content = serde_json::Value, description = "`phone` (required) and `message` (required, 1-65536 characters); no other fields",
        example = json!({"phone": "79001234567", "message": "Hello! How are you?"})),
    responses(
        (status = 400, description = "Invalid body: `validation_error` (message empty or too long, missing or unknown field), `invalid_phone`, `invalid_json`, `invalid_idempotency_key`, or WhatsApp refused the message (`send_rejected`)", body = serde_json::Value,
            example = json!(crate::routes::openapi::error_example("invalid_phone", "phone must be 5-15 digits with an optional leading +, spaces, dashes or parentheses, or a JID ending in @s.whatsapp.net or @g.us"))),
        (status = 413, description = "The request body is larger than the server's JSON limit", body = serde_json::Value,
            example = json!(crate::routes::openapi::error_example("payload_too_large", "request body is larger than the limit of 1048576 bytes"))),
    ))]
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
            ApiError::new(ErrorCode::UrlNotAllowed, message)
        }
        FetchError::Target(TargetError::InvalidUrl) => {
            ApiError::validation(format!("url: {message}"))
        }
        FetchError::TooLarge(limit) => ApiError::payload_too_large(limit),
        _ => ApiError::new(ErrorCode::MediaFetchFailed, message),
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

/// Send media downloaded from a URL.
///
/// The server downloads `url` (http/https; private, loopback and link-local addresses
/// are refused unless the server allows them) and sends it as image, video, audio or
/// document according to its content type. `caption` (at most 1024 characters) and
/// `filename` (the name the recipient sees; default: the URL's last path segment) are optional.
#[utoipa::path(post, path = "/api/whatsapp/{instance_id}/send-media", tag = "whatsapp", operation_id = "sendMedia",
    params(("instance_id" = String, Path, description = "Instance id (UUID)")),
    request_body(content = serde_json::Value, description = "`phone` (required), `url` (required, absolute http(s) URL), `caption` and `filename` (optional); no other fields",
        example = json!({"phone": "79001234567", "url": "https://example.com/image.jpg", "caption": "Image caption", "filename": "image.jpg"})),
    responses(
        (status = 400, description = "Invalid body: `validation_error` (bad URL, caption too long, missing or unknown field), `invalid_phone`, `invalid_json`, `invalid_idempotency_key`; the URL points at a private address (`url_not_allowed`); or WhatsApp refused the message (`send_rejected`)", body = serde_json::Value,
            example = json!(crate::routes::openapi::error_example("url_not_allowed", "the URL points at a private, loopback or link-local address, which is not allowed"))),
        (status = 413, description = "The media (or the request body) is larger than the server's limit", body = serde_json::Value,
            example = json!(crate::routes::openapi::error_example("payload_too_large", "request body is larger than the limit of 67108864 bytes"))),
        (status = 422, description = "The media could not be downloaded: bad status, timeout, too many redirects, unresolvable host (`media_fetch_failed`); or this `Idempotency-Key` was already used for a different request (`idempotency_key_reused`)", body = serde_json::Value,
            example = json!(crate::routes::openapi::error_example("media_fetch_failed", "the media URL answered 404 Not Found"))),
    ))]
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

/// The send-file form as the OpenAPI document shows it; the handler reads the
/// parts itself, streamed, so nothing ever builds this.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct SendFileForm {
    /// Recipient: digits with an optional leading +, or a JID.
    #[schema(example = "79001234567")]
    phone: String,
    /// Optional, at most 1024 characters.
    caption: Option<String>,
    /// The file part, with its `filename` and `Content-Type`; not empty, at most
    /// `whatsapp.max_media_bytes` (64 MiB by default).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Send an uploaded file.
///
/// `multipart/form-data` with `phone`, optional `caption` and `file`. The file is sent
/// as image, video, audio or document according to its part's `Content-Type` (or, when
/// that is missing or `application/octet-stream`, its file name); the recipient sees the file name.
#[utoipa::path(post, path = "/api/whatsapp/{instance_id}/send-file", tag = "whatsapp", operation_id = "sendFile",
    params(("instance_id" = String, Path, description = "Instance id (UUID)")),
    request_body(content_type = "multipart/form-data", content = SendFileForm,
        description = "No fields besides these three."),
    responses(
        (status = 400, description = "Invalid form: `invalid_multipart` (not a readable multipart/form-data body), `validation_error` (missing `phone` or `file`, empty file, unknown field, caption too long), `invalid_phone`, `invalid_idempotency_key`, or WhatsApp refused the message (`send_rejected`)", body = serde_json::Value,
            example = json!(crate::routes::openapi::error_example("validation_error", "missing form field `file`"))),
        (status = 413, description = "The file is larger than the server's media limit", body = serde_json::Value,
            example = json!(crate::routes::openapi::error_example("payload_too_large", "request body is larger than the limit of 67108864 bytes"))),
    ))]
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

/// List the instance's contacts and groups.
///
/// Everyone the instance exchanged messages with or learnt from WhatsApp; `name` is the
/// number when no name is known.
#[utoipa::path(get, path = "/api/whatsapp/{instance_id}/contacts", tag = "whatsapp", operation_id = "listContacts",
    params(("instance_id" = String, Path, description = "Instance id (UUID)")),
    responses(
        (status = 200, description = "The contacts (`isGroup` is true for groups, whose `id` ends in `@g.us`)", body = serde_json::Value,
            example = json!({"contacts": [{"id": "79001234567@s.whatsapp.net", "name": "Ivan Ivanov", "number": "79001234567", "isGroup": false}]})),
    ))]
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
