//! What many operations share, added to the document once instead of on each
//! handler: credentials and 401, the instance 404, the send routes' header and
//! answers, and the WhatsApp API's aliases of instance routes.

use serde_json::json;
use utoipa::Modify;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{Object, ObjectBuilder, Type};
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{ContentBuilder, Ref, Required, Response, ResponseBuilder};

use crate::error::{ErrorBody, ErrorCode};

/// Bearer JWT (from login) and `x-api-key`: every route but the public ones
/// takes either, and answers 401 without them. Declared here once rather than on
/// each handler; a public route says so on its handler with `security()`.
pub struct Credentials;

impl Modify for Credentials {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ];
            for operation in operations.into_iter().flatten() {
                if operation.security.as_ref().is_some_and(Vec::is_empty) {
                    continue;
                }
                operation.security = Some(vec![
                    SecurityRequirement::new("bearer", Vec::<String>::new()),
                    SecurityRequirement::new("api_key", Vec::<String>::new()),
                ]);
                operation
                    .responses
                    .responses
                    .entry("401".to_owned())
                    .or_insert_with(|| unauthorized().into());
            }
        }
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("The token `POST /api/auth/login` returns."))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "x-api-key",
                "The user's API key (see `/api/auth/me` and `/api/auth/api-key/rotate`).",
            ))),
        );
    }
}

/// Routes of the WhatsApp API that answer exactly as an instance route does are
/// documented as copies of it, under their own id and tag.
pub struct WhatsappAliases;

const ALIASES: [(&str, &str, &str); 1] = [(
    "/api/whatsapp/{instance_id}/qr",
    "/api/instances/{instance_id}/qr",
    "whatsappQr",
)];

impl Modify for WhatsappAliases {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (alias, original, operation_id) in ALIASES {
            let Some(mut operation) = openapi
                .paths
                .paths
                .get(original)
                .and_then(|item| item.get.clone())
            else {
                continue;
            };
            operation.operation_id = Some(operation_id.to_owned());
            operation.tags = Some(vec!["whatsapp".to_owned()]);
            operation.description = Some(format!("The same as `GET {original}`."));
            let item = utoipa::openapi::PathItem::new(utoipa::openapi::HttpMethod::Get, operation);
            openapi.paths.paths.insert(alias.to_owned(), item);
        }
    }
}

/// The three send routes share the `Idempotency-Key` header and every answer but
/// 400, 413 and (for send-media) 422, which each documents itself.
pub struct SendRoutes;

const SEND_PATHS: [&str; 3] = [
    "/api/whatsapp/{instance_id}/send",
    "/api/whatsapp/{instance_id}/send-media",
    "/api/whatsapp/{instance_id}/send-file",
];

impl Modify for SendRoutes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for path in SEND_PATHS {
            let Some(operation) = openapi
                .paths
                .paths
                .get_mut(path)
                .and_then(|item| item.post.as_mut())
            else {
                continue;
            };
            operation
                .parameters
                .get_or_insert_with(Vec::new)
                .push(idempotency_key().into());
            let responses = &mut operation.responses.responses;
            for (status, response) in sent_answers() {
                responses
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

/// Answers every secured route may give: 503 when the database or an actor does
/// not answer in time; and, on the admin routes, 403 for everyone else. A route
/// with its own wording for either documents it itself.
pub struct CommonAnswers;

impl Modify for CommonAnswers {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            for operation in [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ]
            .into_iter()
            .flatten()
            {
                if operation.security.as_ref().is_some_and(Vec::is_empty) {
                    continue;
                }
                let admin_only = operation
                    .tags
                    .as_ref()
                    .is_some_and(|tags| tags.iter().any(|tag| tag == "admin"));
                let responses = &mut operation.responses.responses;
                responses
                    .entry("503".to_owned())
                    .or_insert_with(|| unavailable().into());
                if admin_only {
                    responses
                        .entry("403".to_owned())
                        .or_insert_with(|| not_admin().into());
                }
            }
        }
    }
}

fn unavailable() -> Response {
    json_error(
        "The database or the instance did not answer in time, or the instance is restarting; try again",
        ErrorCode::ServiceUnavailable,
        "the instance did not answer in time; try again",
    )
}

fn not_admin() -> Response {
    json_error(
        "The caller is not an administrator",
        ErrorCode::Forbidden,
        "administrator role required",
    )
}

/// Every route under an instance answers 404 for an instance its caller may not
/// see; routes with more 404 causes document their own.
pub struct InstanceScope;

impl Modify for InstanceScope {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            if !path.contains("{instance_id}") {
                continue;
            }
            for operation in [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ]
            .into_iter()
            .flatten()
            {
                operation
                    .responses
                    .responses
                    .entry("404".to_owned())
                    .or_insert_with(|| instance_not_found().into());
            }
        }
    }
}

fn json_error(description: &str, code: ErrorCode, message: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .example(Some(ErrorBody::example(code, message)))
                .build(),
        )
        .build()
}

fn instance_not_found() -> Response {
    json_error(
        "No such instance for this user (another user's instance is a 404 too)",
        ErrorCode::InstanceNotFound,
        "instance not found",
    )
}

fn unauthorized() -> Response {
    json_error(
        "Missing or invalid credentials, or a deactivated user",
        ErrorCode::Unauthorized,
        "invalid or expired credentials",
    )
}
