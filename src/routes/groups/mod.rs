//! The instance's WhatsApp groups: list, create, read, change, members, invite
//! links, join and leave (`docs/EXTENSIONS.md`, "Groups"). The answers they
//! share (409, 502; for a named group 400 `invalid_group`, 404, and 403 where
//! only admins act) are documented once, in `openapi/group_answers.rs`.

pub(in crate::routes) mod view;

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};

use crate::app::answers::Success;
use crate::domain::fields::{GroupDescription, GroupId, GroupSubject};
use crate::domain::user::AuthUser;
use crate::error::{ApiError, ErrorBody, ErrorCode};
use crate::http::extract::Json;
use crate::http::state::AppState;
use crate::routes::input;
use crate::whatsapp::{GroupSettings, NewGroup};
use view::{
    CreateGroup, GroupList, GroupView, InviteView, JoinGroup, JoinedGroup, ParticipantResults,
    ParticipantsChange, UpdateGroup,
};

/// List the groups the instance's account is in.
///
/// Asked of WhatsApp each time (the groups' chats in `/contacts` are refreshed after
/// connecting and on group events instead).
#[utoipa::path(tag = "groups", operation_id = "listGroups",
    params(("instance_id" = String, Path, description = "Instance id (UUID)")),
    responses(
        (status = 200, description = "Every group, by subject", body = GroupList,
            example = json!({"groups": [{"id": "120363025246125486@g.us", "subject": "Sales team", "participantsCount": 12, "isAdmin": true}]})),
    ))]
#[get("/groups")]
pub async fn list_groups(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let groups = state.app.groups().list(&user, &path).await?;
    Ok(HttpResponse::Ok().json(GroupList::new(groups)))
}

/// Create a group, with the instance's account as its owner.
///
/// The participants get `group_participants` with `action: "add"`. With an
/// `Idempotency-Key`, a retry (within 24 h) gets the first answer, not a second group.
#[utoipa::path(tag = "groups", operation_id = "createGroup",
    params(
        ("instance_id" = String, Path, description = "Instance id (UUID)"),
        ("Idempotency-Key" = Option<String>, Header, description = "Optional, 1-255 visible ASCII characters: a retry with the same key gets the first answer (with `Idempotent-Replayed: true`) and creates nothing"),
    ),
    request_body(content = CreateGroup, example = json!({"subject": "Sales team", "participants": ["79001234567", "79007654321"], "description": "Leads and deals"})),
    responses(
        (status = 201, description = "The new group", body = GroupView,
            headers(("Idempotent-Replayed" = String, description = "`true` when this is the stored answer to an earlier request with the same `Idempotency-Key`")),
            example = json!(group_example())),
        (status = 400, description = "`validation_error` (an empty or longer than 100 characters subject, no participants or more than 256), `invalid_phone` (naming which participant), `invalid_json`, `invalid_idempotency_key`", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::ValidationError, "participants must hold 1-256 phone numbers"))),
        (status = 409, description = "The instance is not connected (`instance_not_connected`), or a request with the same `Idempotency-Key` is still in progress (`idempotency_in_progress`)", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::InstanceNotConnected, "the instance is not connected to WhatsApp"))),
        (status = 422, description = "This `Idempotency-Key` was already used for a different request (`idempotency_key_reused`)", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::IdempotencyKeyReused, "this Idempotency-Key was used for a different request"))),
    ))]
#[post("/groups")]
pub async fn create_group(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<String>,
    body: Json<CreateGroup>,
) -> Result<HttpResponse, ApiError> {
    let key = input::idempotency_key(req.headers())?;
    let body = body.into_inner();
    let group = NewGroup {
        subject: body.subject.parse()?,
        participants: view::participants(&body.participants)?,
        description: body.description.map(GroupDescription::parse).transpose()?,
    };
    let created = state
        .app
        .groups()
        .create(&user, &path, key, group, GroupView::from)
        .await?;
    Ok(crate::routes::messaging::answer(created))
}

