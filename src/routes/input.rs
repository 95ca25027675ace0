//! Turning request fields into checked values, for every route: phones and
//! JIDs, texts, dates, periods, push names and the `Idempotency-Key` header.

use actix_web::http::header::HeaderMap;

use crate::app::IdempotencyKey;
use crate::domain::period::Period;
use crate::domain::phone::{InvalidPhone, Jid};
use crate::domain::time::parse_iso;
use crate::error::{ApiError, ErrorCode};

pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";
pub const REPLAYED_HEADER: &str = "idempotent-replayed";

const MAX_CAPTION_CHARS: usize = 1024;
#[cfg(feature = "sim")]
const MAX_PUSH_NAME_CHARS: usize = 100;

/// A phone number or a JID (a person's or a group's).
pub fn jid(raw: &str) -> Result<Jid, ApiError> {
    Jid::parse(raw)
        .map_err(|InvalidPhone| ApiError::new(ErrorCode::InvalidPhone, InvalidPhone.to_string()))
}

/// A person's number, not a group: what pairing and the simulated phone take.
pub fn phone(raw: &str) -> Result<Jid, ApiError> {
    let jid = jid(raw)?;
    if jid.is_group() {
        return Err(ApiError::new(
            ErrorCode::InvalidPhone,
            "phone must be a person's number, not a group",
        ));
    }
    Ok(jid)
}

/// A text of 1 to `max` characters, not blank, without NUL.
pub fn text(name: &str, value: &str, max: usize) -> Result<String, ApiError> {
    crate::domain::text::check_no_nul(name, value).map_err(ApiError::validation)?;
    let chars = value.chars().count();
    if value.trim().is_empty() || chars > max {
        return Err(ApiError::validation(format!(
            "{name} must be 1-{max} characters"
        )));
    }
    Ok(value.to_owned())
}

/// An optional caption: empty means none.
pub fn caption(value: Option<String>) -> Result<Option<String>, ApiError> {
    if let Some(caption) = &value {
        crate::domain::text::check_no_nul("caption", caption).map_err(ApiError::validation)?;
    }
    match value.filter(|c| !c.is_empty()) {
        Some(c) if c.chars().count() > MAX_CAPTION_CHARS => Err(ApiError::validation(format!(
            "caption must be at most {MAX_CAPTION_CHARS} characters"
        ))),
        other => Ok(other),
    }
}

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
pub fn period(raw: Option<&str>, allowed: &[Period], default: Period) -> Result<Period, ApiError> {
    match raw {
        None => Ok(default),
        Some(raw) => Period::parse(raw, allowed).ok_or_else(|| {
            let names: Vec<_> = allowed.iter().map(|p| p.name()).collect();
            ApiError::validation(format!("period must be one of: {}", names.join(", ")))
        }),
    }
}

/// A display name of at most 100 printable characters (empty when absent).
#[cfg(feature = "sim")]
pub fn push_name(raw: Option<&str>) -> Result<String, ApiError> {
    let name = raw.unwrap_or_default().trim();
    if name.chars().count() > MAX_PUSH_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(ApiError::validation(format!(
            "pushName must be at most {MAX_PUSH_NAME_CHARS} printable characters"
        )));
    }
    Ok(name.to_owned())
}

/// The request's `Idempotency-Key`, if it sent one.
pub fn idempotency_key(headers: &HeaderMap) -> Result<Option<IdempotencyKey>, ApiError> {
    headers
        .get(IDEMPOTENCY_HEADER)
        .map(|value| IdempotencyKey::parse(value.to_str().unwrap_or_default()))
        .transpose()
}
