//! Sending messages, reading chats and contacts.

pub(in crate::routes) mod changes;
pub(in crate::routes) mod history;
pub(in crate::routes) mod kinds;
pub(in crate::routes) mod lids;
pub(in crate::routes) mod people;
mod upload;

use actix_multipart::Multipart;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::app::Idempotent;
use crate::app::messaging::{ContactList, Content, SendAs};
use crate::domain::fields::{Caption, Chat, MediaUrl, MessageId, MessageText, PersonPhone};
use crate::domain::user::AuthUser;
use crate::error::{ApiError, ErrorBody, ErrorCode};
use crate::http::extract::Json;
use crate::http::state::AppState;
use crate::net::fetch::MediaFetcher;
use crate::routes::input::{self, REPLAYED_HEADER};
pub use changes::{delete_for_everyone, edit, react, vote};
pub use history::{chat_history, message_media};
pub use kinds::{send_contact, send_location, send_poll};
pub use lids::{find_lid, lid};
pub use people::{block, chat_presence, check_numbers, mark_read, presence, profile, unblock};

/// The answer as first given; a replay says so in `Idempotent-Replayed`.
pub(super) fn answer(sent: Idempotent) -> HttpResponse {
    let mut response = HttpResponse::build(
        actix_web::http::StatusCode::from_u16(sent.status)
            .unwrap_or(actix_web::http::StatusCode::OK),
    );
    if sent.replayed {
        response.insert_header((REPLAYED_HEADER, "true"));
    }
    response.content_type("application/json").body(sent.body)
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SendText {
    phone: Chat,
    message: MessageText,
    /// The WhatsApp id of a message of this instance to reply to.
    quoted_message_id: Option<MessageId>,
    /// Numbers the text mentions (write them as `@79001234567` in the text too).
    #[schema(max_items = 256)]
    mentions: Option<Vec<PersonPhone>>,
}

/// Most people one text mentions (a group's size).
const MAX_MENTIONS: usize = 256;

/// The message a send replies to, checked.
fn quoted(raw: Option<MessageId>) -> Result<Option<String>, ApiError> {
    Ok(raw.map(|id| id.parse("quotedMessageId")).transpose()?)
}

/// How a file goes out, checked (`as`).
fn send_as(raw: Option<&str>) -> Result<Option<SendAs>, ApiError> {
    raw.map(|raw| match raw {
        "voice" => Ok(SendAs::Voice),
        "sticker" => Ok(SendAs::Sticker),
        "document" => Ok(SendAs::Document),
        _ => Err(ApiError::validation(
            "as must be \"voice\", \"sticker\" or \"document\"",
        )),
    })
    .transpose()
}

/// Send a text message.
///
/// `phone` is digits (optional leading `+`, spaces, dashes) or a JID ending in
/// `@s.whatsapp.net` / `@g.us`. Answers once WhatsApp took the message.
#[utoipa::path(tag = "whatsapp", operation_id = "sendText",
    params(("instance_id" = String, Path, description = "Instance id (UUID)")),
    request_body(content = SendText, description = "`phone` (required) and `message` (required, 1-65536 characters); no other fields",
        example = json!({"phone": "79001234567", "message": "Hello! How are you?"})),
    responses(
        (status = 400, description = "Invalid body: `validation_error` (message empty or too long, missing or unknown field), `invalid_phone`, `invalid_json`, `invalid_idempotency_key`, or WhatsApp refused the message (`send_rejected`)", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::InvalidPhone, "phone must be 5-15 digits with an optional leading +, spaces, dashes or parentheses, or a JID ending in @s.whatsapp.net, @lid or @g.us"))),
        (status = 413, description = "The request body is larger than the server's JSON limit", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::PayloadTooLarge, "request body is larger than the limit of 1048576 bytes"))),
    ))]
