//! Read marks, typing and online states, and what WhatsApp knows of people:
//! whether numbers exist, profiles, the block list.

use actix_web::{HttpResponse, delete, get, post, put, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::answers::Success;
use crate::domain::fields::{Chat, MessageId, PersonPhone};
use crate::domain::user::AuthUser;
use crate::error::{ApiError, ErrorBody, ErrorCode};
use crate::http::extract::Json;
use crate::http::state::AppState;
use crate::whatsapp::{Availability, ChatState};

/// Most numbers one check takes.
pub const MAX_NUMBERS: usize = 50;
/// Most message ids one read mark names.
pub const MAX_READ_IDS: usize = 1000;

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MarkRead {
    /// The received messages to mark (WhatsApp ids); absent: every unread one of the chat.
    #[schema(max_items = 1000, example = json!(["3EB0C258F6AA7F19E2F2C2"]))]
    message_ids: Option<Vec<MessageId>>,
}

#[derive(Serialize, ToSchema)]
pub struct ReadCount {
    /// How many received messages were marked read.
    read: usize,
}

/// Mark a chat's received messages read.
///
/// Sends read receipts (blue ticks) for the named received messages, or for every one not
/// yet marked; their `status` in the history becomes `read`.
#[utoipa::path(tag = "whatsapp", operation_id = "markChatRead",
    params(
        ("instance_id" = String, Path, description = "Instance id (UUID)"),
        ("chat_id" = String, Path, description = "The chat: a phone number or a JID"),
    ),
    request_body(content = MarkRead, example = json!({"messageIds": ["3EB0C258F6AA7F19E2F2C2"]})),
    responses(
        (status = 200, description = "How many messages were marked read", body = ReadCount, example = json!({"read": 3})),
        (status = 400, description = "`validation_error` (a malformed id, more than 1000), `invalid_phone`, `invalid_json`", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::ValidationError, "messageIds must hold at most 1000 ids"))),
        (status = 409, description = "The instance is not connected (`instance_not_connected`)", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::InstanceNotConnected, "the instance is not connected to WhatsApp"))),
    ))]
#[post("/chats/{chat_id}/read")]
pub async fn mark_read(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
    body: Json<MarkRead>,
) -> Result<HttpResponse, ApiError> {
    let (instance_id, chat) = path.into_inner();
    let chat = Chat::from(chat.as_str()).parse()?;
    let ids = body.into_inner().message_ids;
    let ids = match ids {
        Some(ids) if ids.len() > MAX_READ_IDS => {
            return Err(ApiError::validation(format!(
                "messageIds must hold at most {MAX_READ_IDS} ids"
            )));
        }
        Some(ids) => Some(MessageId::parse_all("messageIds", ids)?),
        None => None,
    };
    let read = state
        .app
        .people()
        .mark_read(&user, &instance_id, chat, ids)
        .await?;
    Ok(HttpResponse::Ok().json(read))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChatPresence {
    state: ChatStateInput,
}

/// What the chat shows: typing, recording audio, or neither.
#[derive(Deserialize, ToSchema, Clone, Copy)]
#[serde(rename_all = "snake_case")]
pub enum ChatStateInput {
    Composing,
    Recording,
    Paused,
}

/// Show "typing…" or "recording audio…" in a chat, or stop.
#[utoipa::path(tag = "whatsapp", operation_id = "setChatPresence",
    params(
        ("instance_id" = String, Path, description = "Instance id (UUID)"),
        ("chat_id" = String, Path, description = "The chat: a phone number or a JID"),
    ),
    request_body(content = ChatPresence, example = json!({"state": "composing"})),
    responses(
        (status = 200, description = "Sent", body = Success, example = json!({"success": true})),
        (status = 400, description = "`validation_error` (an unknown state), `invalid_phone`, `invalid_json`", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::InvalidJson, "state: unknown variant `typing`, expected one of `composing`, `recording`, `paused`"))),
        (status = 409, description = "The instance is not connected (`instance_not_connected`)", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::InstanceNotConnected, "the instance is not connected to WhatsApp"))),
    ))]
