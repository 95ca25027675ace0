//! The admin routes tests drive the mock with (docs/EXTENSIONS.md, "WhatsApp
//! test server"): play a phone — scan a QR, enter a code, write, read its
//! inbox, unlink — and inject WhatsApp's faults. JSON in and out, loopback only.

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use serde::Deserialize;
use serde_json::json;
use whatsapp_rust::{Jid, Server};

use crate::faults::{self, Fault};
use crate::pairing::{link, link_by_code, parse_qr};
use crate::phone::PhoneChange;
use crate::world::World;

pub fn routes(config: &mut web::ServiceConfig) {
    config.service(
        web::scope("/admin")
            .route("/health", web::get().to(health))
            .route("/stats", web::get().to(stats))
            .route("/scan", web::post().to(scan))
            .route("/link-code", web::post().to(link_code))
            .route("/accounts", web::post().to(create_account))
            .route("/media/hold", web::post().to(hold_media))
            .route("/media/expire", web::post().to(expire_media))
            .route("/accounts/{phone}/send", web::post().to(send))
            .route("/accounts/{phone}/inbox", web::get().to(inbox))
            .route("/accounts/{phone}/unlink", web::post().to(unlink))
            .route("/accounts/{phone}/fault", web::post().to(fault)),
    );
}

/// A refused admin request: `{"error": "..."}` with its status.
#[derive(Debug)]
pub struct AdminError(StatusCode, String);

impl std::fmt::Display for AdminError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.1)
    }
}

impl ResponseError for AdminError {
    fn status_code(&self) -> StatusCode {
        self.0
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.0).json(json!({"error": self.1}))
    }
}

fn refuse(status: StatusCode, message: impl std::fmt::Display) -> AdminError {
    AdminError(status, message.to_string())
}

type Answer = Result<HttpResponse, AdminError>;
type Mock = web::Data<Arc<World>>;

/// Admin routes answer loopback callers only.
fn loopback(req: &HttpRequest) -> Result<(), AdminError> {
    match req.peer_addr() {
        Some(peer) if peer.ip().is_loopback() => Ok(()),
        _ => Err(refuse(
            StatusCode::FORBIDDEN,
            "admin routes are for loopback callers",
        )),
    }
}

async fn health(req: HttpRequest) -> Answer {
    loopback(&req)?;
    Ok(HttpResponse::Ok().json(json!({"ok": true})))
}

