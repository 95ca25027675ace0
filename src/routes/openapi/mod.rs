//! The OpenAPI 3.1 document: the base (title, tags, schemes) here, the paths from
//! the handlers' annotations as `routes::mount` lists them, and what many
//! operations share (`shared`) added once at the end.
//!
//! `tests/api/openapi/` checks the document against what the routes really answer.

use std::sync::OnceLock;

use actix_web::{HttpResponse, get, web};
use utoipa::openapi::PathItem;
use utoipa::{Modify, OpenApi};

mod answers;
mod events;
mod group_answers;
mod limits;
mod sends;
mod shared;

use crate::app::answers::{Sending, Sent};
use crate::error::ErrorBody;
use crate::http::state::AppState;
use sends::SendRoutes;
use shared::{CommonAnswers, Credentials, InstanceScope, WhatsappAliases};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "wamux",
        description = "Many WhatsApp connections for many users behind one REST API.\n\n\
Every error answers `{\"error\", \"code\"}` (`ErrorBody`), with one exception: a request \
the HTTP parser refuses before any route sees it — a malformed request head (two \
`Content-Length`s, an unknown `Transfer-Encoding`) → 400, a head over the size limit → \
431, a head that does not arrive within the client request timeout → 408 — is answered \
by the HTTP server itself, with an empty body, and the connection is closed."
    ),
    components(schemas(ErrorBody, Sending, Sent)),
    tags(
        (name = "operations", description = "Health, metrics and this document"),
        (name = "auth", description = "Login, the current user and API keys"),
        (name = "admin", description = "User management (admins only)"),
        (name = "instances", description = "Creating and managing WhatsApp instances"),
        (name = "whatsapp", description = "The WhatsApp API: status, QR, sending, contacts"),
        (name = "groups", description = "WhatsApp groups: members, settings, invite links"),
        (name = "messages", description = "Stored message history and media"),
        (name = "events", description = "Live events and webhook deliveries"),
        (name = "stats", description = "Usage statistics"),
        (name = "sim", description = "The simulated WhatsApp network (backend = \"sim\" only)"),
    )
)]
struct Base;

/// The document before the routes add their paths.
pub fn base() -> utoipa::openapi::OpenApi {
    Base::openapi()
}

/// What the routes share, added once their paths are in.
pub fn finish(document: &mut utoipa::openapi::OpenApi) {
    Credentials.modify(document);
    InstanceScope.modify(document);
    SendRoutes.modify(document);
    events::WebhookEvents.modify(document);
    group_answers::GroupRoutes.modify(document);
    WhatsappAliases.modify(document);
    limits::Limits.modify(document);
    CommonAnswers.modify(document);
    if !document
        .paths
        .paths
        .keys()
        .any(|path| path.starts_with("/api/sim/"))
        && let Some(tags) = document.tags.as_mut()
    {
        tags.retain(|tag| tag.name != "sim");
    }
}

/// The methods a path answers, lower case.
pub fn methods(item: &PathItem) -> Vec<&'static str> {
    [
        ("get", item.get.is_some()),
        ("post", item.post.is_some()),
        ("put", item.put.is_some()),
        ("patch", item.patch.is_some()),
        ("delete", item.delete.is_some()),
    ]
    .into_iter()
    .filter_map(|(method, present)| present.then_some(method))
    .collect()
}

/// Paths whose operations declare no credentials (`security()`).
pub fn public_paths(document: &utoipa::openapi::OpenApi) -> Vec<String> {
    document
        .paths
        .paths
        .iter()
        .filter(|(_, item)| {
            [&item.get, &item.post, &item.put, &item.patch, &item.delete]
                .into_iter()
                .flatten()
                .all(|operation| operation.security.as_ref().is_some_and(Vec::is_empty))
        })
        .map(|(path, _)| path.clone())
        .collect()
}

/// Serialized once per process: the document never changes while it runs.
fn serialized(with_sim: bool) -> &'static str {
    static WITH_SIM: OnceLock<String> = OnceLock::new();
    static WITHOUT_SIM: OnceLock<String> = OnceLock::new();
    let cell = if with_sim { &WITH_SIM } else { &WITHOUT_SIM };
    cell.get_or_init(|| {
        serde_json::to_string(&super::document_for(with_sim)).unwrap_or_else(|err| {
            tracing::error!(error = %err, "OpenAPI document does not serialize");
            "{}".to_owned()
        })
    })
}

/// The parts of an OpenAPI document an API client relies on.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct OpenApiDocument {
    /// The OpenAPI version, `3.1.0`.
    openapi: String,
    #[schema(value_type = Object)]
    info: serde_json::Value,
    #[schema(value_type = Object)]
    paths: serde_json::Value,
    #[schema(value_type = Object)]
    components: serde_json::Value,
    #[schema(value_type = Vec<Object>)]
    tags: serde_json::Value,
}

