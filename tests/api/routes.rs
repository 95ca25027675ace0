//! Every route of the router, with a valid request for each: the authorization
//! matrix and the bad-input sweep walk this list.

use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Public,
    /// Any authenticated user.
    User,
    Admin,
    /// Scoped to an instance its caller must be able to see.
    Instance,
}

#[derive(Debug, Clone)]
pub enum Body {
    None,
    Json(Value),
    Multipart,
}

#[derive(Debug, Clone)]
pub struct Route {
    pub method: Method,
    /// `{id}` instance, `{user}`, `{chat}`, `{message}`, `{delivery}`, `{group}`.
    pub path: &'static str,
    pub access: Access,
    pub body: Body,
}

fn route(method: Method, path: &'static str, access: Access, body: Body) -> Route {
    Route {
        method,
        path,
        access,
        body,
    }
}

pub fn all() -> Vec<Route> {
    use Access::*;
    use Method as M;
    let none = || Body::None;
    let j = Body::Json;
    vec![
        route(M::GET, "/health", Public, none()),
        route(M::GET, "/metrics", Public, none()),
        route(M::GET, "/api/openapi.json", Public, none()),
        route(
            M::POST,
            "/api/auth/login",
            Public,
            j(json!({"email": "a@example.com", "password": "long-enough"})),
        ),
        route(M::GET, "/api/auth/me", User, none()),
        route(M::POST, "/api/auth/api-key/rotate", User, none()),
        route(
            M::POST,
            "/api/instances",
            User,
            j(json!({"name": "Made by the matrix"})),
        ),
        route(M::GET, "/api/instances", User, none()),
        route(M::GET, "/api/stats/user", User, none()),
        route(M::GET, "/api/events", User, none()),
        route(
            M::POST,
            "/api/admin/users",
            Admin,
            j(json!({"email": "new@example.com", "password": "long-enough"})),
        ),
        route(M::GET, "/api/admin/users", Admin, none()),
        route(M::GET, "/api/admin/nodes", Admin, none()),
        route(
            M::PATCH,
            "/api/admin/users/{user}",
            Admin,
            j(json!({"firstName": "Renamed"})),
        ),
        route(M::DELETE, "/api/admin/users/{user}", Admin, none()),
        route(M::GET, "/api/stats/system", Admin, none()),
        route(M::GET, "/api/instances/{id}", Instance, none()),
        route(
            M::PUT,
            "/api/instances/{id}",
            Instance,
            j(json!({"description": "changed"})),
        ),
        route(M::DELETE, "/api/instances/{id}", Instance, none()),
        route(M::POST, "/api/instances/{id}/reconnect", Instance, none()),
        route(M::POST, "/api/instances/{id}/logout", Instance, none()),
        route(M::GET, "/api/instances/{id}/qr", Instance, none()),
        route(M::GET, "/api/instances/{id}/activity", Instance, none()),
        route(
            M::POST,
            "/api/instances/{id}/pairing-code",
            Instance,
            j(json!({"phone": "79001234567"})),
        ),
        route(M::GET, "/api/instances/{id}/events", Instance, none()),
        route(
            M::GET,
            "/api/instances/{id}/chats/{chat}/messages",
            Instance,
            none(),
        ),
        route(
            M::GET,
            "/api/instances/{id}/messages/{message}/media",
            Instance,
            none(),
        ),
        route(
            M::GET,
            "/api/instances/{id}/webhooks/deliveries",
            Instance,
            none(),
        ),
        route(
            M::POST,
            "/api/instances/{id}/webhooks/deliveries/{delivery}/retry",
            Instance,
            none(),
        ),
        route(M::GET, "/api/whatsapp/{id}/status", Instance, none()),
        route(M::GET, "/api/whatsapp/{id}/qr", Instance, none()),
        route(M::POST, "/api/whatsapp/{id}/logout", Instance, none()),
        route(
            M::POST,
            "/api/whatsapp/{id}/send",
            Instance,
            j(json!({"phone": "79001234567", "message": "hi"})),
        ),
        route(
            M::POST,
            "/api/whatsapp/{id}/send-media",
            Instance,
            j(json!({"phone": "79001234567", "url": "https://example.com/a.png"})),
        ),
        route(
            M::POST,
            "/api/whatsapp/{id}/send-file",
            Instance,
            Body::Multipart,
        ),
        route(M::GET, "/api/whatsapp/{id}/contacts", Instance, none()),
        route(
            M::POST,
            "/api/whatsapp/{id}/send-location",
            Instance,
            j(json!({"phone": "79001234567", "latitude": 55.75, "longitude": 37.62})),
        ),
        route(
            M::POST,
            "/api/whatsapp/{id}/send-contact",
            Instance,
            j(
                json!({"phone": "79001234567", "contacts": [{"name": "Ivan", "phone": "79001234567"}]}),
            ),
        ),
        route(
            M::POST,
            "/api/whatsapp/{id}/send-poll",
            Instance,
            j(json!({"phone": "79001234567", "question": "Q?", "options": ["A", "B"]})),
        ),
        route(
            M::POST,
            "/api/whatsapp/{id}/messages/{message}/reaction",
            Instance,
            j(json!({"emoji": "👍"})),
        ),
        route(
            M::POST,
            "/api/whatsapp/{id}/messages/{message}/vote",
            Instance,
            j(json!({"options": ["A"]})),
        ),
        route(
            M::PATCH,
            "/api/whatsapp/{id}/messages/{message}",
            Instance,
            j(json!({"message": "edited"})),
        ),
        route(
            M::DELETE,
            "/api/whatsapp/{id}/messages/{message}",
            Instance,
            none(),
        ),
        route(
            M::POST,
            "/api/whatsapp/{id}/chats/{chat}/read",
            Instance,
            j(json!({})),
        ),
        route(
            M::POST,
            "/api/whatsapp/{id}/chats/{chat}/presence",
            Instance,
            j(json!({"state": "composing"})),
        ),
        route(
            M::POST,
            "/api/whatsapp/{id}/presence",
            Instance,
            j(json!({"state": "available"})),
        ),
        route(
            M::POST,
            "/api/whatsapp/{id}/check-numbers",
            Instance,
            j(json!({"phones": ["79001234567"]})),
        ),
        route(
            M::GET,
            "/api/whatsapp/{id}/contacts/{phone}/profile",
            Instance,
            none(),
        ),
        route(M::GET, "/api/whatsapp/{id}/lids/{lid}", Instance, none()),
        route(
            M::GET,
            "/api/whatsapp/{id}/lids?phone=79001234567",
            Instance,
            none(),
        ),
        route(
            M::PUT,
            "/api/whatsapp/{id}/contacts/{phone}/block",
            Instance,
            none(),
        ),
        route(
            M::DELETE,
            "/api/whatsapp/{id}/contacts/{phone}/block",
            Instance,
            none(),
        ),
        route(M::GET, "/api/whatsapp/{id}/groups", Instance, none()),
        route(
            M::POST,
            "/api/whatsapp/{id}/groups",
            Instance,
            j(json!({"subject": "Matrix", "participants": ["79001234567"]})),
        ),
        route(
            M::POST,
            "/api/whatsapp/{id}/groups/join",
            Instance,
            j(json!({"invite": "AbC123"})),
        ),
        route(
            M::GET,
            "/api/whatsapp/{id}/groups/{group}",
            Instance,
            none(),
        ),
        route(
            M::PATCH,
            "/api/whatsapp/{id}/groups/{group}",
            Instance,
            j(json!({"subject": "Renamed"})),
        ),
        route(
            M::POST,
            "/api/whatsapp/{id}/groups/{group}/participants",
            Instance,
            j(json!({"action": "add", "participants": ["79001234567"]})),
        ),
        route(
            M::GET,
            "/api/whatsapp/{id}/groups/{group}/invite",
            Instance,
            none(),
        ),
        route(
            M::DELETE,
            "/api/whatsapp/{id}/groups/{group}/invite",
            Instance,
            none(),
        ),
        route(
            M::POST,
            "/api/whatsapp/{id}/groups/{group}/leave",
            Instance,
            none(),
        ),
        route(M::GET, "/api/stats/instances/{id}", Instance, none()),
        route(
            M::POST,
            "/api/sim/instances/{id}/scan",
            Instance,
            j(json!({"phone": "79001234567"})),
        ),
        route(
            M::POST,
            "/api/sim/instances/{id}/inbound",
            Instance,
            j(json!({"from": "79001234567", "body": "hi"})),
        ),
        route(
            M::POST,
            "/api/sim/instances/{id}/fault",
            Instance,
            j(json!({"kind": "disconnect"})),
        ),
    ]
}

