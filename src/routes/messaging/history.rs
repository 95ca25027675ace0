//! One chat's history, and the bytes of received media.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use crate::auth::AuthUser;
use crate::db;
use crate::db::messages::ChatFilter;
use crate::domain::time::{iso_millis, parse_iso};
use crate::error::{ApiError, ErrorCode};
use crate::routes::access::visible_instance;
use crate::routes::pagination::{Page, Pagination};
use crate::state::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HistoryQuery {
    limit: Option<i64>,
    skip: Option<i64>,
    start_date: Option<String>,
    end_date: Option<String>,
}

fn date(name: &str, value: Option<&str>) -> Result<Option<i64>, ApiError> {
    value
        .map(|raw| {
            parse_iso(raw).ok_or_else(|| {
                ApiError::validation(format!("{name} must be an ISO 8601 date or date-time"))
            })
        })
        .transpose()
}

/// One chat's message history, newest first.
///
/// Sent and received messages of the chat `chat_id` (a phone number or a JID such as
/// `79001234567@s.whatsapp.net` or `1234567890@g.us`), optionally between two dates.
#[utoipa::path(get, path = "/api/instances/{instance_id}/chats/{chat_id}/messages", tag = "messages",
    operation_id = "getChatHistory",
    params(
        ("instance_id" = String, Path, description = "Instance id (UUID)"),
        ("chat_id" = String, Path, description = "The chat: a phone number (79001234567) or a JID (79001234567@s.whatsapp.net, 1234567890@g.us)"),
        ("limit" = Option<i64>, Query, description = "Messages per page, 1-500 (default 50)"),
        ("skip" = Option<i64>, Query, description = "Messages to skip, 0 or more (default 0)"),
        ("startDate" = Option<String>, Query, description = "Only messages at or after this ISO 8601 date or date-time (e.g. 2026-11-01 or 2026-11-01T00:00:00Z)"),
        ("endDate" = Option<String>, Query, description = "Only messages at or before this ISO 8601 date or date-time"),
    ),
    responses(
        (status = 200, description = "A page of the chat's messages, newest first. `id` is the server's id, `messageId` WhatsApp's; `status` is pending, sent, delivered, read or failed for sent messages and received for received ones; `pushName` is the sender's WhatsApp name, null for sent messages (and received ones without a name)", body = serde_json::Value,
            example = json!({
                "messages": [{
                    "id": "0193a0c2-7b4d-7e21-8c3f-1a2b3c4d5e6f",
                    "instanceId": "0193a0c2-6f1e-7c3b-9a2d-4b8f2e1d0c5a",
                    "remoteJid": "79001234567@s.whatsapp.net",
                    "fromMe": true,
                    "messageType": "text",
                    "content": "Hello! How are you?",
                    "messageId": "3EB0C258F6AA7F19E2F2C2",
                    "hasMedia": false,
                    "pushName": null,
                    "status": "sent",
                    "createdAt": "2026-11-25T18:03:12.345Z"
                }],
                "pagination": {"total": 120, "limit": 50, "skip": 0, "hasMore": true}
            })),
        (status = 400, description = "Bad `limit`, `skip`, `startDate` or `endDate` (`validation_error`), a chat id that is not a phone number or JID (`invalid_phone`), or an unknown or malformed query parameter (`invalid_query`)", body = serde_json::Value,
            example = json!(crate::routes::openapi::error_example("validation_error", "limit must be between 1 and 500"))),
    ))]
pub async fn history(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
    query: web::Query<HistoryQuery>,
) -> Result<HttpResponse, ApiError> {
    let (instance_id, chat_id) = path.into_inner();
    let instance = visible_instance(&state, &user, &instance_id).await?;
    let chat = super::parse_jid(&chat_id)?;
    let page = Page::parse(query.limit, query.skip, 50, 500)?;
    let filter = ChatFilter {
        start: date("startDate", query.start_date.as_deref())?,
        end: date("endDate", query.end_date.as_deref())?,
    };
    state.recorder.flush().await;
    let (messages, total) = db::messages::history(
        &state.db,
        &instance.id,
        &chat.to_string(),
        &filter,
        page.limit,
        page.skip,
    )
    .await?;
    let messages: Vec<_> = messages
        .into_iter()
        .map(|m| {
            json!({
                "id": m.id,
                "instanceId": m.instance_id,
                "remoteJid": m.remote_jid,
                "fromMe": m.from_me,
                "messageType": m.message_type,
                "content": m.content,
                "messageId": m.message_id,
                "hasMedia": m.has_media,
                "pushName": m.push_name,
                "status": m.status,
                "createdAt": iso_millis(m.created_at),
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({
        "messages": messages,
        "pagination": Pagination::new(total, page),
    })))
}

/// The bytes of a received media message, when the session handed them over.
///
/// Download it by the message's `id` or its WhatsApp `messageId` (see the chat history).
/// The answer's `Content-Type` is the media's own (e.g. `image/jpeg`), and
/// `Content-Disposition: attachment` carries its file name.
#[utoipa::path(get, path = "/api/instances/{instance_id}/messages/{message_id}/media", tag = "messages",
    operation_id = "getMessageMedia",
    params(
        ("instance_id" = String, Path, description = "Instance id (UUID)"),
        ("message_id" = String, Path, description = "The message's `id` or its WhatsApp `messageId`"),
    ),
    responses(
        (status = 200, description = "The stored media bytes. The real `Content-Type` is the media's own mimetype (e.g. image/jpeg, application/pdf); application/octet-stream only when it is unknown",
            content_type = "*/*", body = Vec<u8>,
            headers(("Content-Disposition" = String, description = "`attachment; filename=\"<file name>\"`"))),
        (status = 404, description = "No such message (`message_not_found`), the message has no stored media (`media_not_stored`: not a media message, or its bytes were not received), or no such instance for this user (`instance_not_found`)", body = serde_json::Value,
            example = json!(crate::routes::openapi::error_example("media_not_stored", "this message has no stored media"))),
    ))]
pub async fn media(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (instance_id, message_id) = path.into_inner();
    let instance = visible_instance(&state, &user, &instance_id).await?;
    if !crate::domain::text::is_message_id(&message_id) {
        return Err(ApiError::new(
            ErrorCode::MessageNotFound,
            "message not found",
        ));
    }
    state.recorder.flush().await;
    let message = db::messages::find(&state.db, &instance.id, &message_id)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::MessageNotFound, "message not found"))?;
    let stored = message
        .media_path
        .as_deref()
        .filter(|p| !p.contains(".."))
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::MediaNotStored,
                "this message has no stored media",
            )
        })?;
    let bytes = tokio::fs::read(state.settings.server.data_dir.join("media").join(stored))
        .await
        .map_err(|_| {
            ApiError::new(
                ErrorCode::MediaNotStored,
                "this message has no stored media",
            )
        })?;
    let mimetype = message
        .media_mimetype
        .unwrap_or_else(|| "application/octet-stream".into());
    let filename: String = message
        .media_filename
        .unwrap_or_else(|| "file".into())
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok(HttpResponse::Ok()
        .content_type(mimetype)
        .insert_header((
            "content-disposition",
            format!("attachment; filename=\"{filename}\""),
        ))
        .body(bytes))
}
