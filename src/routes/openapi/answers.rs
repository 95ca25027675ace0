//! Answers that are not JSON, described as what they are: binary images and
//! media, and the event stream's events.

use serde_json::json;
use utoipa::openapi::RefOr;
use utoipa::openapi::path::Operation;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};

/// Images and stored media are bytes, not JSON arrays of numbers.
pub(super) fn binary_answers(operation: &mut Operation) {
    for response in operation.responses.responses.values_mut() {
        let RefOr::T(response) = response else {
            continue;
        };
        for (media_type, content) in &mut response.content {
            let RefOr::T(content) = content else {
                continue;
            };
            let binary = media_type.starts_with("image/png") || media_type == "*/*";
            let text = media_type.starts_with("image/svg");
            if binary || text {
                let mut schema = ObjectBuilder::new().schema_type(Type::String);
                if binary {
                    schema = schema.format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)));
                }
                content.schema = Some(schema.into());
            }
        }
    }
}

/// A `text/event-stream` answer is described event by event (as OpenAPI 3.2
/// and schemathesis read it): a named event whose `data` is the JSON envelope
/// a webhook delivery posts (each event's in full: `WebhookEvent`).
pub(super) fn event_stream(operation: &mut Operation) {
    let names = crate::events::Event::NAMES;
    let envelope = json!({
        "type": "object",
        "required": ["event", "data", "timestamp"],
        "additionalProperties": false,
        "properties": {
            "event": {"type": "string", "enum": names},
            "data": {
                "type": "object",
                "required": ["instanceId"],
                "properties": {"instanceId": {"type": "string", "format": "uuid"}}
            },
            "timestamp": {"type": "string", "format": "date-time"}
        }
    });
    for response in operation.responses.responses.values_mut() {
        let RefOr::T(response) = response else {
            continue;
        };
        let Some(RefOr::T(content)) = response.content.get_mut("text/event-stream") else {
            continue;
        };
        let mut data = ObjectBuilder::new()
            .schema_type(Type::String)
            .content_media_type("application/json")
            .build();
        data.extensions
            .get_or_insert_with(Default::default)
            .insert("contentSchema".to_owned(), envelope.clone());
        let event = ObjectBuilder::new()
            .property(
                "event",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some(names.iter().copied())),
            )
            .property("data", data)
            .required("event")
            .required("data");
        content.schema = Some(event.into());
    }
}
