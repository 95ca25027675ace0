//! Reacting to, voting in, editing and deleting (for everyone) a message that
//! exists: each changes that message, for both sides.

use actix_web::{HttpRequest, HttpResponse, delete, patch, post, web};

use serde::Deserialize;
use utoipa::ToSchema;

use super::answer;
use super::kinds::{POLL_OPTIONS, poll_options};
use crate::domain::fields::{Emoji, MessageText, PollOption};
use crate::domain::user::AuthUser;
use crate::error::{ApiError, ErrorBody, ErrorCode};
use crate::http::extract::Json;
use crate::http::state::AppState;
use crate::routes::input;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reaction {
    /// One emoji; `""` removes the instance's reaction.
    #[schema(example = "👍")]
    emoji: Emoji,
}

/// React to a message.
///
/// Reacts to a message of this instance's chats (sent or received); `""` removes the
/// reaction. The message's `reactions` in the history change; answers the message's id.
#[utoipa::path(tag = "whatsapp", operation_id = "reactToMessage",
    params(
        ("instance_id" = String, Path, description = "Instance id (UUID)"),
        ("message_id" = String, Path, description = "The message's WhatsApp `messageId` (or the server's `id`)"),
    ),
    request_body(content = Reaction, example = json!({"emoji": "👍"})),
    responses(
        (status = 400, description = "`validation_error` (not one emoji), `invalid_json`, `invalid_idempotency_key`", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::ValidationError, "emoji must be one emoji (one character as shown), or empty to remove the reaction"))),
        (status = 404, description = "No such message (`message_not_found`) or instance (`instance_not_found`)", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::MessageNotFound, "message not found"))),
    ))]
#[post("/messages/{message_id}/reaction")]
pub async fn react(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: Json<Reaction>,
) -> Result<HttpResponse, ApiError> {
    let key = input::idempotency_key(req.headers())?;
    let (instance_id, message_id) = path.into_inner();
    let emoji = body.into_inner().emoji.parse()?;
    let done = state
        .app
        .changes()
        .react(&user, &instance_id, key, &message_id, emoji)
        .await?;
    Ok(answer(done))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Vote {
    /// The options chosen, by name (at most the poll's `selectableCount`); `[]` takes the vote back.
    #[schema(value_type = BTreeSet<PollOption>, max_items = 12, example = json!(["Yes"]))]
    options: Vec<PollOption>,
}

/// Vote in a poll.
///
/// Votes in a poll this instance sent or received; a later vote replaces the earlier.
/// The poll's `votes` in the history change; answers the poll's id.
#[utoipa::path(tag = "whatsapp", operation_id = "voteInPoll",
    params(
        ("instance_id" = String, Path, description = "Instance id (UUID)"),
        ("message_id" = String, Path, description = "The poll's WhatsApp `messageId` (or the server's `id`)"),
    ),
    request_body(content = Vote, example = json!({"options": ["Yes"]})),
    responses(
        (status = 400, description = "`validation_error`: an option the poll does not have, more than it allows, duplicates, or the message is no poll", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::ValidationError, "options: \"Maybe\" is not an option of this poll (Yes, No)"))),
        (status = 404, description = "No such message (`message_not_found`) or instance (`instance_not_found`)", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::MessageNotFound, "message not found"))),
    ))]
#[post("/messages/{message_id}/vote")]
pub async fn vote(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: Json<Vote>,
) -> Result<HttpResponse, ApiError> {
    let key = input::idempotency_key(req.headers())?;
    let (instance_id, message_id) = path.into_inner();
    let options = body.into_inner().options;
    let options = if options.is_empty() {
        Vec::new()
    } else {
        poll_options("options", options, 1..=*POLL_OPTIONS.end())?
    };
    let done = state
        .app
        .changes()
        .vote(&user, &instance_id, key, &message_id, options)
        .await?;
    Ok(answer(done))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditMessage {
    /// The new text, 1-65536 characters.
    #[schema(example = "Hello! (edited)")]
    message: MessageText,
}

/// Edit a sent text message.
///
/// Only the instance's own text messages can be edited (WhatsApp allows it for 15 minutes
/// after sending); the history shows the new text with `editedAt`.
#[utoipa::path(tag = "whatsapp", operation_id = "editMessage",
    params(
        ("instance_id" = String, Path, description = "Instance id (UUID)"),
        ("message_id" = String, Path, description = "The message's WhatsApp `messageId` (or the server's `id`)"),
    ),
    request_body(content = EditMessage, example = json!({"message": "Hello! (edited)"})),
    responses(
        (status = 200, description = "Edited; `id` is the message's WhatsApp id", body = crate::app::answers::Sent,
            example = json!({"id": "3EB0C258F6AA7F19E2F2C2"})),
        (status = 400, description = "`validation_error` (empty or too long), `invalid_json`, `invalid_idempotency_key`", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::ValidationError, "message must be 1-65536 characters, not blank, without NUL"))),
        (status = 404, description = "No such message (`message_not_found`) or instance (`instance_not_found`)", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::MessageNotFound, "message not found"))),
        (status = 409, description = "Not one of the instance's own text messages (`message_not_editable`), or the instance is not connected (`instance_not_connected`)", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::MessageNotEditable, "only this instance's own text messages (not deleted) can be edited"))),
    ))]
#[patch("/messages/{message_id}")]
pub async fn edit(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: Json<EditMessage>,
) -> Result<HttpResponse, ApiError> {
    let key = input::idempotency_key(req.headers())?;
    let (instance_id, message_id) = path.into_inner();
    let text = body.into_inner().message.parse()?;
    let done = state
        .app
        .changes()
        .edit(&user, &instance_id, key, &message_id, text)
        .await?;
    Ok(answer(done))
}

/// Delete a sent message for everyone.
///
/// Only the instance's own messages; the history keeps the row, marked `revoked`, without
/// its text.
#[utoipa::path(tag = "whatsapp", operation_id = "deleteMessage",
    params(
        ("instance_id" = String, Path, description = "Instance id (UUID)"),
        ("message_id" = String, Path, description = "The message's WhatsApp `messageId` (or the server's `id`)"),
    ),
    responses(
        (status = 200, description = "Deleted for everyone", body = crate::app::answers::Success,
            example = json!({"success": true})),
        (status = 400, description = "A malformed `Idempotency-Key` (`invalid_idempotency_key`)", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::InvalidIdempotencyKey, "Idempotency-Key must be 1-255 visible ASCII characters"))),
        (status = 404, description = "No such message (`message_not_found`) or instance (`instance_not_found`)", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::MessageNotFound, "message not found"))),
        (status = 409, description = "Not one of the instance's own messages, or already deleted (`message_not_deletable`), or the instance is not connected (`instance_not_connected`)", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::MessageNotDeletable, "only this instance's own messages (not already deleted) can be deleted for everyone"))),
    ))]
#[delete("/messages/{message_id}")]
pub async fn delete_for_everyone(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let key = input::idempotency_key(req.headers())?;
    let (instance_id, message_id) = path.into_inner();
    let done = state
        .app
        .changes()
        .delete(&user, &instance_id, key, &message_id)
        .await?;
    Ok(answer(done))
}