/// The mock's own route beside the contract's: what it saw (see `stats`).
async fn stats(req: HttpRequest, world: Mock) -> Answer {
    loopback(&req)?;
    let mut stats = world.stats.json();
    stats["unacked"] = json!(world.state().unacked_count());
    stats["heldDownloads"] = json!(world.media.waiting());
    Ok(HttpResponse::Ok().json(stats))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Scan {
    qr: String,
    phone: Option<String>,
    push_name: Option<String>,
}

async fn scan(req: HttpRequest, world: Mock, body: web::Json<Scan>) -> Answer {
    loopback(&req)?;
    let qr = parse_qr(&body.qr).map_err(|err| refuse(StatusCode::BAD_REQUEST, err))?;
    let phone = body.phone.as_deref().map(digits).transpose()?;
    let conn_id = world
        .state()
        .pairing
        .showing(&qr.reference, &qr.noise_key, &qr.identity)
        .ok_or_else(|| {
            refuse(
                StatusCode::NOT_FOUND,
                "no device shows this QR code (it may have expired)",
            )
        })?;
    let phone = crate::accounts::ensure(&world, phone, body.push_name.clone())
        .await
        .map_err(|err| refuse(StatusCode::SERVICE_UNAVAILABLE, format!("{err:#}")))?;
    let linked = link(&world, conn_id, &phone, &qr.adv_secret)
        .await
        .map_err(|err| refuse(StatusCode::CONFLICT, format!("{err:#}")))?;
    Ok(linked_answer(&linked))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NewAccount {
    phone: Option<String>,
    push_name: Option<String>,
}

/// An account with its phone online and no linked device (the mock's own route,
/// beside the contract's: a third party for tests). An existing one is answered as is.
async fn create_account(req: HttpRequest, world: Mock, body: web::Json<NewAccount>) -> Answer {
    loopback(&req)?;
    let phone = body.phone.as_deref().map(digits).transpose()?;
    let phone = crate::accounts::ensure(&world, phone, body.push_name.clone())
        .await
        .map_err(|err| refuse(StatusCode::SERVICE_UNAVAILABLE, format!("{err:#}")))?;
    let lid = world
        .state()
        .accounts
        .get(&phone)
        .map(|account| account.lid.clone())
        .unwrap_or_default();
    Ok(account_answer(&phone, &lid, None))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LinkCode {
    phone: String,
    code: String,
}

async fn link_code(req: HttpRequest, world: Mock, body: web::Json<LinkCode>) -> Answer {
    loopback(&req)?;
    let phone = digits(&body.phone)?;
    let phone = crate::accounts::ensure(&world, Some(phone), None)
        .await
        .map_err(|err| refuse(StatusCode::SERVICE_UNAVAILABLE, format!("{err:#}")))?;
    let linked = link_by_code(&world, &phone, &body.code)
        .await
        .map_err(|err| refuse(StatusCode::CONFLICT, format!("{err:#}")))?;
    Ok(linked_answer(&linked))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HoldMedia {
    held: bool,
}

/// Every blob uploaded so far expires (downloads answer 404); a phone that
/// received one uploads it again when a linked device asks.
async fn expire_media(req: HttpRequest, world: Mock) -> Answer {
    loopback(&req)?;
    let expired = world.media.expire_all();
    Ok(HttpResponse::Ok().json(json!({"expired": expired})))
}

/// The media servers hold every download until `{"held": false}`.
async fn hold_media(req: HttpRequest, world: Mock, body: web::Json<HoldMedia>) -> Answer {
    loopback(&req)?;
    world.media.hold(body.held);
    Ok(HttpResponse::Ok().json(json!({"ok": true})))
}

fn linked_answer(linked: &crate::pairing::Linked) -> HttpResponse {
    account_answer(&linked.phone, &linked.lid, Some(linked.device))
}

/// `{"phone", "jid", "lid"}` of an account, and the device linked to it if one was.
fn account_answer(phone: &str, lid: &str, device: Option<u16>) -> HttpResponse {
    let mut answer = json!({
        "phone": phone,
        "jid": Jid::pn(phone).to_string(),
        "lid": Jid::lid(lid).to_string(),
    });
    if let Some(device) = device {
        answer["device"] = json!(device);
    }
    HttpResponse::Ok().json(answer)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
struct Send {
    to: String,
    #[serde(default)]
    text: String,
    /// The mock's own: the text edits this earlier message instead.
    edits: Option<String>,
    /// The mock's own: deletes this earlier message for everyone instead.
    revokes: Option<String>,
    /// With `revokes` in a group: whose message it is (an admin's deletion).
    author: Option<String>,
}

async fn send(
    req: HttpRequest,
    world: Mock,
    phone: web::Path<String>,
    body: web::Json<Send>,
) -> Answer {
    loopback(&req)?;
    let phone = known(&world, &phone)?;
    let to = recipient(&body.to)?;
    let body = body.into_inner();
    let change = match (body.edits, body.revokes) {
        (Some(target), None) => Some((target, PhoneChange::Edit(body.text.clone()))),
        (None, Some(target)) => {
            let author = body.author.as_deref().map(recipient).transpose()?;
            Some((target, PhoneChange::Revoke { author }))
        }
        (None, None) => None,
        (Some(_), Some(_)) => {
            return Err(refuse(
                StatusCode::BAD_REQUEST,
                "edits or revokes, not both",
            ));
        }
    };
    let sent = match change {
        Some((target, change)) => world.phones.change(&phone, to, target, change).await,
        None => world.phones.send_text(&phone, to, body.text).await,
    };
    let id = sent.map_err(|err| refuse(StatusCode::BAD_GATEWAY, format!("{err:#}")))?;
    Ok(HttpResponse::Ok().json(json!({"id": id})))
}

async fn inbox(req: HttpRequest, world: Mock, phone: web::Path<String>) -> Answer {
    loopback(&req)?;
    let phone = known(&world, &phone)?;
    let messages = world.phones.inbox(&phone).unwrap_or_default();
    Ok(HttpResponse::Ok().json(json!({"messages": messages})))
}

async fn unlink(req: HttpRequest, world: Mock, phone: web::Path<String>) -> Answer {
    loopback(&req)?;
    let phone = known(&world, &phone)?;
    let unlinked = faults::unlink_all(&mut world.state(), &phone);
    Ok(HttpResponse::Ok().json(json!({"unlinked": unlinked})))
}

async fn fault(
    req: HttpRequest,
    world: Mock,
    phone: web::Path<String>,
    body: web::Json<Fault>,
) -> Answer {
    loopback(&req)?;
    let phone = known(&world, &phone)?;
    faults::apply(&mut world.state(), &phone, &body)
        .map_err(|err| refuse(StatusCode::BAD_REQUEST, err))?;
    Ok(HttpResponse::Ok().json(json!({"ok": true})))
}

/// A phone number as digits (a leading `+` and separators are dropped).
fn digits(phone: &str) -> Result<String, AdminError> {
    let digits: String = phone
        .chars()
        .filter(|c| !matches!(c, '+' | ' ' | '-' | '(' | ')'))
        .collect();
    if (7..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
        Ok(digits)
    } else {
        Err(refuse(
            StatusCode::BAD_REQUEST,
            format!("not a phone number: {phone}"),
        ))
    }
}

fn known(world: &World, phone: &str) -> Result<String, AdminError> {
    let phone = digits(phone)?;
    if world.state().accounts.contains_key(&phone) {
        Ok(phone)
    } else {
        Err(refuse(StatusCode::NOT_FOUND, format!("no account {phone}")))
    }
}

/// `to`: digits, or a JID (a person's or a group's).
fn recipient(to: &str) -> Result<Jid, AdminError> {
    if to.contains('@') {
        let jid: Jid =
            crate::wire::parse_jid(to).map_err(|err| refuse(StatusCode::BAD_REQUEST, err))?;
        if matches!(jid.server, Server::Pn | Server::Lid | Server::Group) {
            return Ok(jid);
        }
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            format!("cannot write to {to}"),
        ));
    }
    Ok(Jid::pn(digits(to)?))
}
