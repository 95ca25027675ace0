//! What the routes read beside their bodies' fields (which check themselves:
//! `domain::fields`): dates, periods and the `Idempotency-Key` header; and how a
//! field's refusal is answered.

use actix_web::http::header::HeaderMap;

use crate::app::IdempotencyKey;
use crate::domain::fields::Refusal;
use crate::domain::period::{Period, Periods};
use crate::domain::time::parse_iso;
use crate::error::{ApiError, ErrorCode};

pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";
pub const REPLAYED_HEADER: &str = "idempotent-replayed";

/// An optional ISO 8601 date or date-time, as Unix milliseconds.
pub fn date(name: &str, value: Option<&str>) -> Result<Option<i64>, ApiError> {
    value
        .map(|raw| {
            parse_iso(raw).ok_or_else(|| {
                ApiError::validation(format!("{name} must be an ISO 8601 date or date-time"))
            })
        })
        .transpose()
}

/// A statistics period among those a route allows.
pub fn period(raw: Option<&str>, periods: &Periods) -> Result<Period, ApiError> {
    match raw {
        None => Ok(periods.default),
        Some(raw) => Period::parse(raw, periods.allowed).ok_or_else(|| {
            let names: Vec<_> = periods.allowed.iter().map(|p| p.name()).collect();
            ApiError::validation(format!("period must be one of: {}", names.join(", ")))
        }),
    }
}

/// The request's `Idempotency-Key`, if it sent one.
pub fn idempotency_key(headers: &HeaderMap) -> Result<Option<IdempotencyKey>, ApiError> {
    headers
        .get(IDEMPOTENCY_HEADER)
        .map(|value| IdempotencyKey::parse(value.to_str().unwrap_or_default()))
        .transpose()
}

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::Invalid(message) => ApiError::validation(message),
            Refusal::Phone(message) => ApiError::new(ErrorCode::InvalidPhone, message),
            Refusal::Group(message) => ApiError::new(ErrorCode::InvalidGroup, message),
        }
    }
}
