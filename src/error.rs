//! One error type for every handler and service: a code from one table (which
//! also fixes its HTTP status) and a message. It renders the contract's JSON body
//! `{"error": "...", "code": "..."}` and keeps internal causes in the log only.

use std::borrow::Cow;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

/// Declares the error codes, their wire names and their HTTP statuses in one table.
macro_rules! error_codes {
    ($( $(#[$doc:meta])* $variant:ident = $wire:literal => $status:ident ),* $(,)?) => {
        /// Every `code` the API answers with.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode {
            $( $(#[$doc])* $variant, )*
        }

        impl ErrorCode {
            pub const ALL: &[ErrorCode] = &[ $( ErrorCode::$variant ),* ];

            /// The code as it appears in the body.
            pub const fn as_str(self) -> &'static str {
                match self { $( ErrorCode::$variant => $wire, )* }
            }

            pub const fn status(self) -> StatusCode {
                match self { $( ErrorCode::$variant => StatusCode::$status, )* }
            }
        }
    };
}

error_codes! {
    /// A field is missing, invalid or unknown.
    ValidationError = "validation_error" => BAD_REQUEST,
    InvalidJson = "invalid_json" => BAD_REQUEST,
    InvalidBody = "invalid_body" => BAD_REQUEST,
    InvalidQuery = "invalid_query" => BAD_REQUEST,
    InvalidMultipart = "invalid_multipart" => BAD_REQUEST,
    InvalidPhone = "invalid_phone" => BAD_REQUEST,
    InvalidIdempotencyKey = "invalid_idempotency_key" => BAD_REQUEST,
    /// WhatsApp refused the message as given.
    SendRejected = "send_rejected" => BAD_REQUEST,
    /// A media URL points at a private, loopback or link-local address.
    UrlNotAllowed = "url_not_allowed" => BAD_REQUEST,
    WebhookUrlNotAllowed = "webhook_url_not_allowed" => BAD_REQUEST,
    /// A protocol-level problem with the request itself.
    BadRequest = "bad_request" => BAD_REQUEST,
    Unauthorized = "unauthorized" => UNAUTHORIZED,
    Forbidden = "forbidden" => FORBIDDEN,
    /// A path parameter that cannot name anything.
    NotFound = "not_found" => NOT_FOUND,
    RouteNotFound = "route_not_found" => NOT_FOUND,
    /// Missing, or another user's.
    InstanceNotFound = "instance_not_found" => NOT_FOUND,
    UserNotFound = "user_not_found" => NOT_FOUND,
    MessageNotFound = "message_not_found" => NOT_FOUND,
    /// Not a group this instance's account is in (or no group at all).
    GroupNotFound = "group_not_found" => NOT_FOUND,
    /// Only the group's admins may do that.
    NotGroupAdmin = "not_group_admin" => FORBIDDEN,
    /// A group id that is not a group JID or its digits.
    InvalidGroup = "invalid_group" => BAD_REQUEST,
    /// A LID that is not digits (with or without `@lid`).
    InvalidLid = "invalid_lid" => BAD_REQUEST,
    /// Neither WhatsApp nor the instance's history has told this LID's person.
    LidNotFound = "lid_not_found" => NOT_FOUND,
    MediaNotStored = "media_not_stored" => NOT_FOUND,
    DeliveryNotFound = "delivery_not_found" => NOT_FOUND,
    QrNotAvailable = "qr_not_available" => NOT_FOUND,
    MethodNotAllowed = "method_not_allowed" => METHOD_NOT_ALLOWED,
    /// The client took too long to send its request body.
    RequestTimeout = "request_timeout" => REQUEST_TIMEOUT,
    EmailTaken = "email_taken" => CONFLICT,
    SelfLockout = "self_lockout" => CONFLICT,
    InstanceNotConnected = "instance_not_connected" => CONFLICT,
    InstanceNotPairable = "instance_not_pairable" => CONFLICT,
    IdempotencyInProgress = "idempotency_in_progress" => CONFLICT,
    DeliveryNotFailed = "delivery_not_failed" => CONFLICT,
    /// Only the instance's own text messages can be edited.
    MessageNotEditable = "message_not_editable" => CONFLICT,
    /// Only the instance's own messages can be deleted for everyone.
    MessageNotDeletable = "message_not_deletable" => CONFLICT,
    /// Simulated network: the instance has no running session.
    NoSession = "no_session" => CONFLICT,
    /// Simulated network: no QR code waits to be scanned.
    NoQrPending = "no_qr_pending" => CONFLICT,
    PhoneInUse = "phone_in_use" => CONFLICT,
    /// An update would leave webhooks on with no URL to send them to.
    WebhookUrlRequired = "webhook_url_required" => CONFLICT,
    AlreadyPaired = "already_paired" => CONFLICT,
    /// Cluster: a request forwarded to a node that no longer holds the instance.
    NotHolder = "not_holder" => MISDIRECTED_REQUEST,
    PayloadTooLarge = "payload_too_large" => PAYLOAD_TOO_LARGE,
    /// The body is not of the type the route reads (JSON, or a multipart form).
    UnsupportedMediaType = "unsupported_media_type" => UNSUPPORTED_MEDIA_TYPE,
    IdempotencyKeyReused = "idempotency_key_reused" => UNPROCESSABLE_ENTITY,
    MediaFetchFailed = "media_fetch_failed" => UNPROCESSABLE_ENTITY,
    RateLimited = "rate_limited" => TOO_MANY_REQUESTS,
    InternalError = "internal_error" => INTERNAL_SERVER_ERROR,
    /// WhatsApp did not take the message.
    SendFailed = "send_failed" => BAD_GATEWAY,
    PairingRefused = "pairing_refused" => BAD_GATEWAY,
    /// WhatsApp refused a group operation.
    WhatsappError = "whatsapp_error" => BAD_GATEWAY,
    ServiceUnavailable = "service_unavailable" => SERVICE_UNAVAILABLE,
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug)]
pub struct ApiError {
    code: ErrorCode,
    message: Cow<'static, str>,
    retry_after_secs: Option<u64>,
    /// What went wrong inside, for the log (internal errors only).
    cause: Option<anyhow::Error>,
}

/// The error body, as every failing route answers it.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(example = json!({"error": "instance not found", "code": "instance_not_found"}))]
pub struct ErrorBody<'a> {
    /// What went wrong, for a person.
    pub error: &'a str,
    /// What went wrong, for a program.
    #[schema(value_type = ErrorCode)]
    pub code: &'a str,
}

