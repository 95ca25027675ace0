//! `Idempotency-Key` on sends: a retried request with the same key for the same
//! instance within 24 h gets the first answer, and nothing is sent again.

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::Deps;
use crate::db;
use crate::db::idempotency::KEY_LIFETIME_MS;
use crate::domain::time::now_millis;
use crate::error::{ApiError, ErrorCode};

/// A first request still "in progress" after this long died with its process
/// (a send takes at most the request and media-download timeouts).
const ABANDONED_AFTER_MS: i64 = 2 * 60 * 1000;

pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// 1-255 visible ASCII characters.
    pub fn parse(raw: &str) -> Result<Self, ApiError> {
        let key = raw;
        if !crate::domain::rules::IDEMPOTENCY_KEY.allows(key) {
            return Err(ApiError::new(
                ErrorCode::InvalidIdempotencyKey,
                format!(
                    "Idempotency-Key must be 1-{} visible ASCII characters",
                    crate::domain::rules::IDEMPOTENCY_KEY.max_chars
                ),
            ));
        }
        Ok(Self(key.to_owned()))
    }
}

/// An answer given once and replayed to a retry of the same request.
pub struct Idempotent {
    pub status: u16,
    /// The typed answer's JSON, exactly as first given.
    pub body: String,
    /// True when this is the stored answer of an earlier request.
    pub replayed: bool,
}

/// JSON text of a request's fields for its fingerprint: objects with their keys
/// sorted, so a fingerprint does not depend on field order.
pub fn canonical(fields: &impl Serialize) -> String {
    serde_json::to_value(fields)
        .map(|value| value.to_string())
        .unwrap_or_default()
}

/// A digest of what the request asks for, so one key cannot cover two different sends.
pub fn fingerprint(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part);
    }
    hex::encode(hasher.finalize())
}

/// Runs `send` once per key; a repeat gets the stored answer.
pub async fn once<F, T>(
    deps: &Deps,
    instance_id: &str,
    key: Option<IdempotencyKey>,
    fingerprint: &str,
    send: F,
) -> Result<Idempotent, ApiError>
where
    F: Future<Output = Result<T, ApiError>>,
    T: Serialize,
{
    let answered = async move { send.await.map(|answer| (200, answer)) };
    once_with_status(deps, instance_id, key, fingerprint, answered).await
}

/// [`once`], for a request whose success says its own status (201 for a
/// creation, 202 for a send still in flight); the key replays that status.
pub async fn once_with_status<F, T>(
    deps: &Deps,
    instance_id: &str,
    key: Option<IdempotencyKey>,
    fingerprint: &str,
    send: F,
) -> Result<Idempotent, ApiError>
where
    F: Future<Output = Result<(u16, T), ApiError>>,
    T: Serialize,
{
    let fresh = |status: u16, body: String| Idempotent {
        status,
        body,
        replayed: false,
    };
    let text = |answer: T| serde_json::to_string(&answer).map_err(ApiError::internal);
    let Some(IdempotencyKey(key)) = key else {
        let (status, answer) = send.await?;
        return Ok(fresh(status, text(answer)?));
    };
    if let Some(replay) = claim_or_replay(deps, instance_id, &key, fingerprint).await? {
        return Ok(replay);
    }
    match send.await {
        Ok((status, answer)) => {
            let text = text(answer)?;
            db::idempotency::complete(&deps.db, instance_id, &key, status, &text).await?;
            Ok(fresh(status, text))
        }
        Err(err) => {
            // Nothing was sent (a send still in flight answers 202, not an
            // error): the same key may be tried again.
            if let Err(release) = db::idempotency::release(&deps.db, instance_id, &key).await {
                tracing::error!(error = %release, "idempotency key not released");
            }
            Err(err)
        }
    }
}

fn in_progress() -> ApiError {
    ApiError::new(
        ErrorCode::IdempotencyInProgress,
        "a request with this Idempotency-Key is still in progress",
    )
}

/// `None` when this request now owns the key; otherwise the answer to give.
async fn claim_or_replay(
    deps: &Deps,
    instance_id: &str,
    key: &str,
    fingerprint: &str,
) -> Result<Option<Idempotent>, ApiError> {
    for _ in 0..3 {
        if db::idempotency::claim(&deps.db, instance_id, key, fingerprint).await? {
            return Ok(None);
        }
        let Some(stored) = db::idempotency::find(&deps.db, instance_id, key).await? else {
            continue;
        };
        let abandoned = stored.response_status.is_none()
            && stored.created_at < now_millis() - ABANDONED_AFTER_MS;
        if abandoned || stored.created_at < now_millis() - KEY_LIFETIME_MS {
            db::idempotency::release(&deps.db, instance_id, key).await?;
            continue;
        }
        if stored.fingerprint != fingerprint {
            return Err(ApiError::new(
                ErrorCode::IdempotencyKeyReused,
                "this Idempotency-Key was used for a different request",
            ));
        }
        let (Some(status), Some(body)) = (stored.response_status, stored.response_body) else {
            return Err(in_progress());
        };
        return Ok(Some(Idempotent {
            status: u16::try_from(status).unwrap_or(200),
            body,
            replayed: true,
        }));
    }
    Err(in_progress())
}

#[cfg(test)]
mod tests {
    use super::canonical;
    use crate::domain::kinds::Location;

    /// Fingerprints stored before the answers were typed stay valid: the same
    /// JSON text as before, arrays in order and object keys sorted.
    #[test]
    fn canonical_text_is_sorted_json() {
        let fields = ("hi", None::<String>, vec!["79001234567@s.whatsapp.net"]);
        assert_eq!(
            canonical(&fields),
            r#"["hi",null,["79001234567@s.whatsapp.net"]]"#
        );
        let place = Location {
            latitude: 1.5,
            longitude: 2.5,
            name: Some("Here".into()),
            address: None,
        };
        assert_eq!(
            canonical(&place),
            r#"{"address":null,"latitude":1.5,"longitude":2.5,"name":"Here"}"#
        );
    }
}
