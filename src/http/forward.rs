//! In a cluster, any node answers any route: a request about an instance that
//! another node holds is forwarded there, signed with `cluster.secret`, and its
//! answer streamed back (bodies, uploads and Server-Sent Events are streamed,
//! not buffered, except a small body, which is hashed for the signature and
//! kept so the request can be sent again). A holder that answers `not_holder`
//! (the lease moved meanwhile) makes this node look again, once.
//!
//! On the receiving side, a signed request is verified here; one for an
//! instance this node does not hold is answered `not_holder`, never forwarded
//! again (no loops).

use std::time::Duration;

use actix_web::HttpMessage;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderName};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, web};
use bytes::Bytes;
use futures_util::StreamExt;

use crate::app::cluster::{Holder, Route};
use crate::cluster::signing;
use crate::domain::text::is_uuid;
use crate::error::{ApiError, ErrorCode};
use crate::http::state::AppState;

/// Bodies up to this size are read, hashed into the signature and kept.
const BUFFERED_BODY_BYTES: u64 = 1024 * 1024;

/// Set on a request that another node forwarded here (and whose signature held).
#[derive(Clone, Copy)]
pub struct ForwardedHere;

/// Each worker's HTTP client for forwarding (`awc::Client` is not `Send`).
pub struct Forwarder {
    client: awc::Client,
}

impl Forwarder {
    pub fn new() -> Self {
        Self {
            client: awc::Client::builder()
                .disable_redirects()
                .disable_timeout()
                .finish(),
        }
    }
}

impl Default for Forwarder {
    fn default() -> Self {
        Self::new()
    }
}

/// The instance a path is about, for the routes that act on one instance.
fn instance_of_path(path: &str) -> Option<&str> {
    let rest = ["/api/instances/", "/api/whatsapp/", "/api/sim/instances/"]
        .iter()
        .find_map(|prefix| path.strip_prefix(prefix))?;
    let id = rest.split('/').next()?;
    is_uuid(id).then_some(id)
}

pub async fn to_holder(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    };
    let Some(cluster) = state.app.cluster() else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    };
    let Some(instance_id) = instance_of_path(req.path()).map(str::to_owned) else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    };
    if let Some(signed) = signing::from_headers(req.headers()) {
        let path = path_and_query(&req);
        cluster
            .verify(req.method().as_str(), &path, &signed)
            .map_err(|err| ApiError::new(ErrorCode::Unauthorized, err.to_string()))?;
        if !cluster.holds(&instance_id) {
            return Err(ApiError::new(
                ErrorCode::NotHolder,
                "this node no longer holds the instance; ask again",
            )
            .into());
        }
        if !cluster.running(&instance_id) {
            return Err(moving().into());
        }
        req.extensions_mut().insert(ForwardedHere);
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    }
    let holder = match cluster.route(&instance_id, false).await? {
        Route::Here => {
            return next
                .call(req)
                .await
                .map(ServiceResponse::map_into_left_body);
        }
        Route::Moving => return Err(moving().into()),
        Route::Elsewhere(holder) => holder,
    };
    name_path_parameters(&mut req);
    let forwarder = req
        .app_data::<web::Data<Forwarder>>()
        .cloned()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("forwarder missing")))?;
    let body = take_body(&mut req).await?;
    let kept = match &body {
        Body::Kept(bytes) => Some(bytes.clone()),
        Body::Streamed(_) => None,
    };
    let answer = forward(&forwarder, &req, &holder, body, &state).await;
    // The lease moved (or its holder died) since we looked: look once more.
    let moved = match &answer {
        Ok(answer) => answer.status() == StatusCode::MISDIRECTED_REQUEST,
        Err(_) => true,
    };
    let mut answer = answer;
    if moved {
        match (cluster.route(&instance_id, true).await?, kept) {
            (Route::Elsewhere(again), Some(bytes)) if again.node_id != holder.node_id => {
                answer = forward(&forwarder, &req, &again, Body::Kept(bytes), &state).await;
            }
            (Route::Here, Some(bytes)) => {
                req.set_payload(actix_web::dev::Payload::from(bytes));
                return next
                    .call(req)
                    .await
                    .map(ServiceResponse::map_into_left_body);
            }
            // The same node still holds it: its answer (or failure) stands.
            (Route::Elsewhere(_), Some(_)) => {}
            _ => return Err(moving().into()),
        }
    }
    Ok(req.into_response(answer?).map_into_right_body())
}

/// A forwarded request does not reach this node's router, yet its answer
/// passes this node's HTTP metrics and call tally: it gets its route's
/// parameters, by name, as a routed one has them (the metrics label it by its
/// pattern, the tally by its instance).
fn name_path_parameters(req: &mut ServiceRequest) {
    let Some(pattern) = req.match_pattern() else {
        return;
    };
    let path = req.path().to_owned();
    let named: Vec<(String, String)> = pattern
        .split('/')
        .zip(path.split('/'))
        .filter_map(|(part, value)| {
            let name = part.strip_prefix('{')?.strip_suffix('}')?;
            Some((name.to_owned(), value.to_owned()))
        })
        .collect();
    let info = req.match_info_mut();
    for (name, value) in named {
        if info.get(&name).is_none() {
            info.add_static(name, value);
        }
    }
}