#[post("/send")]
pub async fn send(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<String>,
    fetcher: web::Data<MediaFetcher>,
    body: Json<SendText>,
) -> Result<HttpResponse, ApiError> {
    let key = input::idempotency_key(req.headers())?;
    let body = body.into_inner();
    let to = body.phone.parse()?;
    let text = body.message.parse()?;
    let mentions = body.mentions.unwrap_or_default();
    if mentions.len() > MAX_MENTIONS {
        return Err(ApiError::validation(format!(
            "mentions must hold at most {MAX_MENTIONS} numbers"
        )));
    }
    let mentions = mentions
        .iter()
        .map(PersonPhone::parse)
        .collect::<Result<Vec<_>, _>>()?;
    let content = Content::Text {
        text,
        quoted: quoted(body.quoted_message_id)?,
        mentions,
    };
    let sent = state
        .app
        .messaging()
        .send(&user, &path, key, to, content, &fetcher)
        .await?;
    Ok(answer(sent))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SendMedia {
    phone: Chat,
    url: MediaUrl,
    caption: Option<Caption>,
    filename: Option<String>,
    /// Send as a voice note (audio), a sticker (webp) or a document, not as the type says.
    #[serde(rename = "as")]
    send_as: Option<SendAs>,
    /// The WhatsApp id of a message of this instance to reply to.
    quoted_message_id: Option<MessageId>,
}

/// Send media downloaded from a URL.
///
/// The server downloads `url` (http/https; private, loopback and link-local addresses
/// are refused unless the server allows them) and sends it as image, video, audio or
/// document according to its content type. `caption` (at most 1024 characters) and
/// `filename` (the name the recipient sees; default: the URL's last path segment) are optional.
#[utoipa::path(tag = "whatsapp", operation_id = "sendMedia",
    params(("instance_id" = String, Path, description = "Instance id (UUID)")),
    request_body(content = SendMedia, description = "`phone` (required), `url` (required, absolute http(s) URL), `caption` and `filename` (optional); no other fields",
        example = json!({"phone": "79001234567", "url": "https://example.com/image.jpg", "caption": "Image caption", "filename": "image.jpg"})),
    responses(
        (status = 400, description = "Invalid body: `validation_error` (bad URL, caption too long, missing or unknown field), `invalid_phone`, `invalid_json`, `invalid_idempotency_key`; the URL points at a private address (`url_not_allowed`); or WhatsApp refused the message (`send_rejected`)", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::UrlNotAllowed, "the URL points at a private, loopback or link-local address, which is not allowed"))),
        (status = 413, description = "The media (or the request body) is larger than the server's limit", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::PayloadTooLarge, "request body is larger than the limit of 67108864 bytes"))),
        (status = 422, description = "The media could not be downloaded: bad status, timeout, too many redirects, unresolvable host (`media_fetch_failed`); or this `Idempotency-Key` was already used for a different request (`idempotency_key_reused`)", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::MediaFetchFailed, "the media URL answered 404 Not Found"))),
    ))]
#[post("/send-media")]
pub async fn send_media(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<String>,
    fetcher: web::Data<MediaFetcher>,
    body: Json<SendMedia>,
) -> Result<HttpResponse, ApiError> {
    let key = input::idempotency_key(req.headers())?;
    let SendMedia {
        phone,
        url,
        caption,
        filename,
        send_as,
        quoted_message_id,
    } = body.into_inner();
    let to = phone.parse()?;
    let caption = caption.map(Caption::parse).transpose()?.flatten();
    let url = url.parse()?;
    crate::net::guard::http_target(&url).map_err(|e| ApiError::validation(format!("url: {e}")))?;
    let content = Content::MediaUrl {
        url,
        caption,
        filename,
        send_as,
        quoted: quoted(quoted_message_id)?,
    };
    let sent = state
        .app
        .messaging()
        .send(&user, &path, key, to, content, &fetcher)
        .await?;
    Ok(answer(sent))
}

