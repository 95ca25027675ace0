//! `Idempotency-Key` on the send routes: a retried request with the same key for
//! the same instance within 24 h gets the first answer, and nothing is sent again.

use actix_web::http::header::HeaderMap;
use actix_web::{HttpResponse, http::StatusCode};
use sha2::{Digest, Sha256};

use crate::db;
use crate::db::idempotency::KEY_LIFETIME_MS;
use crate::domain::time::now_millis;
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

pub const HEADER: &str = "idempotency-key";
pub const REPLAYED_HEADER: &str = "idempotent-replayed";
const MAX_KEY_LEN: usize = 255;
/// A first request still "in progress" after this long died with its process
/// (a send takes at most the request and media-download timeouts).
const ABANDONED_AFTER_MS: i64 = 2 * 60 * 1000;

pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// The header's key, if one was sent: 1-255 visible ASCII characters.
    pub fn from_headers(headers: &HeaderMap) -> Result<Option<Self>, ApiError> {
        let Some(value) = headers.get(HEADER) else {
            return Ok(None);
        };
        let key = value.to_str().unwrap_or_default().trim();
        if key.is_empty() || key.len() > MAX_KEY_LEN || !key.chars().all(|c| c.is_ascii_graphic()) {
            return Err(ApiError::new(
                ErrorCode::InvalidIdempotencyKey,
                format!("Idempotency-Key must be 1-{MAX_KEY_LEN} visible ASCII characters"),
            ));
        }
        Ok(Some(Self(key.to_owned())))
    }
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
pub async fn once<F>(
    state: &AppState,
    instance_id: &str,
    key: Option<IdempotencyKey>,
    fingerprint: &str,
    send: F,
) -> Result<HttpResponse, ApiError>
where
    F: Future<Output = Result<serde_json::Value, ApiError>>,
{
    let Some(IdempotencyKey(key)) = key else {
        return Ok(HttpResponse::Ok().json(send.await?));
    };
    if let Some(replay) = claim_or_replay(state, instance_id, &key, fingerprint).await? {
        return Ok(replay);
    }
    match send.await {
        Ok(body) => {
            let text = body.to_string();
            db::idempotency::complete(&state.db, instance_id, &key, 200, &text).await?;
            Ok(HttpResponse::Ok()
                .content_type("application/json")
                .body(text))
        }
        Err(err) => {
            // Nothing was sent: the same key may be tried again.
            if let Err(release) = db::idempotency::release(&state.db, instance_id, &key).await {
                tracing::error!(error = %release, "idempotency key not released");
            }
            Err(err)
        }
    }
}

/// `None` when this request now owns the key; otherwise the answer to give.
async fn claim_or_replay(
    state: &AppState,
    instance_id: &str,
    key: &str,
    fingerprint: &str,
) -> Result<Option<HttpResponse>, ApiError> {
    for _ in 0..3 {
        if db::idempotency::claim(&state.db, instance_id, key, fingerprint).await? {
            return Ok(None);
        }
        let Some(stored) = db::idempotency::find(&state.db, instance_id, key).await? else {
            continue;
        };
        let abandoned = stored.response_status.is_none()
            && stored.created_at < now_millis() - ABANDONED_AFTER_MS;
        if abandoned || stored.created_at < now_millis() - KEY_LIFETIME_MS {
            db::idempotency::release(&state.db, instance_id, key).await?;
            continue;
        }
        if stored.fingerprint != fingerprint {
            return Err(ApiError::new(
                ErrorCode::IdempotencyKeyReused,
                "this Idempotency-Key was used for a different request",
            ));
        }
        let (Some(status), Some(body)) = (stored.response_status, stored.response_body) else {
            return Err(ApiError::new(
                ErrorCode::IdempotencyInProgress,
                "a request with this Idempotency-Key is still in progress",
            ));
        };
        let status = u16::try_from(status)
            .ok()
            .and_then(|s| StatusCode::from_u16(s).ok())
            .unwrap_or(StatusCode::OK);
        return Ok(Some(
            HttpResponse::build(status)
                .insert_header((REPLAYED_HEADER, "true"))
                .content_type("application/json")
                .body(body),
        ));
    }
    Err(ApiError::new(
        ErrorCode::IdempotencyInProgress,
        "a request with this Idempotency-Key is still in progress",
    ))
}
