//! The events wamux posts to webhooks and streams: each event's payload schema
//! from `events::Event`, and `WebhookEvent`, the body of a delivery (one
//! envelope per event name, its `data` that event's payload and `instanceId`).

use serde_json::{Value, json};
use utoipa::openapi::schema::Schema;
use utoipa::openapi::{OpenApi, RefOr};
use utoipa::{Modify, PartialSchema, ToSchema};

use crate::events::Event;

pub struct WebhookEvents;

impl Modify for WebhookEvents {
    fn modify(&self, openapi: &mut OpenApi) {
        let mut payloads = Vec::new();
        Event::schemas(&mut payloads);
        let components = openapi.components.get_or_insert_with(Default::default);
        components.schemas.extend(payloads);
        if let Some(body) = delivery_body() {
            components.schemas.insert("WebhookEvent".to_owned(), body);
        }
    }
}

/// One envelope per event, in the enum's order: the untagged enum's schema
/// lists the payloads in that order too.
fn delivery_body() -> Option<RefOr<Schema>> {
    let RefOr::T(Schema::OneOf(payloads)) = Event::schema() else {
        return None;
    };
    let envelopes: Vec<Value> = Event::NAMES
        .iter()
        .zip(&payloads.items)
        .map(|(name, payload)| {
            json!({
                "type": "object",
                "description": format!("`{name}`"),
                "required": ["event", "data", "timestamp"],
                "properties": {
                    "event": {"type": "string", "enum": [name]},
                    "data": {"allOf": [
                        {
                            "type": "object",
                            "required": ["instanceId"],
                            "properties": {"instanceId": {"type": "string", "format": "uuid"}}
                        },
                        payload
                    ]},
                    "timestamp": {"type": "string", "format": "date-time"}
                }
            })
        })
        .collect();
    serde_json::from_value(json!({
        "description": "The body of a webhook delivery and the `data` of an event-stream \
                        event: `event` names it, `data` is its payload.",
        "oneOf": envelopes
    }))
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_has_an_envelope_naming_its_payload() {
        let Some(RefOr::T(Schema::OneOf(body))) = delivery_body() else {
            panic!("no delivery body schema");
        };
        assert_eq!(body.items.len(), Event::NAMES.len());
        let text = serde_json::to_string(&body).unwrap_or_default();
        for payload in ["MessageReceivedEvent", "GroupUpdatedEvent", "PollVoteEvent"] {
            assert!(
                text.contains(&format!("#/components/schemas/{payload}")),
                "{payload}"
            );
        }
    }
}
