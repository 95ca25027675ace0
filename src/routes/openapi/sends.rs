//! What every send route shares, stated once: the `Idempotency-Key` header
//! and the answers of a send.

use serde_json::json;
use utoipa::Modify;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{Object, ObjectBuilder, Type};
use utoipa::openapi::{ContentBuilder, Ref, Required, Response, ResponseBuilder};

use super::shared::json_error;
use crate::error::ErrorCode;

/// The send routes (and reactions and votes, which answer alike) share the
/// `Idempotency-Key` header and every answer but
/// 400, 413 and (for send-media) 422, which each documents itself.
pub struct SendRoutes;

const SEND_PATHS: [&str; 8] = [
    "/api/whatsapp/{instance_id}/send",
    "/api/whatsapp/{instance_id}/send-media",
    "/api/whatsapp/{instance_id}/send-file",
    "/api/whatsapp/{instance_id}/send-location",
    "/api/whatsapp/{instance_id}/send-contact",
    "/api/whatsapp/{instance_id}/send-poll",
    "/api/whatsapp/{instance_id}/messages/{message_id}/reaction",
    "/api/whatsapp/{instance_id}/messages/{message_id}/vote",
];

impl Modify for SendRoutes {
    /// Editing and deleting for everyone take a key too; their own answers
    /// (200 included) stay as they document them.
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let paths = &mut openapi.paths.paths;
        let mut operations = Vec::new();
        for (path, item) in paths.iter_mut() {
            if SEND_PATHS.contains(&path.as_str()) {
                if path.starts_with("/api/whatsapp/{instance_id}/send")
                    && let Some(send) = item.post.as_mut()
                {
                    send.responses
                        .responses
                        .insert("202".to_owned(), still_sending().into());
                }
                operations.extend(item.post.as_mut());
            } else if path == "/api/whatsapp/{instance_id}/messages/{message_id}" {
                operations.extend(
                    [item.patch.as_mut(), item.delete.as_mut()]
                        .into_iter()
                        .flatten(),
                );
            }
        }
        for operation in operations {
            operation
                .parameters
                .get_or_insert_with(Vec::new)
                .push(idempotency_key().into());
            for (status, response) in sent_answers() {
                operation
                    .responses
                    .responses
                    .entry(status.to_owned())
                    .or_insert_with(|| response.into());
            }
        }
    }
}

fn string_schema() -> Object {
    ObjectBuilder::new().schema_type(Type::String).build()
}

fn idempotency_key() -> Parameter {
    ParameterBuilder::new()
        .name("Idempotency-Key")
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(
            "Optional, 1-255 visible ASCII characters. A retry with the same key for the same \
             instance within 24 h gets the first answer (with `Idempotent-Replayed: true`) and \
             nothing is sent again; the same key with a different request is a 422",
        ))
        .schema(Some(string_schema()))
        .build()
}

/// A send that outlives `request_timeout_ms` (a large upload, a big group).
fn still_sending() -> Response {
    ResponseBuilder::new()
        .description(
            "Still sending when the request's time ran out: it goes on, and its row and events \
             (`message_sent`, `message_failed`) tell how it ends. `id` is its WhatsApp message id; \
             a retry with the same `Idempotency-Key` answers this again and sends nothing twice",
        )
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Sending")))
                .example(Some(
                    json!({"id": "3EB0C258F6AA7F19E2F2C2", "status": "sending"}),
                ))
                .build(),
        )
        .build()
}

fn sent_answers() -> [(&'static str, Response); 5] {
    let sent = ResponseBuilder::new()
        .description(
            "Sent: WhatsApp took the message; `id` is its WhatsApp message id (used by history, \
             receipts and webhooks)",
        )
        .header(
            "Idempotent-Replayed",
            HeaderBuilder::new()
                .schema(Some(string_schema()))
                .description(Some(
                    "`true` when this is the stored answer to an earlier request with the same `Idempotency-Key`",
                ))
                .build(),
        )
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Sent")))
                .example(Some(json!({"id": "3EB0C258F6AA7F19E2F2C2"})))
                .build(),
        )
        .build();
    [
        ("200", sent),
        (
            "409",
            json_error(
                "The instance is not connected to WhatsApp (`instance_not_connected`), or a request \
                 with the same `Idempotency-Key` is still in progress (`idempotency_in_progress`)",
                ErrorCode::InstanceNotConnected,
                "the instance is not connected to WhatsApp",
            ),
        ),
        (
            "422",
            json_error(
                "This `Idempotency-Key` was already used for a different request",
                ErrorCode::IdempotencyKeyReused,
                "this Idempotency-Key was used for a different request",
            ),
        ),
        (
            "502",
            json_error(
                "WhatsApp did not take the message",
                ErrorCode::SendFailed,
                "the message could not be sent: connection reset",
            ),
        ),
        (
            "503",
            json_error(
                "The instance did not answer in time, is restarting, or the message could not be \
                 recorded; try again",
                ErrorCode::ServiceUnavailable,
                "the instance did not answer in time; try again",
            ),
        ),
    ]
}
