//! One span per request, and what is logged about it. Whatever a client sent
//! (path, user agent, the error its input caused) is escaped and capped before it
//! reaches a log line, so a request can neither forge lines nor fill the disk; a
//! request refused because of the client is logged at `debug`, with one `warn` a
//! minute for a client that sends many; only the server's own failures are errors.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::USER_AGENT;
use tracing::Span;
use tracing_actix_web::RootSpanBuilder;

/// Longest client-supplied value kept in a log line, in characters.
const MAX_LOGGED_CHARS: usize = 200;
/// Refusals a minute from one client before it earns a warning.
const FLOOD_PER_MINUTE: u32 = 100;
/// Clients tracked for flood warnings, at most.
const MAX_TRACKED_CLIENTS: usize = 10_000;

/// A client-supplied text as it may appear in a log: control characters and
/// quotes escaped, at most `MAX_LOGGED_CHARS` characters.
pub fn loggable(raw: &str) -> String {
    let mut clean: String = raw
        .chars()
        .take(MAX_LOGGED_CHARS)
        .flat_map(char::escape_debug)
        .collect();
    if raw.chars().nth(MAX_LOGGED_CHARS).is_some() {
        clean.push('…');
    }
    clean
}

pub struct SafeRootSpan;

impl RootSpanBuilder for SafeRootSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let user_agent = request
            .headers()
            .get(USER_AGENT)
            .map(|value| loggable(&String::from_utf8_lossy(value.as_bytes())))
            .unwrap_or_default();
        let target = loggable(
            request
                .uri()
                .path_and_query()
                .map_or("/", |target| target.as_str()),
        );
        tracing::info_span!(
            "HTTP request",
            http.method = %request.method(),
            http.target = %target,
            http.user_agent = %user_agent,
            http.client_ip = %client_of(request).map(|ip| ip.to_string()).unwrap_or_default(),
            http.status_code = tracing::field::Empty,
        )
    }

    fn on_request_end<B: MessageBody>(
        span: Span,
        outcome: &Result<ServiceResponse<B>, actix_web::Error>,
    ) {
        let (status, error, client) = match outcome {
            Ok(response) => (
                response.status(),
                response.response().error().map(ToString::to_string),
                client_of_response(response),
            ),
            Err(error) => (
                error.as_response_error().status_code(),
                Some(error.to_string()),
                None,
            ),
        };
        span.record("http.status_code", status.as_u16());
        let Some(error) = error.map(|error| loggable(&error)) else {
            return;
        };
        let _entered = span.enter();
        if status.is_server_error() {
            tracing::error!(status = status.as_u16(), %error, "request failed");
        } else {
            tracing::debug!(status = status.as_u16(), %error, "request refused");
            if let Some(refused) = client.and_then(flooding) {
                tracing::warn!(client = %client.map(|ip| ip.to_string()).unwrap_or_default(), refused, "many refused requests from one client in the last minute");
            }
        }
    }
}

fn client_of(request: &ServiceRequest) -> Option<IpAddr> {
    client(request.request())
}

fn client_of_response<B>(response: &ServiceResponse<B>) -> Option<IpAddr> {
    client(response.request())
}

/// The client's address, believing `X-Forwarded-For` only from trusted proxies.
fn client(request: &actix_web::HttpRequest) -> Option<IpAddr> {
    let state = request.app_data::<actix_web::web::Data<crate::http::state::AppState>>()?;
    crate::net::client_ip::client_ip(request, &state.app.settings().server.trusted_proxies)
}

/// Counts a refusal; the count so far once the client passes the flood mark
/// (once a minute per client).
fn flooding(client: IpAddr) -> Option<u32> {
    static WINDOWS: OnceLock<Mutex<HashMap<IpAddr, (Instant, u32)>>> = OnceLock::new();
    let mut windows = WINDOWS
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let now = Instant::now();
    if windows.len() >= MAX_TRACKED_CLIENTS {
        windows.retain(|_, (start, _)| now.duration_since(*start) < Duration::from_secs(60));
    }
    let window = windows.entry(client).or_insert((now, 0));
    if now.duration_since(window.0) >= Duration::from_secs(60) {
        *window = (now, 0);
    }
    window.1 += 1;
    (window.1 == FLOOD_PER_MINUTE).then_some(window.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_text_cannot_break_a_line_or_run_on() {
        assert_eq!(
            loggable("name\n2026-11-28T00:00:00Z  INFO forged"),
            "name\\n2026-11-28T00:00:00Z  INFO forged"
        );
        assert_eq!(
            loggable("tab\there \"quoted\""),
            "tab\\there \\\"quoted\\\""
        );
        let long = "x".repeat(5000);
        let logged = loggable(&long);
        assert_eq!(logged.chars().count(), MAX_LOGGED_CHARS + 1);
        assert!(logged.ends_with('…'));
    }

    #[test]
    fn a_flooding_client_is_reported_once_a_minute() {
        let client = IpAddr::from([198, 51, 100, 7]);
        let reports: Vec<_> = (0..250).filter_map(|_| flooding(client)).collect();
        assert_eq!(reports, [FLOOD_PER_MINUTE]);
    }
}
