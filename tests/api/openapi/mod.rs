//! The published OpenAPI document against the router and the routes' real answers:
//! every mounted route is documented, and a tour that calls every route with its
//! documented request example gets answers shaped like the documented examples.

mod answers;
mod document;
mod tour;
mod tour_groups;
mod tour_kinds;

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::Value;

use crate::helpers::*;

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];
const NOBODY: &str = "0193a0c2-6f1e-7c3b-9a2d-4b8f2e1d0c5a";

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
        .replace("{phone}", "79001234567")
        .replace("{group_id}", "120363000000000001")
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
