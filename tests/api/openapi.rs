//! The published OpenAPI document against the router and the routes' real answers:
//! every mounted route is documented, and a tour that calls every route with its
//! documented request example gets answers shaped like the documented examples.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use reqwest::multipart::{Form, Part};
use reqwest::{Method, Response};
use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::*;
use crate::receiver::{Answer, Receiver};

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];
const NOBODY: &str = "0193a0c2-6f1e-7c3b-9a2d-4b8f2e1d0c5a";

db_tests!(a_tour_of_every_route_answers_as_documented);

/// `(method, path template)` of every operation the document describes.
fn documented(doc: &Value) -> BTreeSet<(String, String)> {
    let paths = doc["paths"].as_object().expect("paths");
    paths
        .iter()
        .flat_map(|(path, item)| {
            METHODS
                .iter()
                .filter(|method| item.get(**method).is_some())
                .map(move |method| ((*method).to_owned(), path.clone()))
        })
        .collect()
}

fn mounted(with_sim: bool) -> BTreeSet<(String, String)> {
    wamux::routes::inventory(with_sim)
        .into_iter()
        .map(|(method, path)| (method.to_owned(), path.to_owned()))
        .collect()
}

fn operation<'a>(doc: &'a Value, method: &str, template: &str) -> &'a Value {
    let op = &doc["paths"][template][method];
    assert!(op.is_object(), "{method} {template} is not documented");
    op
}

fn is_public(op: &Value) -> bool {
    op.get("security")
        .is_none_or(|security| security.as_array().is_some_and(Vec::is_empty))
}