/// The send-file form as the OpenAPI document shows it; the handler reads the
/// parts itself, streamed, so nothing ever builds this.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct SendFileForm {
    /// Recipient: digits with an optional leading +, or a JID.
    phone: Chat,
    /// Optional, at most 1024 characters.
    caption: Option<Caption>,
    /// Optional: `voice`, `sticker` or `document`.
    #[schema(rename = "as", nullable = false)]
    send_as: Option<SendAs>,
    /// Optional: the WhatsApp id of a message of this instance to reply to.
    #[schema(rename = "quotedMessageId", nullable = false)]
    quoted_message_id: Option<MessageId>,
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
/// The file is written to a temporary file as it arrives (never held whole in memory
/// while it uploads, whatever `Content-Length` says), and read into memory to be sent
/// one media limit's worth at a time server-wide: uploads past that wait their turn.
#[utoipa::path(tag = "whatsapp", operation_id = "sendFile",
    params(("instance_id" = String, Path, description = "Instance id (UUID)")),
    request_body(content_type = "multipart/form-data", content = SendFileForm,
        description = "No fields besides these three."),
    responses(
        (status = 400, description = "Invalid form: `invalid_multipart` (not a readable multipart/form-data body), `validation_error` (missing `phone` or `file`, empty file, unknown field, caption too long), `invalid_phone`, `invalid_idempotency_key`, or WhatsApp refused the message (`send_rejected`)", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::ValidationError, "missing form field `file`"))),
        (status = 408, description = "The body stalled for `limits.upload_idle_timeout_secs` (30 s by default) or was not whole after `limits.upload_timeout_secs` (600 s); nothing is sent", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::RequestTimeout, "the request body did not arrive in time"))),
        (status = 413, description = "The file is larger than the server's media limit", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::PayloadTooLarge, "request body is larger than the limit of 67108864 bytes"))),
        (status = 429, description = "The server (`limits.uploads_in_flight`) or the caller (`limits.uploads_in_flight_per_user`) has as many uploads in flight as it may; see `Retry-After`", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::RateLimited, "too many requests, retry in 1 s"))),
    ))]
#[post("/send-file")]
pub async fn send_file(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<String>,
    fetcher: web::Data<MediaFetcher>,
    form: Multipart,
) -> Result<HttpResponse, ApiError> {
    let key = input::idempotency_key(req.headers())?;
    let messaging = state.app.messaging();
    // Before reading what may be a large upload.
    messaging.check_sender(&user, &path)?;
    let (_in_flight, clock) = state.uploads.enter(&user.id)?;
    let settings = state.app.settings();
    let rules = upload::UploadRules {
        max_file_bytes: settings.whatsapp.max_media_bytes,
        spool_dir: &settings.server.data_dir.join("uploads"),
        clock,
    };
    let upload = upload::read(form, rules).await?;
    let to = upload.phone.parse()?;
    let send_as = send_as(upload.send_as.as_deref())?;
    let quoted = quoted(upload.quoted_message_id)?;
    let caption = upload.caption.map(Caption::parse).transpose()?.flatten();
    // Held until the message is sent: uploads past the memory budget wait here,
    // in their temporary files.
    let _in_memory = state.uploads.hold_in_memory(upload.file.len()).await?;
    let content = Content::File {
        send_as,
        quoted,
        bytes: upload.file.into_bytes().await?,
        filename: upload.filename,
        mimetype: upload.mimetype,
        caption,
    };
    let sent = messaging
        .send(&user, &path, key, to, content, &fetcher)
        .await?;
    Ok(answer(sent))
}

/// List the instance's contacts and groups.
///
/// Everyone the instance exchanged messages with or learnt from WhatsApp; `name` is the
/// number when no name is known. A person is one contact, named by phone number once
/// known, with the LID WhatsApp also names them by in `lid` (null when unknown; a
/// person known only by LID has it as `id` and `lid`).
#[utoipa::path(tag = "whatsapp", operation_id = "listContacts",
    params(("instance_id" = String, Path, description = "Instance id (UUID)")),
    responses(
        (status = 200, description = "The contacts (`isGroup` is true for groups, whose `id` ends in `@g.us`)", body = ContactList,
            example = json!({"contacts": [{"id": "79001234567@s.whatsapp.net", "name": "Ivan Ivanov", "number": "79001234567", "isGroup": false, "lid": "100000012345678@lid"}]})),
    ))]
#[get("/contacts")]
pub async fn contacts(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let contacts = state.app.messaging().contacts(&user, &path).await?;
    Ok(HttpResponse::Ok().json(contacts))
}