#[post("/chats/{chat_id}/presence")]
pub async fn chat_presence(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
    body: Json<ChatPresence>,
) -> Result<HttpResponse, ApiError> {
    let (instance_id, chat) = path.into_inner();
    let chat = Chat::from(chat.as_str()).parse()?;
    let chat_state = match body.state {
        ChatStateInput::Composing => ChatState::Composing,
        ChatStateInput::Recording => ChatState::Recording,
        ChatStateInput::Paused => ChatState::Paused,
    };
    state
        .app
        .people()
        .chat_state(&user, &instance_id, chat, chat_state)
        .await?;
    Ok(HttpResponse::Ok().json(Success::OK))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Presence {
    state: AvailabilityInput,
}

/// Online, or away.
#[derive(Deserialize, ToSchema, Clone, Copy)]
#[serde(rename_all = "snake_case")]
pub enum AvailabilityInput {
    Available,
    Unavailable,
}

/// Appear online or away to every contact.
#[utoipa::path(tag = "whatsapp", operation_id = "setPresence",
    params(("instance_id" = String, Path, description = "Instance id (UUID)")),
    request_body(content = Presence, example = json!({"state": "available"})),
    responses(
        (status = 200, description = "Sent", body = Success, example = json!({"success": true})),
        (status = 400, description = "`invalid_json` (an unknown state)", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::InvalidJson, "state: unknown variant `away`, expected `available` or `unavailable`"))),
        (status = 409, description = "The instance is not connected (`instance_not_connected`)", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::InstanceNotConnected, "the instance is not connected to WhatsApp"))),
    ))]
#[post("/presence")]
pub async fn presence(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: Json<Presence>,
) -> Result<HttpResponse, ApiError> {
    let availability = match body.state {
        AvailabilityInput::Available => Availability::Available,
        AvailabilityInput::Unavailable => Availability::Unavailable,
    };
    state
        .app
        .people()
        .presence(&user, &path, availability)
        .await?;
    Ok(HttpResponse::Ok().json(Success::OK))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckNumbers {
    /// 1 to 50 phone numbers.
    #[schema(min_items = 1, max_items = 50, example = json!(["79001234567"]))]
    phones: Vec<PersonPhone>,
}

#[derive(Serialize, ToSchema)]
pub struct NumberResult {
    /// The number's digits.
    phone: String,
    exists: bool,
    /// The JID to write to; null when the number has no WhatsApp.
    jid: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct NumberResults {
    results: Vec<NumberResult>,
}

/// Check which numbers have WhatsApp.
#[utoipa::path(tag = "whatsapp", operation_id = "checkNumbers",
    params(("instance_id" = String, Path, description = "Instance id (UUID)")),
    request_body(content = CheckNumbers, example = json!({"phones": ["79001234567", "79007654321"]})),
    responses(
        (status = 200, description = "One result per number, in the order given", body = NumberResults,
            example = json!({"results": [{"phone": "79001234567", "exists": true, "jid": "79001234567@s.whatsapp.net"}, {"phone": "79007654321", "exists": false, "jid": null}]})),
        (status = 400, description = "`validation_error` (no numbers or more than 50), `invalid_phone` (naming which), `invalid_json`", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::ValidationError, "phones must hold 1-50 numbers"))),
        (status = 409, description = "The instance is not connected (`instance_not_connected`)", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::InstanceNotConnected, "the instance is not connected to WhatsApp"))),
    ))]