/// A path template with stand-in ids: the routes answer before looking them up.
fn with_stand_ins(template: &str) -> String {
    template
        .replace("{chat_id}", "79001234567")
        .split('/')
        .map(|segment| {
            if segment.starts_with('{') {
                NOBODY
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

async fn fetch_document(app: &TestApp) -> Value {
    let response = app
        .request(Method::GET, "/api/openapi.json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    json_body(response).await
}

/// Compares an answer with a documented example, by shape: the same keys at every
/// level, the same JSON types. `null` in the example stands for any value, `{}` for
/// any object (a free map), an array's first element for every element; a `null`
/// answer is accepted where a value may be absent.
fn same_shape(at: &str, example: &Value, actual: &Value, mismatches: &mut Vec<String>) {
    match (example, actual) {
        (Value::Null, _) | (_, Value::Null) => {}
        (Value::Object(expected), Value::Object(got)) => {
            if expected.is_empty() {
                return;
            }
            let expected_keys: BTreeSet<_> = expected.keys().collect();
            let got_keys: BTreeSet<_> = got.keys().collect();
            if expected_keys != got_keys {
                mismatches.push(format!(
                    "{at}: keys {got_keys:?}, documented {expected_keys:?}"
                ));
            }
            for (key, value) in expected {
                if let Some(actual) = got.get(key) {
                    same_shape(&format!("{at}.{key}"), value, actual, mismatches);
                }
            }
        }
        (Value::Array(expected), Value::Array(got)) => {
            if let Some(first) = expected.first() {
                for (index, actual) in got.iter().enumerate() {
                    same_shape(&format!("{at}[{index}]"), first, actual, mismatches);
                }
            }
        }
        (Value::Bool(_), Value::Bool(_))
        | (Value::Number(_), Value::Number(_))
        | (Value::String(_), Value::String(_)) => {}
        _ => mismatches.push(format!("{at}: {actual} where the example has {example}")),
    }
}

/// Error codes a documented response names: its example's and those in backticks
/// in its description.
fn documented_codes(response: &Value) -> Vec<String> {
    let mut codes: Vec<String> = response["content"]["application/json"]["example"]["code"]
        .as_str()
        .map(|code| vec![code.to_owned()])
        .unwrap_or_default();
    let description = response["description"].as_str().unwrap_or_default();
    codes.extend(description.split('`').skip(1).step_by(2).map(str::to_owned));
    codes
}

/// Checks one real answer against the operation's documented responses; returns
/// what does not match (empty when it all does).
async fn check(
    doc: &Value,
    method: &str,
    template: &str,
    response: Response,
) -> (u16, Value, Vec<String>) {
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let bytes = response.bytes().await.unwrap();
    let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    let what = format!("{} {template} {status}", method.to_uppercase());
    let mut mismatches = Vec::new();
    let documented = &operation(doc, method, template)["responses"][status.to_string()];
    if !documented.is_object() {
        mismatches.push(format!("{what}: status not documented ({body})"));
        return (status, body, mismatches);
    }
    let contents = documented["content"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    if content_type.starts_with("application/json") {
        match contents.get("application/json") {
            None => mismatches.push(format!(
                "{what}: answers JSON, documents {:?}",
                contents.keys()
            )),
            Some(content) => same_shape(&what, &content["example"], &body, &mut mismatches),
        }
        if status >= 400 {
            let code = body["code"].as_str().unwrap_or_default().to_owned();
            if !documented_codes(documented).contains(&code) {
                mismatches.push(format!("{what}: code `{code}` is not documented"));
            }
        }
    } else {
        let essence = content_type.split(';').next().unwrap_or_default().trim();
        let listed = contents.keys().any(|documented| {
            documented == "*/*"
                || documented.split(';').next().unwrap_or_default().trim() == essence
        });
        if !listed {
            mismatches.push(format!(
                "{what}: answers {content_type}, documents {:?}",
                contents.keys()
            ));
        }
    }
    (status, body, mismatches)
}

/// The documented JSON request example, with the fields a test must point
/// elsewhere (local receivers, real credentials) replaced.
fn example_body(doc: &Value, method: &str, template: &str, overrides: Value) -> Value {
    let mut body =
        operation(doc, method, template)["requestBody"]["content"]["application/json"]["example"]
            .clone();
    assert!(
        body.is_object(),
        "{method} {template} documents no request example"
    );
    for (key, value) in overrides.as_object().cloned().unwrap_or_default() {
        body[key] = value;
    }
    body
}

#[actix_web::test]
async fn the_document_lists_every_mounted_route_and_nothing_else() {
    let sim = spawn_sim_app(TestDb::Sqlite).await;
    let doc = fetch_document(&sim).await;
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "OpenAPI 3.1"
    );
    assert_eq!(
        documented(&doc),
        mounted(true),
        "document vs router (sim backend)"
    );

    let engine = spawn_app(TestDb::Sqlite).await;
    let doc_without_sim = fetch_document(&engine).await;
    assert_eq!(
        documented(&doc_without_sim),
        mounted(false),
        "document vs router (engine backend)"
    );
    assert!(mounted(true).len() > mounted(false).len());

    let mut operation_ids = BTreeSet::new();
    let mut public = BTreeSet::new();
    for (method, template) in documented(&doc) {
        let op = operation(&doc, &method, &template);
        let id = op["operationId"].as_str().expect("operationId").to_owned();
        assert!(
            operation_ids.insert(id.clone()),
            "operationId {id} used twice"
        );
        assert!(op["summary"].is_string(), "{id} has no summary");
        for status in op["responses"].as_object().unwrap().keys() {
            let response = &op["responses"][status];
            if let Some(json) = response["content"].get("application/json") {
                assert!(
                    !json["example"].is_null() || status == "200",
                    "{id} {status} has no example"
                );
            }
        }
        if is_public(op) {
            public.insert(template.clone());
        } else {
            assert!(
                op["responses"]["401"].is_object(),
                "{id} does not document 401"
            );
        }
    }
    let expected_public: BTreeSet<String> = [
        "/health",
        "/metrics",
        "/api/openapi.json",
        "/api/auth/login",
    ]
    .map(str::to_owned)
    .into();
    assert_eq!(public, expected_public);
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    assert_eq!(schemes["api_key"]["name"], "x-api-key");
    assert_eq!(schemes["api_key"]["in"], "header");
}

#[actix_web::test]
async fn every_secured_route_answers_its_documented_401_without_credentials() {
    let app = spawn_sim_app(TestDb::Sqlite).await;
    let doc = fetch_document(&app).await;
    let mut mismatches = Vec::new();
    for (method, template) in documented(&doc) {
        if is_public(operation(&doc, &method, &template)) {
            continue;
        }
        let verb = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let response = app
            .request(verb, &with_stand_ins(&template))
            .send()
            .await
            .unwrap();
        let (status, _, found) = check(&doc, &method, &template, response).await;
        assert_eq!(status, 401, "{method} {template}");
        mismatches.extend(found);
    }
    assert!(mismatches.is_empty(), "{mismatches:#?}");
}

#[actix_web::test]
async fn every_instance_route_answers_its_documented_404_for_an_unknown_instance() {
    let app = spawn_sim_app(TestDb::Sqlite).await;
    let doc = fetch_document(&app).await;
    let mut mismatches = Vec::new();
    let mut checked = 0;
    for (method, template) in documented(&doc) {
        let op = operation(&doc, &method, &template);
        let json_example = &op["requestBody"]["content"]["application/json"]["example"];
        if !template.contains("{instance_id}")
            || op["requestBody"]["content"]["multipart/form-data"].is_object()
        {
            continue;
        }
        let verb = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let mut request = app.as_admin(verb, &with_stand_ins(&template));
        if json_example.is_object() {
            request = request.json(json_example);
        }
        let (status, body, found) =
            check(&doc, &method, &template, request.send().await.unwrap()).await;
        assert_eq!(status, 404, "{method} {template}: {body}");
        mismatches.extend(found);
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} instance routes");
    assert!(mismatches.is_empty(), "{mismatches:#?}");
}

#[actix_web::test]
async fn swagger_ui_is_served_from_the_binary() {
    let app = spawn_app(TestDb::Sqlite).await;
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let bare = no_redirects.get(app.url("/docs")).send().await.unwrap();
    assert!(bare.status().is_redirection(), "{}", bare.status());
    assert_eq!(bare.headers()["location"], "/docs/");

    let page = app.request(Method::GET, "/docs/").send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = page.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "{html}");
    assert!(
        !html.contains("//cdn") && !html.contains("unpkg"),
        "no CDN: {html}"
    );
    for asset in [
        "swagger-ui-bundle.js",
        "swagger-ui.css",
        "swagger-initializer.js",
    ] {
        assert!(html.contains(asset), "the page loads {asset}");
        let response = app
            .request(Method::GET, &format!("/docs/{asset}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{asset}");
        let text = response.text().await.unwrap();
        if asset == "swagger-initializer.js" {
            assert!(
                text.contains("/api/openapi.json"),
                "the UI reads our document: {text}"
            );
        } else {
            assert!(text.len() > 10_000, "{asset} is the real asset");
        }
    }
}

/// Calls every route once, in an order that gives each the state it needs, with
/// the documented request examples; every answer must be a documented status with
/// a body shaped like the documented example.
async fn a_tour_of_every_route_answers_as_documented(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let doc = fetch_document(&app).await;
    // The first delivery fails (maxRetries 0), so there is one to retry; the rest arrive.
    let receiver =
        Receiver::start(Arc::new(|n| Answer::Status(if n == 0 { 500 } else { 200 }))).await;
    let files = serve_files(vec![(
        "/image.jpg",
        "image/jpeg",
        vec![0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 4],
    )])
    .await;
    let mut tour = Tour {
        app: &app,
        doc: &doc,
        token: app.admin_token.clone(),
        covered: BTreeSet::new(),
        mismatches: Vec::new(),
    };

    tour.call("get", "/health", "/health", None).await;
    tour.call("get", "/api/openapi.json", "/api/openapi.json", None)
        .await;
    tour.call("get", "/metrics", "/metrics", None).await;
    let login = example_body(
        &doc,
        "post",
        "/api/auth/login",
        json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}),
    );
    let session = tour
        .call("post", "/api/auth/login", "/api/auth/login", Some(login))
        .await;
    tour.token = session["token"].as_str().expect("token").to_owned();
    tour.call("get", "/api/auth/me", "/api/auth/me", None).await;

    let new_user = example_body(&doc, "post", "/api/admin/users", json!({}));
    let user = tour
        .call(
            "post",
            "/api/admin/users",
            "/api/admin/users",
            Some(new_user),
        )
        .await;
    let user_path = format!("/api/admin/users/{}", user["id"].as_str().expect("user id"));
    tour.call("get", "/api/admin/users", "/api/admin/users", None)
        .await;
    let rename = example_body(&doc, "patch", "/api/admin/users/{user_id}", json!({}));
    tour.call(
        "patch",
        "/api/admin/users/{user_id}",
        &user_path,
        Some(rename),
    )
    .await;

    let create = example_body(
        &doc,
        "post",
        "/api/instances",
        json!({"webhookUrl": receiver.url, "maxRetries": 0, "retryInterval": 1000}),
    );
    let sales = tour
        .call("post", "/api/instances", "/api/instances", Some(create))
        .await;
    let id = sales["id"].as_str().expect("instance id").to_owned();
    let at = |template: &str| template.replace("{instance_id}", &id);
    tour.call("get", "/api/instances", "/api/instances", None)
        .await;
    app.wait_for_status(&app.admin_key, &id, "qr").await;
    tour.call(
        "get",
        "/api/instances/{instance_id}",
        &at("/api/instances/{instance_id}"),
        None,
    )
    .await;
    tour.call(
        "get",
        "/api/whatsapp/{instance_id}/status",
        &at("/api/whatsapp/{instance_id}/status"),
        None,
    )
    .await;
    for query in ["", "?format=png", "?format=svg"] {
        let qr = format!("{}{query}", at("/api/instances/{instance_id}/qr"));
        tour.call("get", "/api/instances/{instance_id}/qr", &qr, None)
            .await;
    }
    tour.call(
        "get",
        "/api/whatsapp/{instance_id}/qr",
        &at("/api/whatsapp/{instance_id}/qr"),
        None,
    )
    .await;
    let pairing = example_body(
        &doc,
        "post",
        "/api/instances/{instance_id}/pairing-code",
        json!({}),
    );
    let pairing_path = at("/api/instances/{instance_id}/pairing-code");
    tour.call(
        "post",
        "/api/instances/{instance_id}/pairing-code",
        &pairing_path,
        Some(pairing),
    )
    .await;
    let scan = example_body(
        &doc,
        "post",
        "/api/sim/instances/{instance_id}/scan",
        json!({}),
    );
    let scan_path = at("/api/sim/instances/{instance_id}/scan");
    tour.call(
        "post",
        "/api/sim/instances/{instance_id}/scan",
        &scan_path,
        Some(scan),
    )
    .await;
    app.wait_for_status(&app.admin_key, &id, "connected").await;

    // A second instance sends to the first, whose number the scan example gave it.
    let sender = app
        .create_instance(&app.admin_key, json!({"name": "Sender"}))
        .await;
    app.pair(&app.admin_key, &sender, "79007654321", "Olga")
        .await;
    let from = |template: &str| template.replace("{instance_id}", &sender);
    let text = example_body(&doc, "post", "/api/whatsapp/{instance_id}/send", json!({}));
    tour.call(
        "post",
        "/api/whatsapp/{instance_id}/send",
        &from("/api/whatsapp/{instance_id}/send"),
        Some(text),
    )
    .await;
    let media = example_body(
        &doc,
        "post",
        "/api/whatsapp/{instance_id}/send-media",
        json!({"url": format!("{files}/image.jpg")}),
    );
    let media_path = from("/api/whatsapp/{instance_id}/send-media");
    tour.call(
        "post",
        "/api/whatsapp/{instance_id}/send-media",
        &media_path,
        Some(media),
    )
    .await;
    let form = Form::new()
        .text("phone", "79001234567")
        .text("caption", "The contract")
        .part(
            "file",
            Part::bytes(b"%PDF-1.4 tour".to_vec())
                .file_name("contract.pdf")
                .mime_str("application/pdf")
                .unwrap(),
        );
    let response = app
        .request(Method::POST, &from("/api/whatsapp/{instance_id}/send-file"))
        .bearer_auth(&tour.token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    tour.record("post", "/api/whatsapp/{instance_id}/send-file", response)
        .await;
    let inbound = example_body(
        &doc,
        "post",
        "/api/sim/instances/{instance_id}/inbound",
        json!({}),
    );
    let inbound_path = at("/api/sim/instances/{instance_id}/inbound");
    tour.call(
        "post",
        "/api/sim/instances/{instance_id}/inbound",
        &inbound_path,
        Some(inbound),
    )
    .await;

    let history = eventually("the three messages at the first instance", || async {
        let messages = app.history(&app.admin_key, &id, "79007654321").await;
        (messages.len() == 3).then_some(messages)
    })
    .await;
    let image = history
        .iter()
        .find(|message| message["hasMedia"] == true)
        .expect("a media message");
    let chat_path = at("/api/instances/{instance_id}/chats/79007654321/messages");
    tour.call(
        "get",
        "/api/instances/{instance_id}/chats/{chat_id}/messages",
        &chat_path,
        None,
    )
    .await;
    let media_download = at(&format!(
        "/api/instances/{{instance_id}}/messages/{}/media",
        image["id"].as_str().unwrap()
    ));
    tour.call(
        "get",
        "/api/instances/{instance_id}/messages/{message_id}/media",
        &media_download,
        None,
    )
    .await;
    tour.call(
        "get",
        "/api/whatsapp/{instance_id}/contacts",
        &at("/api/whatsapp/{instance_id}/contacts"),
        None,
    )
    .await;
    tour.call(
        "get",
        "/api/instances/{instance_id}/activity",
        &at("/api/instances/{instance_id}/activity"),
        None,
    )
    .await;
    tour.stream_opens(&at("/api/instances/{instance_id}/events"))
        .await;

    let failed = eventually("the failed first delivery", || async {
        let listed = app.deliveries(&app.admin_key, &id, "state=failed").await;
        listed["deliveries"][0]["id"].as_str().map(str::to_owned)
    })
    .await;
    let deliveries_path = at("/api/instances/{instance_id}/webhooks/deliveries");
    tour.call(
        "get",
        "/api/instances/{instance_id}/webhooks/deliveries",
        &deliveries_path,
        None,
    )
    .await;
    let retry_path = format!("{deliveries_path}/{failed}/retry");
    tour.call(
        "post",
        "/api/instances/{instance_id}/webhooks/deliveries/{delivery_id}/retry",
        &retry_path,
        None,
    )
    .await;

    tour.call("get", "/api/stats/user", "/api/stats/user", None)
        .await;
    tour.call(
        "get",
        "/api/stats/instances/{instance_id}",
        &at("/api/stats/instances/{instance_id}"),
        None,
    )
    .await;
    tour.call("get", "/api/stats/system", "/api/stats/system", None)
        .await;

    let update = example_body(
        &doc,
        "put",
        "/api/instances/{instance_id}",
        json!({"webhookUrl": receiver.url}),
    );
    tour.call(
        "put",
        "/api/instances/{instance_id}",
        &at("/api/instances/{instance_id}"),
        Some(update),
    )
    .await;
    let fault = example_body(
        &doc,
        "post",
        "/api/sim/instances/{instance_id}/fault",
        json!({}),
    );
    tour.call(
        "post",
        "/api/sim/instances/{instance_id}/fault",
        &at("/api/sim/instances/{instance_id}/fault"),
        Some(fault),
    )
    .await;
    tour.call(
        "post",
        "/api/instances/{instance_id}/reconnect",
        &at("/api/instances/{instance_id}/reconnect"),
        None,
    )
    .await;
    tour.call(
        "post",
        "/api/auth/api-key/rotate",
        "/api/auth/api-key/rotate",
        None,
    )
    .await;
    tour.call(
        "post",
        "/api/whatsapp/{instance_id}/logout",
        &from("/api/whatsapp/{instance_id}/logout"),
        None,
    )
    .await;
    tour.call(
        "post",
        "/api/instances/{instance_id}/logout",
        &at("/api/instances/{instance_id}/logout"),
        None,
    )
    .await;
    tour.call("delete", "/api/admin/users/{user_id}", &user_path, None)
        .await;
    tour.call(
        "delete",
        "/api/instances/{instance_id}",
        &at("/api/instances/{instance_id}"),
        None,
    )
    .await;

    assert!(
        tour.mismatches.is_empty(),
        "answers unlike the document:\n{:#?}",
        tour.mismatches
    );
    assert_eq!(tour.covered, mounted(true), "the tour calls every route");
    receiver.stop().await;
}

struct Tour<'a> {
    app: &'a TestApp,
    doc: &'a Value,
    token: String,
    covered: BTreeSet<(String, String)>,
    mismatches: Vec<String>,
}

impl Tour<'_> {
    async fn call(
        &mut self,
        method: &str,
        template: &str,
        path: &str,
        body: Option<Value>,
    ) -> Value {
        let verb = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let mut request = self.app.request(verb, path).bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        self.record(method, template, response).await
    }

    /// Checks an answer that must be a success, and counts the route as covered.
    async fn record(&mut self, method: &str, template: &str, response: Response) -> Value {
        let (status, body, mismatches) = check(self.doc, method, template, response).await;
        assert!(
            (200..300).contains(&status),
            "{method} {template}: {status} {body}"
        );
        self.mismatches.extend(mismatches);
        self.covered
            .insert((method.to_owned(), template.to_owned()));
        body
    }

    /// The event stream answers 200 `text/event-stream` and starts at once; the
    /// test reads its first frame and hangs up.
    async fn stream_opens(&mut self, path: &str) {
        let template = "/api/instances/{instance_id}/events";
        let mut response = self
            .app
            .request(Method::GET, path)
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        let documented = operation(self.doc, "get", template)["responses"]["200"]["content"]
            .as_object()
            .unwrap()
            .keys()
            .any(|documented| content_type.starts_with(documented.as_str()));
        if !documented {
            self.mismatches
                .push(format!("GET {template}: answers {content_type}"));
        }
        let first = tokio::time::timeout(Duration::from_secs(5), response.chunk()).await;
        assert!(
            matches!(first, Ok(Ok(Some(_)))),
            "the stream starts at once"
        );
        self.covered.insert(("get".to_owned(), template.to_owned()));
    }
}
