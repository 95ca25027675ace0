//! Every delivered body against the OpenAPI document's `WebhookEvent`: its
//! event is documented, `data` carries every required field of that event's
//! payload schema and nothing the schema does not list.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::receiver::Received;

fn component<'a>(doc: &'a Value, reference: &str) -> &'a Value {
    let name = reference.trim_start_matches("#/components/schemas/");
    let schema = &doc["components"]["schemas"][name];
    assert!(!schema.is_null(), "{reference} is not in the document");
    schema
}

/// The properties and required names of a schema, through `$ref` and `allOf`.
fn fields(
    doc: &Value,
    schema: &Value,
    known: &mut BTreeSet<String>,
    required: &mut BTreeSet<String>,
) {
    if let Some(reference) = schema["$ref"].as_str() {
        return fields(doc, component(doc, reference), known, required);
    }
    for part in schema["allOf"].as_array().into_iter().flatten() {
        fields(doc, part, known, required);
    }
    if let Some(properties) = schema["properties"].as_object() {
        known.extend(properties.keys().cloned());
    }
    for name in schema["required"].as_array().into_iter().flatten() {
        required.insert(name.as_str().unwrap_or_default().to_owned());
    }
}

/// Fails on the first body the document does not describe.
pub fn assert_documented(doc: &Value, requests: &[Received]) {
    let envelopes = doc["components"]["schemas"]["WebhookEvent"]["oneOf"]
        .as_array()
        .expect("WebhookEvent lists one envelope per event");
    assert!(!requests.is_empty());
    for request in requests {
        let body = request.json();
        let event = body["event"].as_str().unwrap_or_default();
        let envelope = envelopes
            .iter()
            .find(|e| e["properties"]["event"]["enum"][0] == event)
            .unwrap_or_else(|| panic!("{event} is not documented"));
        let (mut known, mut required) = (BTreeSet::new(), BTreeSet::new());
        fields(
            doc,
            &envelope["properties"]["data"],
            &mut known,
            &mut required,
        );
        let data = body["data"].as_object().expect("data is an object");
        let present: BTreeSet<String> = data.keys().cloned().collect();
        let undocumented: Vec<_> = present.difference(&known).collect();
        let missing: Vec<_> = required.difference(&present).collect();
        assert!(
            undocumented.is_empty() && missing.is_empty(),
            "{event}: undocumented {undocumented:?}, missing {missing:?} in {body}"
        );
    }
}

/// What the receivers got so far, against the document the app serves.
pub async fn assert_deliveries_documented(
    app: &crate::helpers::TestApp,
    receivers: &[&crate::receiver::Receiver],
) {
    let response = app
        .request(reqwest::Method::GET, "/api/openapi.json")
        .send()
        .await
        .unwrap();
    let document = crate::helpers::json_body(response).await;
    let requests: Vec<Received> = receivers.iter().flat_map(|r| r.requests()).collect();
    assert_documented(&document, &requests);
}