#[post("/check-numbers")]
pub async fn check_numbers(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: Json<CheckNumbers>,
) -> Result<HttpResponse, ApiError> {
    let phones = &body.phones;
    if phones.is_empty() || phones.len() > MAX_NUMBERS {
        return Err(ApiError::validation(format!(
            "phones must hold 1-{MAX_NUMBERS} numbers"
        )));
    }
    let phones = phones
        .iter()
        .enumerate()
        .map(|(index, raw)| {
            raw.parse().map_err(|_| {
                ApiError::new(
                    ErrorCode::InvalidPhone,
                    format!("phones[{index}] is not a phone number: 5-15 digits with an optional leading +, spaces, dashes or parentheses"),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let results = state
        .app
        .people()
        .check_numbers(&user, &path, phones)
        .await?
        .into_iter()
        .map(|check| NumberResult {
            phone: check.phone.user().to_owned(),
            exists: check.exists,
            jid: check.jid.map(|jid| jid.to_string()),
        })
        .collect();
    Ok(HttpResponse::Ok().json(NumberResults { results }))
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProfileView {
    jid: String,
    /// The name the person gave WhatsApp, or the one this instance learnt; null when unknown.
    name: Option<String>,
    /// Their "about" text; null when hidden or unset.
    about: Option<String>,
    /// A temporary URL of their profile picture; null when hidden or unset.
    picture_url: Option<String>,
}

/// Read a contact's profile.
#[utoipa::path(tag = "whatsapp", operation_id = "getProfile",
    params(
        ("instance_id" = String, Path, description = "Instance id (UUID)"),
        ("phone" = String, Path, description = "The person: a phone number or JID"),
    ),
    responses(
        (status = 200, description = "What WhatsApp shows of the person (`null` where hidden or unknown)", body = ProfileView,
            example = json!({"jid": "79001234567@s.whatsapp.net", "name": "Ivan Ivanov", "about": "Hey there! I am using WhatsApp.", "pictureUrl": null})),
        (status = 400, description = "`invalid_phone`", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::InvalidPhone, "phone must be a person's number, not a group"))),
        (status = 409, description = "The instance is not connected (`instance_not_connected`)", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::InstanceNotConnected, "the instance is not connected to WhatsApp"))),
    ))]
#[get("/contacts/{phone}/profile")]
pub async fn profile(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (instance_id, phone) = path.into_inner();
    let person = PersonPhone::from(phone.as_str()).parse()?;
    let profile = state
        .app
        .people()
        .profile(&user, &instance_id, person.clone())
        .await?;
    Ok(HttpResponse::Ok().json(ProfileView {
        jid: person.to_string(),
        name: profile.name,
        about: profile.about,
        picture_url: profile.picture_url,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct Blocked {
    blocked: bool,
}

async fn set_blocked(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
    blocked: bool,
) -> Result<HttpResponse, ApiError> {
    let (instance_id, phone) = path.into_inner();
    let person = PersonPhone::from(phone.as_str()).parse()?;
    state
        .app
        .people()
        .set_blocked(&user, &instance_id, person, blocked)
        .await?;
    Ok(HttpResponse::Ok().json(Blocked { blocked }))
}

/// Block a contact: their messages no longer arrive.
#[utoipa::path(tag = "whatsapp", operation_id = "blockContact",
    params(
        ("instance_id" = String, Path, description = "Instance id (UUID)"),
        ("phone" = String, Path, description = "The person: a phone number or JID"),
    ),
    responses(
        (status = 200, description = "Blocked", body = Blocked, example = json!({"blocked": true})),
        (status = 400, description = "`invalid_phone`", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::InvalidPhone, "phone must be a person's number, not a group"))),
        (status = 409, description = "The instance is not connected (`instance_not_connected`)", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::InstanceNotConnected, "the instance is not connected to WhatsApp"))),
    ))]
#[put("/contacts/{phone}/block")]
pub async fn block(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    set_blocked(state, user, path, true).await
}

/// Unblock a contact.
#[utoipa::path(tag = "whatsapp", operation_id = "unblockContact",
    params(
        ("instance_id" = String, Path, description = "Instance id (UUID)"),
        ("phone" = String, Path, description = "The person: a phone number or JID"),
    ),
    responses(
        (status = 200, description = "Unblocked", body = Blocked, example = json!({"blocked": false})),
        (status = 400, description = "`invalid_phone`", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::InvalidPhone, "phone must be a person's number, not a group"))),
        (status = 409, description = "The instance is not connected (`instance_not_connected`)", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::InstanceNotConnected, "the instance is not connected to WhatsApp"))),
    ))]
#[delete("/contacts/{phone}/block")]
pub async fn unblock(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    set_blocked(state, user, path, false).await
}
