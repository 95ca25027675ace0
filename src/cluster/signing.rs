//! Requests between nodes: an HMAC-SHA256 with `cluster.secret` over the
//! method, the path and query, a timestamp, a one-time nonce, the sending node
//! and the body's SHA-256. A request outside the time window, or whose nonce
//! was seen, is refused (replays). A body too large to hold before sending (an
//! upload) is streamed and signed as `streamed`: its signature covers the
//! request but not those bytes, which the receiver checks as any upload.

use std::collections::HashMap;
use std::sync::Mutex;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::domain::time::now_millis;

pub const NODE_HEADER: &str = "x-wamux-node";
pub const TIMESTAMP_HEADER: &str = "x-wamux-timestamp";
pub const NONCE_HEADER: &str = "x-wamux-nonce";
pub const BODY_HEADER: &str = "x-wamux-body-sha256";
pub const SIGNATURE_HEADER: &str = "x-wamux-signature";

/// How far a request's timestamp may be from the receiver's clock.
const WINDOW_MS: i64 = 30_000;
const PRUNE_EVERY_MS: i64 = 1_000;

/// What a node signs for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    pub node_id: String,
    pub timestamp: i64,
    pub nonce: String,
    pub body: String,
    pub signature: String,
}

pub fn body_hash(body: &[u8]) -> String {
    hex::encode(Sha256::digest(body))
}

/// What a streamed body is signed as.
pub const STREAMED_BODY: &str = "streamed";

fn mac(secret: &[u8], method: &str, path: &str, signed: &Signed) -> Option<Hmac<Sha256>> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).ok()?;
    for part in [
        method,
        path,
        &signed.timestamp.to_string(),
        &signed.nonce,
        &signed.node_id,
        &signed.body,
    ] {
        mac.update(part.as_bytes());
        mac.update(b"\n");
    }
    Some(mac)
}

pub fn sign(
    secret: &[u8],
    node_id: &str,
    method: &str,
    path: &str,
    body: String,
) -> Option<Signed> {
    let mut nonce = [0u8; 16];
    rand::fill(&mut nonce);
    let mut signed = Signed {
        node_id: node_id.to_owned(),
        timestamp: now_millis(),
        nonce: hex::encode(nonce),
        body,
        signature: String::new(),
    };
    signed.signature = hex::encode(mac(secret, method, path, &signed)?.finalize().into_bytes());
    Some(signed)
}

/// The request with the signature's headers on it.
pub fn with_headers(request: awc::ClientRequest, signed: &Signed) -> awc::ClientRequest {
    request
        .insert_header((NODE_HEADER, signed.node_id.as_str()))
        .insert_header((TIMESTAMP_HEADER, signed.timestamp.to_string()))
        .insert_header((NONCE_HEADER, signed.nonce.as_str()))
        .insert_header((BODY_HEADER, signed.body.as_str()))
        .insert_header((SIGNATURE_HEADER, signed.signature.as_str()))
}

/// The signature a request carries, when it carries one.
pub fn from_headers(headers: &actix_web::http::header::HeaderMap) -> Option<Signed> {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    };
    Some(Signed {
        node_id: text(NODE_HEADER)?,
        timestamp: text(TIMESTAMP_HEADER)?.parse().ok()?,
        nonce: text(NONCE_HEADER)?,
        body: text(BODY_HEADER)?,
        signature: text(SIGNATURE_HEADER)?,
    })
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Refused {
    #[error("the node signature does not match")]
    BadSignature,
    #[error("the node request is outside the time window")]
    Stale,
    #[error("the node request was seen before")]
    Replayed,
}

/// Nonces seen within the time window (forgotten about once a second, not
/// at every request: thousands of forwarded requests a second each pass here).
#[derive(Default)]
pub struct ReplayGuard(Mutex<Seen>);

#[derive(Default)]
pub struct Seen {
    nonces: HashMap<String, i64>,
    pruned_at: i64,
}

impl ReplayGuard {
    pub fn verify(
        &self,
        secret: &[u8],
        method: &str,
        path: &str,
        signed: &Signed,
    ) -> Result<(), Refused> {
        let now = now_millis();
        if (now - signed.timestamp).abs() > WINDOW_MS {
            return Err(Refused::Stale);
        }
        let signature = hex::decode(&signed.signature).map_err(|_| Refused::BadSignature)?;
        mac(secret, method, path, signed)
            .ok_or(Refused::BadSignature)?
            .verify_slice(&signature)
            .map_err(|_| Refused::BadSignature)?;
        let mut seen = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if now - seen.pruned_at > PRUNE_EVERY_MS {
            seen.nonces.retain(|_, at| now - *at <= 2 * WINDOW_MS);
            seen.pruned_at = now;
        }
        if seen.nonces.insert(signed.nonce.clone(), now).is_some() {
            return Err(Refused::Replayed);
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn a_signed_request_passes_once() {
        let guard = ReplayGuard::default();
        let signed = sign(SECRET, "n1", "POST", "/api/x?y=1", body_hash(b"{}")).unwrap();
        assert_eq!(guard.verify(SECRET, "POST", "/api/x?y=1", &signed), Ok(()));
        assert_eq!(
            guard.verify(SECRET, "POST", "/api/x?y=1", &signed),
            Err(Refused::Replayed)
        );
    }

    #[test]
    fn any_change_breaks_the_signature() {
        let guard = ReplayGuard::default();
        let signed = sign(SECRET, "n1", "POST", "/api/x", body_hash(b"{}")).unwrap();
        assert_eq!(
            guard.verify(SECRET, "GET", "/api/x", &signed),
            Err(Refused::BadSignature)
        );
        assert_eq!(
            guard.verify(SECRET, "POST", "/api/y", &signed),
            Err(Refused::BadSignature)
        );
        let mut other_body = signed.clone();
        other_body.body = body_hash(b"{\"a\":1}");
        assert_eq!(
            guard.verify(SECRET, "POST", "/api/x", &other_body),
            Err(Refused::BadSignature)
        );
        assert_eq!(
            guard.verify(
                b"another secret of thirty-two bytes!",
                "POST",
                "/api/x",
                &signed
            ),
            Err(Refused::BadSignature)
        );
        let mut old = signed;
        old.timestamp -= 60_000;
        assert_eq!(
            guard.verify(SECRET, "POST", "/api/x", &old),
            Err(Refused::Stale)
        );
    }
}