/// Join a group by its invite code or link.
#[utoipa::path(tag = "groups", operation_id = "joinGroup",
    params(("instance_id" = String, Path, description = "Instance id (UUID)")),
    request_body(content = JoinGroup, example = json!({"invite": "https://chat.whatsapp.com/Fk3cQ9pLmN2rT7vXyZ1aB4"})),
    responses(
        (status = 200, description = "Joined (or already a member)", body = JoinedGroup, example = json!({"id": "120363025246125486@g.us"})),
        (status = 400, description = "`validation_error` (not an invite code or link), `invalid_json`", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::ValidationError, "invite must be an invite code or a https://chat.whatsapp.com/<code> link"))),
        (status = 404, description = "No group has this code (it may have been reset): `group_not_found`; or no such instance (`instance_not_found`)", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::GroupNotFound, "no group has this invite code (it may have been reset)"))),
    ))]
#[post("/groups/join")]
pub async fn join_group(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: Json<JoinGroup>,
) -> Result<HttpResponse, ApiError> {
    let code = body.invite.parse()?;
    let id = state.app.groups().join(&user, &path, code).await?;
    Ok(HttpResponse::Ok().json(JoinedGroup::new(id)))
}

/// Read a group: its subject, description, settings and members.
#[utoipa::path(tag = "groups", operation_id = "getGroup",
    params(
        ("instance_id" = String, Path, description = "Instance id (UUID)"),
        ("group_id" = String, Path, description = "The group's JID or its digits"),
    ),
    responses(
        (status = 200, description = "The group", body = GroupView, example = json!(group_example())),
    ))]
#[get("/groups/{group_id}", guard = "not_the_join_route")]
pub async fn get_group(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (instance_id, group) = path.into_inner();
    let group = GroupId::from(group.as_str()).parse()?;
    let found = state.app.groups().get(&user, &instance_id, &group).await?;
    Ok(HttpResponse::Ok().json(GroupView::from(found)))
}

/// Change a group's subject, description or settings.
///
/// Only what is given changes. `announce` and `locked` need an admin, and so do the
/// subject and description of a locked group. Members get `group_updated`.
#[utoipa::path(tag = "groups", operation_id = "updateGroup",
    params(
        ("instance_id" = String, Path, description = "Instance id (UUID)"),
        ("group_id" = String, Path, description = "The group's JID or its digits"),
    ),
    request_body(content = UpdateGroup, example = json!({"subject": "Sales team EU", "announce": true})),
    responses(
        (status = 200, description = "The group as it is now", body = GroupView, example = json!(group_example())),
        (status = 400, description = "`invalid_group`, `validation_error` (an empty or longer than 100 characters subject, a description over 2048), `invalid_json`", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::ValidationError, "subject must be 1-100 characters, not blank, without bidi controls"))),
    ))]
#[patch("/groups/{group_id}", guard = "not_the_join_route")]
pub async fn update_group(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
    body: Json<UpdateGroup>,
) -> Result<HttpResponse, ApiError> {
    let (instance_id, group) = path.into_inner();
    let group = GroupId::from(group.as_str()).parse()?;
    let body = body.into_inner();
    let settings = GroupSettings {
        subject: body.subject.map(GroupSubject::parse).transpose()?,
        description: body.description.map(GroupDescription::parse).transpose()?,
        announce: body.announce,
        locked: body.locked,
    };
    let changed = state
        .app
        .groups()
        .update(&user, &instance_id, &group, settings)
        .await?;
    Ok(HttpResponse::Ok().json(GroupView::from(changed)))
}

/// Add, remove, promote or demote participants (admins only).
///
/// One result per person, in the order given; the group's members get
/// `group_participants` for those that changed.
#[utoipa::path(tag = "groups", operation_id = "changeGroupParticipants",
    params(
        ("instance_id" = String, Path, description = "Instance id (UUID)"),
        ("group_id" = String, Path, description = "The group's JID or its digits"),
    ),
    request_body(content = ParticipantsChange, example = json!({"action": "promote", "participants": ["79001234567"]})),
    responses(
        (status = 200, description = "What became of each person", body = ParticipantResults,
            example = json!({"results": [{"phone": "79001234567", "status": "ok"}, {"phone": "79007654321", "status": "not_member"}]})),
        (status = 400, description = "`invalid_group`, `validation_error` (no participants or more than 256), `invalid_phone` (naming which), `invalid_json` (an unknown action)", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::InvalidPhone, "participants[1] is not a person's phone number or JID"))),
    ))]
