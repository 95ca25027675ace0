//! Comparing real answers with the document: shapes, error codes, and the tour's record.

use std::collections::BTreeSet;
use std::time::Duration;

use reqwest::{Method, Response};
use serde_json::Value;

use super::operation;
use crate::helpers::*;

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
pub(super) async fn check(
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

pub(super) struct Tour<'a> {
    pub(super) app: &'a TestApp,
    pub(super) doc: &'a Value,
    pub(super) token: String,
    pub(super) covered: BTreeSet<(String, String)>,
    pub(super) mismatches: Vec<String>,
}

impl Tour<'_> {
    pub(super) async fn call(
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
    pub(super) async fn record(
        &mut self,
        method: &str,
        template: &str,
        response: Response,
    ) -> Value {
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
    pub(super) async fn stream_opens(&mut self, template: &str, path: &str) {
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
