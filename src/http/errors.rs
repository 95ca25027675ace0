//! Makes sure no error leaves the server as plain text or HTML: extractor
//! failures become `ApiError`s, and any other error response gets a JSON body.

use actix_web::body::MessageBody;
use actix_web::dev::ServiceResponse;
use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::header::{ALLOW, CONTENT_TYPE, HeaderValue};
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpMessage, ResponseError};
use actix_web::{HttpRequest, HttpResponse, web};

use super::state::AppState;
use crate::domain::text::echoed;
use crate::error::{ApiError, ErrorBody, ErrorCode};
use crate::security::methods::SentAsHead;

pub fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit)
        .content_type_required(true)
        .error_handler(|err, _req| json_error(err).into())
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, _req| query_error(err).into())
}

pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|err, _req| path_error(err).into())
}

fn json_error(err: JsonPayloadError) -> ApiError {
    match err {
        JsonPayloadError::Overflow { limit }
        | JsonPayloadError::OverflowKnownLength { limit, .. } => ApiError::payload_too_large(limit),
        JsonPayloadError::Deserialize(err) if err.is_data() => {
            ApiError::validation(format!("invalid request body: {err}"))
        }
        JsonPayloadError::Deserialize(err)
            if err.is_eof() && err.line() == 1 && err.column() == 0 =>
        {
            ApiError::new(
                ErrorCode::InvalidJson,
                "request body is empty; a JSON object is expected",
            )
        }
        JsonPayloadError::Deserialize(err) => {
            ApiError::new(ErrorCode::InvalidJson, format!("malformed JSON: {err}"))
        }
        JsonPayloadError::ContentType => ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "Content-Type must be application/json",
        ),
        other => ApiError::new(
            ErrorCode::InvalidBody,
            format!("could not read request body: {other}"),
        ),
    }
}

fn query_error(err: QueryPayloadError) -> ApiError {
    let QueryPayloadError::Deserialize(err) = err else {
        return ApiError::new(ErrorCode::InvalidQuery, "invalid query string");
    };
    ApiError::new(
        ErrorCode::InvalidQuery,
        format!("invalid query string: {err}"),
    )
}

fn path_error(err: PathError) -> ApiError {
    let PathError::Deserialize(err) = err else {
        return ApiError::new(ErrorCode::NotFound, "not found");
    };
    ApiError::new(ErrorCode::NotFound, format!("not found: {err}"))
}

/// Default service: a path no route has is a JSON 404; a route's path with a
/// method it does not answer is a JSON 405 naming the ones it does in `Allow`
/// (`HEAD` wherever `GET` is: `security::methods` answers it). The path is
/// repeated shortened (`text::echoed`).
pub async fn no_route(req: HttpRequest) -> HttpResponse {
    let method = if req.extensions().get::<SentAsHead>().is_some() {
        "HEAD".to_owned()
    } else {
        req.method().to_string()
    };
    let path = echoed(req.path());
    let Some(pattern) = req.resource_map().match_pattern(req.path()) else {
        return ApiError::new(
            ErrorCode::RouteNotFound,
            format!("no route for {method} {path}"),
        )
        .error_response();
    };
    let allowed = req
        .app_data::<web::Data<AppState>>()
        .and_then(|state| state.routes.methods(&pattern))
        .map(allow_header)
        .unwrap_or_else(|| "GET, HEAD".to_owned());
    let mut response = ApiError::new(
        ErrorCode::MethodNotAllowed,
        format!("{method} is not allowed on {path}"),
    )
    .error_response();
    if let Ok(value) = HeaderValue::from_str(&allowed) {
        response.headers_mut().insert(ALLOW, value);
    }
    response
}

/// The `Allow` value of a route answering `methods`: `HEAD` beside `GET`.
fn allow_header(methods: &[&str]) -> String {
    let mut allowed: Vec<String> = methods.iter().map(|m| m.to_uppercase()).collect();
    if allowed.iter().any(|m| m == "GET") && !allowed.iter().any(|m| m == "HEAD") {
        allowed.push("HEAD".to_owned());
    }
    allowed.join(", ")
}

/// Gives a JSON body to error responses produced outside our handlers
/// (router 405s, actix's own 4xx/5xx), keeping JSON ones untouched.
pub fn ensure_json_body<B: MessageBody>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_json = res
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"));
    if is_json {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let (code, message) = match status.as_u16() {
        405 => (
            ErrorCode::MethodNotAllowed,
            "method not allowed for this route",
        ),
        404 => (ErrorCode::RouteNotFound, "not found"),
        413 => (ErrorCode::PayloadTooLarge, "request body is too large"),
        s if s >= 500 => (ErrorCode::InternalError, "internal server error"),
        _ => (
            ErrorCode::BadRequest,
            status.canonical_reason().unwrap_or("bad request"),
        ),
    };
    let (req, _) = res.into_parts();
    let response = HttpResponse::build(status).json(ErrorBody {
        error: message,
        code: code.as_str(),
    });
    let res = ServiceResponse::new(req, response).map_into_right_body();
    Ok(ErrorHandlerResponse::Response(res))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_names_head_wherever_get_is() {
        assert_eq!(allow_header(&["get", "delete"]), "GET, DELETE, HEAD");
        assert_eq!(allow_header(&["post"]), "POST");
    }
}