pub struct Ids<'a> {
    pub instance: &'a str,
    pub user: &'a str,
}

impl Route {
    /// The path as the router spells it (`wamux::routes::inventory`).
    pub fn template(&self) -> String {
        let path = self.path.split('?').next().unwrap_or_default();
        path.replace("{id}", "{instance_id}")
            .replace("{user}", "{user_id}")
            .replace("{chat}", "{chat_id}")
            .replace("{message}", "{message_id}")
            .replace("{delivery}", "{delivery_id}")
            .replace("{group}", "{group_id}")
    }

    pub fn path_with(&self, ids: &Ids) -> String {
        self.path
            .replace("{id}", ids.instance)
            .replace("{user}", ids.user)
            .replace("{chat}", "79001234567")
            .replace("{phone}", "79001234567")
            .replace("{lid}", "200000007000001")
            .replace("{message}", "3EB0000000000000000000")
            .replace("{delivery}", "01a00000-0000-7000-8000-000000000000")
            .replace("{group}", "120363000000000001")
    }

    /// The route's valid request, authenticated with `key` when given.
    pub fn request(
        &self,
        client: &reqwest::Client,
        base: &str,
        ids: &Ids,
        key: Option<&str>,
    ) -> reqwest::RequestBuilder {
        let mut request = client.request(
            self.method.clone(),
            format!("{base}{}", self.path_with(ids)),
        );
        if let Some(key) = key {
            request = request.header("x-api-key", key);
        }
        match &self.body {
            Body::None => request,
            Body::Json(body) => request.json(body),
            Body::Multipart => request.multipart(
                Form::new()
                    .text("phone", "79001234567")
                    .part("file", Part::bytes(b"hello".to_vec()).file_name("a.txt")),
            ),
        }
    }
}