#[post("/groups/{group_id}/participants")]
pub async fn change_participants(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
    body: Json<ParticipantsChange>,
) -> Result<HttpResponse, ApiError> {
    let (instance_id, group) = path.into_inner();
    let group = GroupId::from(group.as_str()).parse()?;
    let people = view::participants(&body.participants)?;
    let results = state
        .app
        .groups()
        .members(&user, &instance_id, &group, body.action.into(), people)
        .await?;
    Ok(HttpResponse::Ok().json(ParticipantResults::new(results)))
}

async fn invite(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
    reset: bool,
) -> Result<HttpResponse, ApiError> {
    let (instance_id, group) = path.into_inner();
    let group = GroupId::from(group.as_str()).parse()?;
    let code = state
        .app
        .groups()
        .invite(&user, &instance_id, &group, reset)
        .await?;
    Ok(HttpResponse::Ok().json(InviteView::new(code)))
}

/// Read the group's invite link (admins only).
#[utoipa::path(tag = "groups", operation_id = "getGroupInvite",
    params(
        ("instance_id" = String, Path, description = "Instance id (UUID)"),
        ("group_id" = String, Path, description = "The group's JID or its digits"),
    ),
    responses(
        (status = 200, description = "The invite", body = InviteView,
            example = json!({"code": "Fk3cQ9pLmN2rT7vXyZ1aB4", "link": "https://chat.whatsapp.com/Fk3cQ9pLmN2rT7vXyZ1aB4"})),
    ))]
#[get("/groups/{group_id}/invite")]
pub async fn get_invite(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    invite(state, user, path, false).await
}

/// Reset the group's invite link (admins only): the old one stops working.
#[utoipa::path(tag = "groups", operation_id = "resetGroupInvite",
    params(
        ("instance_id" = String, Path, description = "Instance id (UUID)"),
        ("group_id" = String, Path, description = "The group's JID or its digits"),
    ),
    responses(
        (status = 200, description = "The new invite", body = InviteView,
            example = json!({"code": "Qa8ZkR1mN0pT5sWcXe7yB2", "link": "https://chat.whatsapp.com/Qa8ZkR1mN0pT5sWcXe7yB2"})),
    ))]
#[delete("/groups/{group_id}/invite")]
pub async fn reset_invite(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    invite(state, user, path, true).await
}

/// Leave a group. Its members (this account included) get `group_participants` with
/// `action: "remove"`.
#[utoipa::path(tag = "groups", operation_id = "leaveGroup",
    params(
        ("instance_id" = String, Path, description = "Instance id (UUID)"),
        ("group_id" = String, Path, description = "The group's JID or its digits"),
    ),
    responses(
        (status = 200, description = "Left", body = Success, example = json!({"success": true})),
    ))]
#[post("/groups/{group_id}/leave")]
pub async fn leave_group(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (instance_id, group) = path.into_inner();
    let group = GroupId::from(group.as_str()).parse()?;
    state
        .app
        .groups()
        .leave(&user, &instance_id, &group)
        .await?;
    Ok(HttpResponse::Ok().json(Success::OK))
}

/// `/groups/join` is its own route (POST only): other methods there are a 405
/// naming POST, not a group called "join".
fn not_the_join_route(request: &actix_web::guard::GuardContext) -> bool {
    !request.head().uri.path().ends_with("/groups/join")
}

fn group_example() -> serde_json::Value {
    serde_json::json!({
        "id": "120363025246125486@g.us",
        "subject": "Sales team",
        "description": "Leads and deals",
        "owner": "79001112233@s.whatsapp.net",
        "createdAt": "2026-11-29T10:15:00.000Z",
        "announce": false,
        "locked": false,
        "participants": [
            {"id": "79001112233@s.whatsapp.net", "phone": "79001112233", "lid": "100000012345678@lid", "role": "superadmin"},
            {"id": "79001234567@s.whatsapp.net", "phone": "79001234567", "lid": null, "role": "member"}
        ]
    })
}