fn moving() -> ApiError {
    ApiError::unavailable("the instance is moving to another node; try again in a moment")
}

enum Body {
    Kept(Bytes),
    /// Too large (or of unknown length) to hold: streamed as it comes.
    Streamed(actix_web::dev::Payload),
}

async fn take_body(req: &mut ServiceRequest) -> Result<Body, actix_web::Error> {
    let length = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    let chunked = req.headers().contains_key(header::TRANSFER_ENCODING);
    let mut payload = req.take_payload();
    match length {
        Some(length) if length <= BUFFERED_BODY_BYTES && !chunked => {
            let mut body = bytes::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                body.extend_from_slice(&chunk?);
            }
            Ok(Body::Kept(body.freeze()))
        }
        None if !chunked => Ok(Body::Kept(Bytes::new())),
        _ => Ok(Body::Streamed(payload)),
    }
}

fn path_and_query(req: &ServiceRequest) -> String {
    req.uri()
        .path_and_query()
        .map(|pq| pq.as_str().to_owned())
        .unwrap_or_else(|| req.path().to_owned())
}

/// Headers that belong to one hop, not to the request or answer.
fn hop_by_hop(name: &HeaderName) -> bool {
    matches!(
        name.as_str(),
        "connection"
            | "keep-alive"
            | "proxy-authenticate"
            | "proxy-authorization"
            | "te"
            | "trailer"
            | "transfer-encoding"
            | "upgrade"
            | "host"
            | "content-length"
    ) || name.as_str().starts_with("x-wamux-")
}

async fn forward(
    forwarder: &Forwarder,
    req: &ServiceRequest,
    holder: &Holder,
    body: Body,
    state: &AppState,
) -> Result<HttpResponse, actix_web::Error> {
    let cluster = state
        .app
        .cluster()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("cluster missing")))?;
    let path = path_and_query(req);
    let signed_body = match &body {
        Body::Kept(bytes) => signing::body_hash(bytes),
        Body::Streamed(_) => signing::STREAMED_BODY.to_owned(),
    };
    let signed = cluster
        .sign(req.method().as_str(), &path, signed_body)
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("cluster secret unusable")))?;
    let mut request = forwarder
        .client
        .request(
            req.method().clone(),
            format!("{}{path}", holder.advertise_url),
        )
        .no_decompress()
        // Until the answer's head: a holder that is frozen or cut off must not
        // hold the caller longer than an instance that does not answer would.
        .timeout(Duration::from_millis(
            state.app.settings().supervision.request_timeout_ms,
        ));
    for (name, value) in req.headers().iter().filter(|(name, _)| !hop_by_hop(name)) {
        request = request.append_header((name.clone(), value.clone()));
    }
    let request = signing::with_headers(request, &signed);
    let sent = match body {
        Body::Kept(bytes) => request.send_body(bytes).await,
        Body::Streamed(payload) => request.send_stream(payload).await,
    };
    let mut answer = sent.map_err(|err| {
        tracing::warn!(node = %holder.node_id, error = %err, "forwarding to the holder failed");
        ApiError::unavailable("the node holding this instance did not answer; try again")
    })?;
    let mut response = HttpResponse::build(answer.status());
    for (name, value) in answer
        .headers()
        .iter()
        .filter(|(name, _)| !hop_by_hop(name))
    {
        response.append_header((name.clone(), value.clone()));
    }
    // A small answer of known length goes back whole (one write, its length
    // kept); anything else (a stream of events, a file) is streamed as it comes.
    let length = answer
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    match length {
        Some(length) if length <= BUFFERED_BODY_BYTES => {
            let limit = usize::try_from(BUFFERED_BODY_BYTES).unwrap_or(usize::MAX);
            let body = answer.body().limit(limit).await.map_err(|err| {
                tracing::warn!(node = %holder.node_id, error = %err, "the holder's answer was cut off");
                ApiError::unavailable("the node holding this instance did not answer; try again")
            })?;
            Ok(response.body(body))
        }
        _ => Ok(response.streaming(answer)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_routes_are_known_by_their_path() {
        let id = "0193a0c2-6f1e-7c3b-9a2d-4b8f2e1d0c5a";
        for path in [
            format!("/api/instances/{id}"),
            format!("/api/instances/{id}/events"),
            format!("/api/whatsapp/{id}/send"),
            format!("/api/sim/instances/{id}/scan"),
        ] {
            assert_eq!(instance_of_path(&path), Some(id), "{path}");
        }
        for path in [
            "/api/instances",
            "/api/instances/not-an-id/events",
            "/api/stats/instances/0193a0c2-6f1e-7c3b-9a2d-4b8f2e1d0c5a",
            "/api/admin/nodes",
        ] {
            assert_eq!(instance_of_path(path), None, "{path}");
        }
    }

    #[test]
    fn hop_headers_and_node_signatures_are_not_passed_on() {
        for name in ["connection", "host", "content-length", "x-wamux-signature"] {
            assert!(hop_by_hop(&HeaderName::from_static(name)), "{name}");
        }
        for name in [
            "x-api-key",
            "authorization",
            "content-type",
            "idempotency-key",
        ] {
            assert!(!hop_by_hop(&HeaderName::from_static(name)), "{name}");
        }
    }
}
