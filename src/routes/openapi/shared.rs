//! What many operations share, added to the document once instead of on each
//! handler: credentials and 401, the instance 404, the common refusals, and the
//! WhatsApp API's aliases of instance routes (the send routes': `sends.rs`).

use utoipa::Modify;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};

type ResponsesMap = std::collections::BTreeMap<String, RefOr<Response>>;

use crate::error::{ErrorBody, ErrorCode};

/// Bearer JWT (from login) and `x-api-key`: every route but the public ones
/// takes either, and answers 401 without them. Declared here once rather than on
/// each handler; a public route says so on its handler with `security()`.
pub struct Credentials;

impl Modify for Credentials {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            for operation in super::operations(item) {
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

/// Answers many routes may give, added where each can happen (a route with its
/// own wording for one documents it itself): 403 from `server.allowed_ips`
/// anywhere, and on the admin routes for everyone else; 429 and 503 on every
/// secured route; 400, 413 and 415 on every route that reads a body.
pub struct CommonAnswers;

impl Modify for CommonAnswers {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            for operation in super::operations(item) {
                let secured = !operation.security.as_ref().is_some_and(Vec::is_empty);
                let admin_only = operation
                    .tags
                    .as_ref()
                    .is_some_and(|tags| tags.iter().any(|tag| tag == "admin"));
                let reads_body = operation.request_body.is_some();
                let responses = &mut operation.responses.responses;
                let add =
                    |responses: &mut ResponsesMap, status: &str, response: fn() -> Response| {
                        responses
                            .entry(status.to_owned())
                            .or_insert_with(|| response().into());
                    };
                if secured {
                    add(responses, "429", too_many);
                    add(responses, "503", unavailable);
                }
                if admin_only {
                    add(responses, "403", not_admin);
                }
                let other_403 = responses.contains_key("403");
                add(responses, "403", address_not_allowed);
                if reads_body {
                    add(responses, "400", bad_body);
                    add(responses, "413", too_large);
                    add(responses, "415", wrong_media_type);
                }
                if other_403 && let Some(RefOr::T(forbidden)) = responses.get_mut("403") {
                    forbidden.description.push_str(
                        "; or `server.allowed_ips` is set and the client's address is not in it",
                    );
                }
            }
        }
    }
}

fn too_many() -> Response {
    let mut response = json_error(
        "Too many requests from this caller, or too many failed authentications from this \
         address (`limits` in the configuration); `Retry-After` says when to try again",
        ErrorCode::RateLimited,
        "too many requests, retry in 2 s",
    );
    response.headers.insert(
        "Retry-After".to_owned(),
        HeaderBuilder::new()
            .schema(Some(
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .minimum(Some(1)),
            ))
            .description(Some("Seconds to wait"))
            .build()
            .into(),
    );
    response
}

fn address_not_allowed() -> Response {
    json_error(
        "`server.allowed_ips` is set and the client's address is not in it",
        ErrorCode::Forbidden,
        "your address is not allowed to use this server",
    )
}

fn bad_body() -> Response {
    json_error(
        "The body is not valid: a field is missing, invalid or unknown (`validation_error`), or \
         it is not JSON (`invalid_json`)",
        ErrorCode::ValidationError,
        "invalid request body: missing field `name`",
    )
}

fn too_large() -> Response {
    json_error(
        "The body is larger than the server takes (`server.json_limit_bytes`, or \
         `whatsapp.max_media_bytes` for files)",
        ErrorCode::PayloadTooLarge,
        "request body is larger than the limit of 1048576 bytes",
    )
}

fn wrong_media_type() -> Response {
    json_error(
        "The body's `Content-Type` is not the one the route reads (`application/json`, or \
         `multipart/form-data` for uploads)",
        ErrorCode::UnsupportedMediaType,
        "Content-Type must be application/json",
    )
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
            for operation in super::operations(item) {
                operation
                    .responses
                    .responses
                    .entry("404".to_owned())
                    .or_insert_with(|| instance_not_found().into());
            }
        }
    }
}

pub(super) fn json_error(description: &str, code: ErrorCode, message: &str) -> Response {
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
