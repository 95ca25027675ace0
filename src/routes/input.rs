//! Turning request fields into checked values, for every route: phones and
//! JIDs, texts, dates, periods, push names and the `Idempotency-Key` header.
//! Text shapes come from `domain::rules`, which the OpenAPI document states.

use actix_web::http::header::HeaderMap;

use crate::app::IdempotencyKey;
use crate::domain::period::{Period, Periods};
use crate::domain::phone::{InvalidPhone, Jid};
use crate::domain::rules;
use crate::domain::time::parse_iso;
use crate::error::{ApiError, ErrorCode};

pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";
pub const REPLAYED_HEADER: &str = "idempotent-replayed";

/// A phone number or a JID (a person's or a group's).
pub fn jid(raw: &str) -> Result<Jid, ApiError> {
    Jid::parse(raw)
        .map_err(|InvalidPhone| ApiError::new(ErrorCode::InvalidPhone, InvalidPhone.to_string()))
}

/// A group's JID (`…@g.us`). Only the simulated network's routes take one.
#[cfg_attr(not(feature = "sim"), allow(dead_code))]
pub fn group(raw: &str) -> Result<Jid, ApiError> {
    match Jid::parse(raw) {
        Ok(jid) if jid.is_group() && rules::GROUP.allows(raw) => Ok(jid),
        _ => Err(ApiError::validation(
            "group must be a group JID: digits and dashes ending in @g.us",
        )),
    }
}

/// A `{groupId}`: a group JID's digits or the whole JID.
pub fn group_id(raw: &str) -> Result<Jid, ApiError> {
    let trimmed = raw.trim();
    let whole = if trimmed.ends_with("@g.us") {
        trimmed.to_owned()
    } else {
        format!("{trimmed}@g.us")
    };
    match Jid::parse(&whole) {
        Ok(jid) if jid.is_group() && rules::GROUP_ID.allows(raw) => Ok(jid),
        _ => Err(ApiError::new(
            ErrorCode::InvalidGroup,
            "groupId must be a group JID (120363…@g.us) or its digits",
        )),
    }
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

/// A text message's body (`domain::rules::MESSAGE_TEXT`).
pub fn message_text(value: &str) -> Result<String, ApiError> {
    if !rules::MESSAGE_TEXT.allows(value) {
        return Err(ApiError::validation(format!(
            "message must be 1-{} characters, not blank, without NUL",
            rules::MESSAGE_TEXT.max_chars
        )));
    }
    Ok(value.to_owned())
}

/// An optional caption: empty means none.
pub fn caption(value: Option<String>) -> Result<Option<String>, ApiError> {
    match value {
        Some(caption) if !rules::CAPTION.allows(&caption) => Err(ApiError::validation(format!(
            "caption must be at most {} characters, without NUL",
            rules::CAPTION.max_chars
        ))),
        other => Ok(other.filter(|c| !c.is_empty())),
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
pub fn period(raw: Option<&str>, periods: &Periods) -> Result<Period, ApiError> {
    match raw {
        None => Ok(periods.default),
        Some(raw) => Period::parse(raw, periods.allowed).ok_or_else(|| {
            let names: Vec<_> = periods.allowed.iter().map(|p| p.name()).collect();
            ApiError::validation(format!("period must be one of: {}", names.join(", ")))
        }),
    }
}

/// A display name of at most 100 characters as sent, no control characters;
/// trimmed (empty when absent).
#[cfg(feature = "sim")]
pub fn push_name(raw: Option<&str>) -> Result<String, ApiError> {
    let name = raw.unwrap_or_default();
    if !rules::PERSON_NAME.allows(name) {
        return Err(ApiError::validation(format!(
            "pushName must be at most {} characters, without control characters",
            rules::PERSON_NAME.max_chars
        )));
    }
    Ok(name.trim().to_owned())
}

/// The request's `Idempotency-Key`, if it sent one.
pub fn idempotency_key(headers: &HeaderMap) -> Result<Option<IdempotencyKey>, ApiError> {
    headers
        .get(IDEMPOTENCY_HEADER)
        .map(|value| IdempotencyKey::parse(value.to_str().unwrap_or_default()))
        .transpose()
}

/// JSON Schema counts `3.0` as the integer 3, so the server does too.
pub fn integral<'de, D>(deserializer: D) -> Result<Option<i64>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    // Within i64 on both sides; anything beyond fails every range check anyway.
    const LIMIT: f64 = 9.2e18;
    let Some(number) =
        <Option<serde_json::Number> as serde::Deserialize>::deserialize(deserializer)?
    else {
        return Ok(None);
    };
    #[allow(clippy::cast_possible_truncation)]
    let whole = number.as_i64().or_else(|| {
        number
            .as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < LIMIT)
            .map(|f| f as i64)
    });
    whole
        .map(Some)
        .ok_or_else(|| serde::de::Error::custom(format!("{number} is not an integer")))
}

/// A text field that must follow `rule`, named in the error.
pub fn text(field: &str, value: &str, rule: &rules::TextRule) -> Result<String, ApiError> {
    if !rule.allows(value) {
        let blank = if rule.min_chars > 0 {
            ", not blank"
        } else {
            ""
        };
        return Err(ApiError::validation(format!(
            "{field} must be {}-{} characters{blank}, without NUL or control characters",
            rule.min_chars, rule.max_chars
        )));
    }
    Ok(value.to_owned())
}

/// A reaction: one emoji (one grapheme cluster, as a person sees one
/// character), or empty to take the reaction back.
pub fn emoji(value: &str) -> Result<String, ApiError> {
    use unicode_segmentation::UnicodeSegmentation;
    let graphemes = value.graphemes(true).count();
    // A letter, a digit, a space or a mark is no emoji; a keycap (1️⃣) is.
    let plain = |c: char| c.is_alphanumeric() || c.is_whitespace() || c.is_ascii_punctuation();
    let not_emoji = !value.is_empty() && value.chars().all(plain);
    if !rules::EMOJI.allows(value) || graphemes > 1 || not_emoji {
        return Err(ApiError::validation(
            "emoji must be one emoji (one character as shown), or empty to remove the reaction",
        ));
    }
    Ok(value.to_owned())
}

/// WhatsApp message ids, each as the history shows them.
pub fn message_ids(field: &str, ids: &[String]) -> Result<(), ApiError> {
    match ids.iter().find(|id| !rules::MESSAGE_ID.allows(id)) {
        Some(_) => Err(ApiError::validation(format!(
            "{field} must hold WhatsApp message ids (1-128 letters, digits, '.', '_' or '-')"
        ))),
        None => Ok(()),
    }
}
