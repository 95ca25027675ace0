//! The document against the router: every route listed, 401s and 404s as documented, Swagger UI.

use std::collections::BTreeSet;

use reqwest::Method;

use super::answers::check;
use super::{documented, fetch_document, is_public, mounted, operation, with_stand_ins};
use crate::helpers::*;

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

/// A schema a client generator can type: a reference, or one with a type or a
/// composition. `{}` (anything) is not one.
fn is_typed(schema: &serde_json::Value) -> bool {
    ["$ref", "type", "allOf", "oneOf", "anyOf", "properties"]
        .iter()
        .any(|key| schema.get(*key).is_some())
}

#[actix_web::test]
async fn every_request_body_and_json_answer_has_a_typed_schema() {
    let app = spawn_sim_app(TestDb::Sqlite).await;
    let doc = fetch_document(&app).await;
    let mut untyped = Vec::new();
    for (method, template) in documented(&doc) {
        let op = operation(&doc, &method, &template);
        let mut contents = vec![("request".to_owned(), &op["requestBody"]["content"])];
        for (status, response) in op["responses"].as_object().unwrap() {
            contents.push((status.clone(), &response["content"]));
        }
        for (what, content) in contents {
            for media in ["application/json", "multipart/form-data"] {
                if let Some(body) = content.get(media)
                    && !is_typed(&body["schema"])
                {
                    untyped.push(format!("{method} {template} {what} {media}"));
                }
            }
        }
    }
    for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
        if !is_typed(schema) {
            untyped.push(format!("components.schemas.{name}"));
        }
    }
    assert!(untyped.is_empty(), "untyped schemas: {untyped:#?}");
}

#[actix_web::test]
async fn every_documented_operation_is_routed() {
    let app = spawn_sim_app(TestDb::Sqlite).await;
    let doc = fetch_document(&app).await;
    for (method, template) in documented(&doc) {
        let verb = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let response = app
            .as_admin(verb, &with_stand_ins(&template))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let body: serde_json::Value = response.json().await.unwrap_or_default();
        assert!(
            !matches!(
                body["code"].as_str(),
                Some("route_not_found" | "method_not_allowed")
            ),
            "{method} {template} is documented but not routed: {status} {body}"
        );
    }
}
