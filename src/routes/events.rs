//! `GET /api/instances/{id}/events`: the instance's events as Server-Sent Events,
//! with the same payloads as its webhooks.

use std::time::Duration;

use actix_web::{HttpResponse, get, web};
use bytes::Bytes;
use futures_util::{StreamExt, stream};

use crate::actors::live::Frames;
use crate::domain::user::AuthUser;
use crate::error::{ApiError, ErrorBody, ErrorCode};
use crate::http::state::AppState;

/// A comment line now and then keeps proxies from closing an idle stream.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// Live events of an instance, as Server-Sent Events.
///
/// Every event is one frame `event: <type>` + `data: <JSON>`, where the JSON is the
/// same envelope a webhook delivery posts: `{"event": "<type>", "data": {...},
/// "timestamp": "<ISO 8601>"}`. Types: `message_received`, `message_sent`,
/// `message_status`, `connection_opened`, `connection_closed`, `qr_received`; all of
/// them are streamed, whatever the instance's webhook settings. Comment lines
/// (`: ...`) open the stream and keep it alive every 15 s. A client that falls
/// more than 1 MiB behind is let go: what was held for it is dropped at once, the
/// stream ends with the comment `: frames lost: this client read too slowly;
/// reconnect`, and the client should reconnect and read what it missed from the
/// history. At most 32 clients may watch one instance; a client that hangs up
/// frees its place at once.
#[utoipa::path(tag = "events",
    operation_id = "streamInstanceEvents",
    params(("instance_id" = String, Path, description = "Instance id")),
    responses(
        (status = 200, description = "The event stream (`text/event-stream`), e.g. `event: connection_opened` / `data: {\"event\":\"connection_opened\",\"data\":{\"instanceId\":\"...\"},\"timestamp\":\"2026-11-25T18:03:12.345Z\"}`",
            content_type = "text/event-stream", body = String),
        (status = 429, description = "The instance already has the maximum number of watchers; see `Retry-After`", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::RateLimited, "too many requests, retry in 5 s"))),
    ))]
#[get("/events")]
pub async fn instance_events(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let frames = state
        .app
        .instances()
        .watch(&user, &path)
        .await?
        .ok_or(ApiError::rate_limited(5))?;
    Ok(event_stream(
        frames,
        format!(": watching instance {}\n\n", path.as_str()),
    ))
}

/// Live events of all the caller's own instances, on one stream.
///
/// The frames are those of `GET /api/instances/{instanceId}/events`, every one
/// naming its instance in `data.instanceId`; one connection serves a dashboard of
/// many instances (browsers open only six connections to a server). The stream
/// covers the instances the caller owns when it opens: after creating one,
/// open it again. With the cluster on, it carries all the events of the
/// instances held by the node that answers and the connection events
/// (`connection_opened`, `connection_closed`, `qr_received`) of those held by
/// other nodes; `GET /api/instances/{instanceId}/events`, forwarded to the
/// holder, carries all of an instance's events wherever it runs.
#[utoipa::path(tag = "events",
    operation_id = "streamEvents",
    responses(
        (status = 200, description = "The event stream (`text/event-stream`), as the instance stream's",
            content_type = "text/event-stream", body = String),
        (status = 429, description = "One of the instances already has the maximum number of watchers; see `Retry-After`", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::RateLimited, "too many requests, retry in 5 s"))),
    ))]
#[get("/api/events")]
pub async fn user_events(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<HttpResponse, ApiError> {
    let frames = state
        .app
        .instances()
        .watch_all(&user)
        .await?
        .ok_or(ApiError::rate_limited(5))?;
    Ok(event_stream(
        frames,
        ": watching your instances\n\n".to_owned(),
    ))
}

/// Frames as they come, after a greeting comment, with keep-alive comments.
fn event_stream(frames: Frames, hello: String) -> HttpResponse {
    let mut ticks = tokio::time::interval(KEEP_ALIVE);
    ticks.reset();
    let hello = Bytes::from(hello);
    let body = stream::once(async move { Ok::<_, actix_web::Error>(hello) }).chain(stream::unfold(
        (frames, ticks),
        |(frames, mut ticks)| async move {
            let next = tokio::select! {
                frame = frames.next() => frame?,
                _ = ticks.tick() => Bytes::from_static(b": keep-alive\n\n"),
            };
            Some((Ok::<_, actix_web::Error>(next), (frames, ticks)))
        },
    ));
    HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(("x-accel-buffering", "no"))
        .streaming(body)
}
