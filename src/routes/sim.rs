//! Control routes of the simulated network (only with `whatsapp.backend = "sim"`):
//! they play the phone that scans, the people who write, and the faults of the network.

use actix_web::{HttpResponse, post, web};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::app::answers::{Sent, Success};
use crate::app::sim::Sim;
use crate::domain::fields::{
    Base64Data, DelayMs, GroupJid, InboundBody, NackCode, PastMessageBody, PersonName, PersonPhone,
    UnixSeconds,
};
use crate::domain::user::AuthUser;
use crate::error::{ApiError, ErrorBody, ErrorCode};
use crate::http::extract::Json;
use crate::http::state::AppState;
use crate::whatsapp::sim::{FaultKind, InboundFile, NextSend, PastMessage, SimInbound};

fn network(state: &AppState) -> Result<Sim<'_>, ApiError> {
    state
        .app
        .sim()
        .ok_or_else(|| ApiError::new(ErrorCode::RouteNotFound, "the simulated network is off"))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Scan {
    phone: PersonPhone,
    push_name: Option<PersonName>,
    /// What the phone had before linking, synced to the instance once linked
    /// (imported when `whatsapp.history_sync` is on, as WhatsApp's history sync).
    #[schema(max_items = 1000)]
    history: Option<Vec<PastChatMessage>>,
}

/// A message the scanning phone had exchanged before.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PastChatMessage {
    /// The other person: a phone number or JID.
    chat: PersonPhone,
    body: PastMessageBody,
    #[schema(value_type = UnixSeconds, required = true)]
    timestamp: Option<UnixSeconds>,
    /// Sent by the phone itself (default false).
    from_me: Option<bool>,
    /// The other person's name, for what they wrote.
    push_name: Option<PersonName>,
}

/// A display name, trimmed; empty when absent.
fn display_name(raw: Option<PersonName>) -> Result<String, ApiError> {
    Ok(raw.unwrap_or_default().parse("pushName")?)
}

const MAX_PAST_MESSAGES: usize = 1000;

fn past_messages(history: Option<Vec<PastChatMessage>>) -> Result<Vec<PastMessage>, ApiError> {
    let history = history.unwrap_or_default();
    if history.len() > MAX_PAST_MESSAGES {
        return Err(ApiError::validation(format!(
            "history holds at most {MAX_PAST_MESSAGES} messages"
        )));
    }
    history
        .into_iter()
        .map(|past| {
            let body = past.body.parse()?;
            let timestamp = UnixSeconds::parse(past.timestamp)?;
            Ok(PastMessage {
                chat: past.chat.parse()?,
                body,
                timestamp,
                from_me: past.from_me.unwrap_or(false),
                push_name: display_name(past.push_name)?,
            })
        })
        .collect()
}

/// A simulated phone scans the instance's pending QR code, linking the instance.
///
/// `phone` becomes the instance's own number; `pushName` (optional, at most 100
/// characters) its display name.
#[utoipa::path(tag = "sim", operation_id = "simScanQr",
    params(("instance_id" = String, Path, description = "Instance id")),
    request_body(content = Scan, description = "The phone that scans",
        example = json!({"phone": "79001234567", "pushName": "Ivan"})),
    responses(
        (status = 200, description = "Scanned; the instance connects", body = Success,
            example = json!({"success": true})),
        (status = 400, description = "Invalid phone or field", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::InvalidPhone, "phone must be 5-15 digits with an optional leading +, spaces, dashes or parentheses, or a JID ending in @s.whatsapp.net, @lid or @g.us"))),
        (status = 409, description = "No session, no QR pending, already paired, or the phone is linked to another connected instance (`no_session`, `no_qr_pending`, `already_paired`, `phone_in_use`)", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::NoQrPending, "no QR code is waiting to be scanned"))),
    ))]