impl ErrorBody<'static> {
    /// A documented example of the error body.
    pub fn example(code: ErrorCode, message: &str) -> serde_json::Value {
        serde_json::json!({ "error": message, "code": code.as_str() })
    }
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            code,
            message: message.into(),
            retry_after_secs: None,
            cause: None,
        }
    }

    pub fn validation(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorCode::ValidationError, message)
    }

    pub fn unauthorized(message: &'static str) -> Self {
        Self::new(ErrorCode::Unauthorized, message)
    }

    pub fn forbidden(message: &'static str) -> Self {
        Self::new(ErrorCode::Forbidden, message)
    }

    pub fn unavailable(message: &'static str) -> Self {
        Self::new(ErrorCode::ServiceUnavailable, message)
    }

    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            ErrorCode::PayloadTooLarge,
            format!("request body is larger than the limit of {limit} bytes"),
        )
    }

    pub fn request_timeout() -> Self {
        Self::new(
            ErrorCode::RequestTimeout,
            "the request body did not arrive in time",
        )
    }

    pub fn rate_limited(retry_after_secs: u64) -> Self {
        Self {
            retry_after_secs: Some(retry_after_secs),
            ..Self::new(
                ErrorCode::RateLimited,
                format!("too many requests, retry in {retry_after_secs} s"),
            )
        }
    }

    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        Self {
            cause: Some(cause.into()),
            ..Self::new(ErrorCode::InternalError, "internal server error")
        }
    }

    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// Seconds to wait before trying again (rate limits).
    pub fn retry_after_secs(&self) -> Option<u64> {
        self.retry_after_secs
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ApiError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.cause.as_ref().map(|cause| cause.as_ref())
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(err: sea_orm::DbErr) -> Self {
        if database_unavailable(&err) {
            tracing::error!(error = %err, "database unavailable");
            return Self::unavailable("database unavailable");
        }
        Self::internal(err)
    }
}

/// True when the error means "the database is not there right now" rather than a
/// bad query: the answer is then 503, to retry, not 500.
fn database_unavailable(err: &sea_orm::DbErr) -> bool {
    use sea_orm::sqlx::Error as SqlxError;
    use sea_orm::{DbErr, RuntimeErr};
    let runtime = match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => return true,
        DbErr::Exec(runtime) | DbErr::Query(runtime) => runtime,
        _ => return false,
    };
    let RuntimeErr::SqlxError(sqlx) = runtime else {
        return false;
    };
    match sqlx.as_ref() {
        SqlxError::Io(_)
        | SqlxError::PoolTimedOut
        | SqlxError::PoolClosed
        | SqlxError::WorkerCrashed
        | SqlxError::Tls(_) => true,
        SqlxError::Database(db) => {
            let code = db.code().unwrap_or_default();
            // SQLite: READONLY, IOERR, FULL, CANTOPEN; PostgreSQL: connection
            // exceptions (08xxx), shutdown (57P0x), insufficient resources (53xxx).
            matches!(code.as_ref(), "8" | "10" | "13" | "14")
                || code.starts_with("08")
                || code.starts_with("57P0")
                || code.starts_with("53")
        }
        _ => false,
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.code.status()
    }

    fn error_response(&self) -> HttpResponse {
        if let Some(cause) = &self.cause {
            tracing::error!(error = format!("{cause:#}"), "request failed");
        }
        let mut response = HttpResponse::build(self.status_code()).json(ErrorBody {
            error: &self.message,
            code: self.code.as_str(),
        });
        // For middleware that needs to know what failed.
        response.extensions_mut().insert(self.code);
        if let Some(secs) = self.retry_after_secs
            && let Ok(value) = HeaderValue::from_str(&secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_its_snake_case_name_on_the_wire() {
        for code in ErrorCode::ALL {
            let wire = serde_json::to_value(code).unwrap_or_default();
            assert_eq!(wire, code.as_str(), "{code:?}");
            assert!(code.status().is_client_error() || code.status().is_server_error());
        }
    }
}