/// No auth: the document describes the API, it holds no data.
#[utoipa::path(tag = "operations", operation_id = "openapi", security(),
    responses(
        (status = 200, description = "This OpenAPI 3.1 document", body = OpenApiDocument,
            example = json!({"openapi": "3.1.0",
                "info": {"title": "wamux", "description": "Many WhatsApp connections for many users behind one REST API.",
                         "license": {"name": "MIT", "identifier": "MIT"}, "version": "0.1.0"},
                "paths": {}, "components": {}, "tags": [{"name": "auth", "description": "Login, the current user and API keys"}]})),
    ))]
#[get("/api/openapi.json")]
pub async fn openapi_document(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(serialized(state.app.has_sim()))
}

/// Every operation of a path, to amend them all alike.
pub(super) fn operations(
    item: &mut utoipa::openapi::PathItem,
) -> impl Iterator<Item = &mut utoipa::openapi::path::Operation> {
    [
        &mut item.get,
        &mut item.post,
        &mut item.put,
        &mut item.patch,
        &mut item.delete,
    ]
    .into_iter()
    .flatten()
}

#[cfg(test)]
mod tests {
    use crate::app::instances::ActivityAction;
    use crate::app::messaging::{MessageStatus, MessageType};
    use crate::app::webhooks::DeliveryState;
    use crate::domain::instance::InstanceStatus;
    use crate::domain::user::Role;
    use serde_json::Value;
    use utoipa::PartialSchema;
    use utoipa::openapi::RefOr;
    use utoipa::openapi::schema::Schema;