#[post("/scan")]
pub async fn scan(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: Json<Scan>,
) -> Result<HttpResponse, ApiError> {
    let network = network(&state)?;
    let body = body.into_inner();
    let phone = body.phone.parse()?;
    let push_name = display_name(body.push_name)?;
    let history = past_messages(body.history)?;
    network
        .scan(&user, &path, &phone, &push_name, history)
        .await?;
    Ok(HttpResponse::Ok().json(Success::OK))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Fault {
    kind: FaultKind,
    /// With `nack`: WhatsApp's code (default 463, the reach-out timelock).
    code: Option<NackCode>,
    /// With `slow`: how long WhatsApp takes to take the next message (default 0).
    delay_ms: Option<DelayMs>,
}

/// Inject a network fault into the instance's simulated session.
///
/// `kind`: `disconnect` (the connection drops), `crash` (the session panics),
/// `logout` (the phone removes this linked device), or WhatsApp stopping the
/// session for good: `replaced` (another client took it over), `ban` (a
/// temporary ban, code 101, one day) or `outdated` (the client's version refused);
/// or `nack`: WhatsApp takes the instance's next message, then refuses it with `code`
/// (its row turns `failed`, `message_failed` is raised; 463 also `account_restricted`);
/// or `slow`: WhatsApp takes `delayMs` to take the next message (a send that outlives the
/// request's time answers 202 and goes on).
#[utoipa::path(tag = "sim", operation_id = "simInjectFault",
    params(("instance_id" = String, Path, description = "Instance id")),
    request_body(content = Fault, description = "The fault",
        example = json!({"kind": "disconnect"})),
    responses(
        (status = 200, description = "The fault was injected", body = Success,
            example = json!({"success": true})),
        (status = 400, description = "Unknown `kind`", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::ValidationError, "invalid request body: unknown variant `reboot`, expected one of `disconnect`, `crash`, `logout` at line 1 column 17"))),
        (status = 409, description = "The instance has no running session", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::NoSession, "the instance has no running session"))),
    ))]
#[post("/fault")]
pub async fn fault(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: Json<Fault>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let next = NextSend {
        code: NackCode::parse(body.code)?,
        delay_ms: DelayMs::parse(body.delay_ms)?,
    };
    network(&state)?
        .fault(&user, &path, body.kind, next)
        .await?;
    Ok(HttpResponse::Ok().json(Success::OK))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Inbound {
    from: PersonPhone,
    /// A group both are in (`…@g.us`): the message is written there, `from` its author.
    group: Option<GroupJid>,
    #[serde(default)]
    body: InboundBody,
    push_name: Option<PersonName>,
    media: Option<InboundMedia>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InboundMedia {
    mimetype: String,
    filename: Option<String>,
    /// The bytes, base64.
    data: Base64Data,
    /// Plays media WhatsApp's servers no longer have: the download fails.
    #[serde(default)]
    expired: bool,
}

/// Someone writes to the instance; answered once the message is stored.
///
/// Needs `body` or `media` (`{"mimetype", "filename"?, "data": "<base64>", "expired"?}`), or both;
/// `group` (`…@g.us`) writes it in that group instead, with `from` as its author;
/// `pushName` is optional. The answer is the WhatsApp id of the received message; its
/// webhook is queued before the answer.
#[utoipa::path(tag = "sim", operation_id = "simInjectInbound",
    params(("instance_id" = String, Path, description = "Instance id")),
    request_body(content = Inbound, description = "The incoming message",
        example = json!({"from": "79001234567", "body": "Hello! How are you?", "pushName": "Ivan"})),
    responses(
        (status = 200, description = "Received and stored", body = Sent,
            example = json!({"id": "3EB0A1B2C3D4E5F6A7B8C9"})),
        (status = 400, description = "Invalid `from`, no body nor media, or media data that is not base64", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::ValidationError, "an inbound message needs a body or media"))),
        (status = 409, description = "The instance has no session or is not connected (`no_session`, `instance_not_connected`)", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::InstanceNotConnected, "the session is not connected"))),
    ))]
#[post("/inbound")]
pub async fn inbound(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: Json<Inbound>,
) -> Result<HttpResponse, ApiError> {
    let network = network(&state)?;
    let Inbound {
        from,
        group,
        body,
        push_name,
        media,
    } = body.into_inner();
    let from = from.parse()?;
    let group = group.map(|raw| raw.parse()).transpose()?;
    let push_name = display_name(push_name)?;
    let media = media
        .map(|media| {
            Ok::<_, ApiError>(InboundFile {
                bytes: media.data.parse()?.into(),
                mimetype: media.mimetype,
                filename: media.filename,
                expired: media.expired,
            })
        })
        .transpose()?;
    let body = body.parse()?;
    if body.is_empty() && media.is_none() {
        return Err(ApiError::validation(
            "an inbound message needs a body or media",
        ));
    }
    let id = network
        .inbound(
            &user,
            &path,
            &from,
            &push_name,
            SimInbound { body, media, group },
        )
        .await?;
    Ok(HttpResponse::Ok().json(Sent { id }))
}
