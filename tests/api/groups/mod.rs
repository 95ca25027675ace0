//! Groups between three instances on the simulated network, through the HTTP
//! API: each step seen in the other instances' webhooks and lists.

mod joining;
mod members;
mod messages;
mod refused;
mod settings;

use reqwest::{Method, Response};
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_error, eventually, json_body};
use crate::receiver::{Receiver, always_ok};

const ALICE: &str = "79001111111";
const BOB: &str = "79002222222";
const CAROL: &str = "79003333333";

fn jid(phone: &str) -> String {
    format!("{phone}@s.whatsapp.net")
}

/// Alice, Bob and Carol, paired, each with its own webhook receiver.
struct Trio {
    alice: Member,
    bob: Member,
    carol: Member,
}

struct Member {
    id: String,
    hook: Receiver,
}

async fn member(app: &TestApp, name: &str, phone: &str, extra: Value) -> Member {
    let hook = Receiver::start(always_ok()).await;
    let mut body = json!({"name": name, "webhookUrl": hook.url, "webhookEnabled": true,
        "retryInterval": 1000});
    for (key, value) in extra.as_object().unwrap() {
        body[key] = value.clone();
    }
    let id = app.create_instance(&app.admin_key, body).await;
    app.pair(&app.admin_key, &id, phone, name).await;
    Member { id, hook }
}

async fn trio(app: &TestApp) -> Trio {
    Trio {
        alice: member(app, "Alice", ALICE, json!({})).await,
        bob: member(app, "Bob", BOB, json!({})).await,
        carol: member(app, "Carol", CAROL, json!({})).await,
    }
}

async fn call(app: &TestApp, method: Method, path: &str, body: Option<Value>) -> Response {
    let request = app.as_admin(method, path);
    match body {
        Some(body) => request.json(&body),
        None => request,
    }
    .send()
    .await
    .unwrap()
}

/// `route` under the instance's groups (`""`, `/{group}`, `/{group}/leave`, ...).
async fn groups(
    app: &TestApp,
    instance: &str,
    method: Method,
    route: &str,
    body: Option<Value>,
) -> Response {
    call(
        app,
        method,
        &format!("/api/whatsapp/{instance}/groups{route}"),
        body,
    )
    .await
}

async fn get(app: &TestApp, instance: &str, route: &str) -> Response {
    groups(app, instance, Method::GET, route, None).await
}

async fn post(app: &TestApp, instance: &str, route: &str, body: Value) -> Response {
    groups(app, instance, Method::POST, route, Some(body)).await
}

/// `action` (add, remove, promote, demote) on `people` in `group`, by `instance`.
async fn change_members(
    app: &TestApp,
    instance: &str,
    group: &str,
    action: &str,
    people: &[&str],
) -> Response {
    let body = json!({"action": action, "participants": people});
    post(app, instance, &format!("/{group}/participants"), body).await
}

/// The participants route's answer: a status per phone, in order.
fn results(statuses: &[(&str, &str)]) -> Value {
    let results: Vec<Value> = statuses
        .iter()
        .map(|(phone, status)| json!({"phone": phone, "status": status}))
        .collect();
    json!({"results": results})
}

async fn ok_json(response: Response) -> Value {
    let status = response.status();
    let body = json_body(response).await;
    assert!(status.is_success(), "{status}: {body}");
    body
}

/// Alice's group with Bob and Carol; answers its id once both were told.
async fn alices_group(app: &TestApp, trio: &Trio, subject: &str) -> String {
    let created = groups(
        app,
        &trio.alice.id,
        Method::POST,
        "",
        Some(json!({"subject": subject, "participants": [BOB, CAROL]})),
    )
    .await;
    assert_eq!(created.status(), 201);
    let group = json_body(created).await["id"].as_str().unwrap().to_owned();
    for told in [&trio.bob, &trio.carol] {
        told.hook
            .event_data("group_participants", |d| {
                d["groupId"] == group && d["action"] == "add"
            })
            .await;
    }
    group
}

/// The instance's group list entry for `group`, once it satisfies `ready`
/// (`None` once it is gone, when `ready` asks for absence).
async fn listed(
    app: &TestApp,
    instance: &str,
    group: &str,
    ready: impl Fn(Option<&Value>) -> bool,
) -> Option<Value> {
    eventually(&format!("{group} listed as expected"), || async {
        let list = ok_json(groups(app, instance, Method::GET, "", None).await).await;
        let entry = list["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["id"] == group)
            .cloned();
        ready(entry.as_ref()).then_some(entry)
    })
    .await
}

/// The instance's contact for `group`, once its name is `name`.
async fn group_contact(app: &TestApp, instance: &str, group: &str, name: &str) -> Value {
    eventually(&format!("{group} named {name} in contacts"), || async {
        app.get_json(
            &app.admin_key,
            &format!("/api/whatsapp/{instance}/contacts"),
        )
        .await["contacts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == group && c["name"] == name)
            .cloned()
    })
    .await
}

async fn error_code(response: Response, status: u16) -> String {
    assert_error(response, status).await
}