    /// The documented values, the serialized ones and the stored ones agree.
    fn wire_names_everywhere<T>(all: &[T], as_str: fn(T) -> &'static str)
    where
        T: Copy + serde::Serialize + PartialSchema,
    {
        let wire: Vec<&str> = all.iter().map(|value| as_str(*value)).collect();
        let serialized: Vec<String> = all
            .iter()
            .map(|value| serde_json::to_value(value).ok())
            .map(|value| value.and_then(|v| v.as_str().map(str::to_owned)))
            .map(Option::unwrap_or_default)
            .collect();
        assert_eq!(serialized, wire);
        let RefOr::T(Schema::Object(schema)) = T::schema() else {
            panic!("a value enum is a string schema");
        };
        let documented: Vec<String> = schema
            .enum_values
            .unwrap_or_default()
            .iter()
            .filter_map(|value| value.as_str().map(str::to_owned))
            .collect();
        assert_eq!(documented, wire);
    }

    #[test]
    fn every_parameter_and_listed_field_states_its_limits() {
        let document = crate::routes::document_for(true);
        for (path, item) in &document.paths.paths {
            let mut item = item.clone();
            for operation in super::operations(&mut item) {
                for parameter in operation.parameters.iter().flatten() {
                    let RefOr::T(parameter) = parameter else {
                        continue;
                    };
                    assert!(
                        super::limits::has_parameter_limit(path, &parameter.name),
                        "{path}: parameter {} states no limit",
                        parameter.name
                    );
                }
            }
        }
        let schemas = &document
            .components
            .as_ref()
            .map(|c| c.schemas.clone())
            .unwrap_or_default();
        let json = serde_json::to_value(schemas).unwrap_or_default();
        assert_eq!(
            json["SendFileForm"]["additionalProperties"],
            serde_json::json!(false),
            "the upload form refuses unknown parts, and says so"
        );
        assert_eq!(json["SendFileForm"]["properties"]["file"]["minLength"], 1);
    }

    /// Texts that take any string the body's size limit lets through: a file
    /// name is cleaned up for the recipient, a MIME type read as a hint, and a
    /// login answers whatever was typed with 401 when it is not a user's.
    const FREE_TEXTS: &[&str] = &[
        "SendMedia.filename",
        "InboundMedia.mimetype",
        "InboundMedia.filename",
        "LoginRequest.email",
        "LoginRequest.password",
    ];

    /// Where a request body's schema has a text without a bound, by place.
    fn unbounded_texts(
        schema: &Value,
        at: &str,
        pending: &mut Vec<String>,
        found: &mut Vec<String>,
    ) {
        if let Some(name) = schema["$ref"].as_str().and_then(|r| r.rsplit('/').next()) {
            pending.push(name.to_owned());
            return;
        }
        // `anyOf` only ties fields together (`limits::cross_field_rules`),
        // beside the fields' own schemas.
        for key in ["allOf", "oneOf"] {
            for item in schema[key].as_array().into_iter().flatten() {
                unbounded_texts(item, at, pending, found);
            }
        }
        for (name, property) in schema["properties"].as_object().into_iter().flatten() {
            unbounded_texts(property, &format!("{at}.{name}"), pending, found);
        }
        if schema["items"].is_object() {
            unbounded_texts(&schema["items"], &format!("{at}[]"), pending, found);
        }
        let text = schema["type"] == "string"
            || schema["type"]
                .as_array()
                .is_some_and(|types| types.contains(&Value::from("string")));
        let bounded = ["maxLength", "pattern", "enum", "format"]
            .iter()
            .any(|key| !schema[key].is_null());
        if text && !bounded {
            found.push(at.to_owned());
        }
    }

    /// A text field states its rule by its type (`domain::fields`); a body
    /// field left a plain `String` shows up here.
    #[test]
    fn every_text_a_request_body_takes_states_its_limits() {
        let document = serde_json::to_value(crate::routes::document_for(true)).unwrap_or_default();
        let mut pending: Vec<String> = Vec::new();
        for item in document["paths"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|p| p.1)
        {
            for operation in item.as_object().into_iter().flatten().map(|o| o.1) {
                let content = &operation["requestBody"]["content"];
                for body in content.as_object().into_iter().flatten().map(|c| c.1) {
                    unbounded_texts(&body["schema"], "body", &mut pending, &mut Vec::new());
                }
            }
        }
        assert!(pending.len() > 20, "the walk sees the request bodies");
        let schemas = &document["components"]["schemas"];
        let mut seen = std::collections::HashSet::new();
        let mut found = Vec::new();
        while let Some(name) = pending.pop() {
            if seen.insert(name.clone()) {
                unbounded_texts(&schemas[&name], &name, &mut pending, &mut found);
            }
        }
        found.retain(|place| !FREE_TEXTS.contains(&place.as_str()));
        assert!(found.is_empty(), "texts without limits: {found:?}");
        assert!(seen.contains("MessageText") && seen.contains("Chat"));
    }

    /// An integer a body takes is a whole-number field (`domain::fields`),
    /// which reads `3.0` as 3 as JSON Schema does: an inline integer (a plain
    /// `u32` field, which refuses `3.0`) shows up here.
    #[test]
    fn every_integer_a_request_body_takes_is_a_whole_number_field() {
        let document = serde_json::to_value(crate::routes::document_for(true)).unwrap_or_default();
        let mut pending: Vec<String> = Vec::new();
        let mut found = Vec::new();
        for operation in document["paths"]
            .as_object()
            .into_iter()
            .flatten()
            .flat_map(|(_, item)| item.as_object().into_iter().flatten())
        {
            let content = &operation.1["requestBody"]["content"];
            for body in content.as_object().into_iter().flatten().map(|c| c.1) {
                inline_integers(&body["schema"], "body", &mut pending, &mut found);
            }
        }
        let schemas = &document["components"]["schemas"];
        let mut seen = std::collections::HashSet::new();
        while let Some(name) = pending.pop() {
            if seen.insert(name.clone()) {
                inline_integers(&schemas[&name], &name, &mut pending, &mut found);
            }
        }
        assert!(
            found.is_empty(),
            "integers read as plain numbers: {found:?}"
        );
        assert!(seen.contains("MaxRetries") && seen.contains("SelectableCount"));
    }

    /// Where a schema has an integer property or item of its own (not a
    /// named whole-number type), by place.
    fn inline_integers(
        schema: &Value,
        at: &str,
        pending: &mut Vec<String>,
        found: &mut Vec<String>,
    ) {
        if let Some(name) = schema["$ref"].as_str().and_then(|r| r.rsplit('/').next()) {
            pending.push(name.to_owned());
            return;
        }
        let is_integer = |schema: &Value| {
            schema["type"] == "integer"
                || schema["type"]
                    .as_array()
                    .is_some_and(|types| types.contains(&Value::from("integer")))
        };
        let mut nested: Vec<(String, &Value)> = Vec::new();
        for key in ["allOf", "oneOf", "anyOf"] {
            for item in schema[key].as_array().into_iter().flatten() {
                nested.push((at.to_owned(), item));
            }
        }
        for (name, property) in schema["properties"].as_object().into_iter().flatten() {
            nested.push((format!("{at}.{name}"), property));
        }
        if schema["items"].is_object() {
            nested.push((format!("{at}[]"), &schema["items"]));
        }
        for (place, inner) in nested {
            if is_integer(inner) {
                found.push(place);
            } else {
                inline_integers(inner, &place, pending, found);
            }
        }
    }

    #[test]
    fn value_enums_document_their_wire_names() {
        wire_names_everywhere(InstanceStatus::ALL, InstanceStatus::as_str);
        wire_names_everywhere(MessageType::ALL, MessageType::as_str);
        wire_names_everywhere(MessageStatus::ALL, MessageStatus::as_str);
        wire_names_everywhere(DeliveryState::ALL, DeliveryState::as_str);
        wire_names_everywhere(ActivityAction::ALL, ActivityAction::as_str);
        wire_names_everywhere(Role::ALL, Role::as_str);
    }
}
