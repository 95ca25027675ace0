//! One chat's history, and the bytes of received media.

use actix_web::{HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::messaging::{ChatFilter, MessageView};
use crate::domain::fields::Chat;
use crate::domain::user::AuthUser;
use crate::error::{ApiError, ErrorBody, ErrorCode};
use crate::routes::input;
use crate::routes::pagination::{Page, PageSize, Pagination};

pub const MESSAGES_PAGE: PageSize = PageSize {
    default: 50,
    max: 500,
};
use crate::http::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct MessagePage {
    messages: Vec<MessageView>,
    pagination: Pagination,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HistoryQuery {
    limit: Option<i64>,
    skip: Option<i64>,
    start_date: Option<String>,
    end_date: Option<String>,
}

/// One chat's message history, newest first.
///
/// Sent and received messages of the chat `chat_id` (a phone number or a JID such as
/// `79001234567@s.whatsapp.net` or `1234567890@g.us`), optionally between two dates.
#[utoipa::path(tag = "messages",
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
        (status = 200, description = "A page of the chat's messages, newest first. `id` is the server's id, `messageId` WhatsApp's; `status` is pending, sent, delivered, read or failed for sent messages, and received (or read, once this instance marked it read) for received ones; `revoked` marks a message deleted for everyone; `quotedMessageId`, `mentions`, `editedAt`, `location`, `contacts`, `poll` (with each option's votes) and `reactions` appear where they apply; `pushName` is the sender's WhatsApp name, null for sent messages (and received ones without a name); `remoteJid` names a person by phone number wherever the instance knows it (a chat begun under a LID joins the number's once WhatsApp tells it, and a LID as `chat_id` then reads the number's chat), and `senderLid` is a received message's sender's LID, null when unknown", body = MessagePage,
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
                    "senderLid": null,
                    "status": "sent",
                    "createdAt": "2026-11-25T18:03:12.345Z",
                    "revoked": false
                }, {
                    "id": "0193a0c2-7b4d-7e21-8c3f-1a2b3c4d5e70",
                    "instanceId": "0193a0c2-6f1e-7c3b-9a2d-4b8f2e1d0c5a",
                    "remoteJid": "79001234567@s.whatsapp.net",
                    "fromMe": false,
                    "messageType": "poll",
                    "content": "Lunch at noon?",
                    "messageId": "3EB0A1B2C3D4E5F6A7B8C9",
                    "hasMedia": false,
                    "pushName": "Ivan Ivanov",
                    "senderLid": "100000012345678@lid",
                    "status": "received",
                    "createdAt": "2026-11-25T18:01:02.003Z",
                    "revoked": false,
                    "quotedMessageId": "3EB0C258F6AA7F19E2F2C2",
                    "reactions": [{"from": "79001111111@s.whatsapp.net", "emoji": "👍"}],
                    "poll": {"question": "Lunch at noon?", "selectableCount": 1,
                             "options": [{"name": "Yes", "votes": 1}, {"name": "No", "votes": 0}]}
                }],
                "pagination": {"total": 120, "limit": 50, "skip": 0, "hasMore": true}
            })),
        (status = 400, description = "Bad `limit`, `skip`, `startDate` or `endDate` (`validation_error`), a chat id that is not a phone number or JID (`invalid_phone`), or an unknown or malformed query parameter (`invalid_query`)", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::ValidationError, "limit must be between 1 and 500"))),
    ))]
#[get("/chats/{chat_id}/messages")]
pub async fn chat_history(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
    query: web::Query<HistoryQuery>,
) -> Result<HttpResponse, ApiError> {
    let (instance_id, chat_id) = path.into_inner();
    let chat = Chat::from(chat_id.as_str()).parse()?;
    let page = Page::parse(query.limit, query.skip, MESSAGES_PAGE)?;
    let filter = ChatFilter {
        start: input::date("startDate", query.start_date.as_deref())?,
        end: input::date("endDate", query.end_date.as_deref())?,
    };
    let (messages, total) = state
        .app
        .messaging()
        .history(&user, &instance_id, &chat, &filter, page.limit, page.skip)
        .await?;
    Ok(HttpResponse::Ok().json(MessagePage {
        messages,
        pagination: Pagination::new(total, page),
    }))
}

/// The bytes of a received media message.
///
/// Download it by the message's `id` or its WhatsApp `messageId` (see the chat history).
/// The answer's `Content-Type` is the media's own (e.g. `image/jpeg`), and
/// `Content-Disposition: attachment` carries its file name. When the first download
/// failed (WhatsApp too slow, the session down), the message keeps where WhatsApp holds
/// the media: this downloads it again through the connected instance and keeps the file.
#[utoipa::path(tag = "messages",
    operation_id = "getMessageMedia",
    params(
        ("instance_id" = String, Path, description = "Instance id (UUID)"),
        ("message_id" = String, Path, description = "The message's `id` or its WhatsApp `messageId`"),
    ),
    responses(
        (status = 200, description = "The stored media bytes. The real `Content-Type` is the media's own mimetype (e.g. image/jpeg, application/pdf); application/octet-stream only when it is unknown",
            content_type = "*/*", body = Vec<u8>,
            headers(("Content-Disposition" = String, description = "`attachment; filename=\"<file name>\"`"))),
        (status = 404, description = "No such message (`message_not_found`), the message has no stored media (`media_not_stored`: not a media message, or its bytes were not received and WhatsApp did not hand them over again, e.g. expired), or no such instance for this user (`instance_not_found`)", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::MediaNotStored, "this message has no stored media"))),
        (status = 409, description = "The media is not stored yet and the instance is not connected to fetch it (`instance_not_connected`)", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::InstanceNotConnected, "the media is not stored yet, and the instance must be connected to fetch it"))),
        (status = 503, description = "WhatsApp's media servers did not answer within `whatsapp.media_fetch_timeout_ms` (`service_unavailable`)", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::ServiceUnavailable, "WhatsApp's media servers did not answer in time; try again"))),
    ))]
#[get("/messages/{message_id}/media")]
pub async fn message_media(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (instance_id, message_id) = path.into_inner();
    let stored = state
        .app
        .messaging()
        .media(&user, &instance_id, &message_id)
        .await?;
    let filename: String = stored
        .filename
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
        .content_type(stored.mimetype)
        .insert_header((
            "content-disposition",
            format!("attachment; filename=\"{filename}\""),
        ))
        .body(stored.bytes))
}
