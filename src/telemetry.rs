//! tracing set-up: `RUST_LOG` (or `log.level`) filtering, text or JSON lines.

use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, fmt};

use crate::config::{LogSettings, env_filter};

/// Installs the global subscriber; a second call (tests) keeps the first.
pub fn init(settings: &LogSettings) {
    let filter = EnvFilter::try_from_default_env()
        .ok()
        .or_else(|| env_filter(&settings.level).ok())
        .unwrap_or_else(|| EnvFilter::new("info"));
    let protocol_errors = ClientProtocolErrors {
        shown: filter
            .max_level_hint()
            .is_some_and(|level| level >= tracing::Level::DEBUG),
    };
    let registry = tracing_subscriber::registry()
        .with(EngineAttemptNoise)
        .with(protocol_errors)
        .with(filter);
    let _ = if settings.json {
        registry
            .with(fmt::layer().json().with_current_span(true))
            .try_init()
    } else {
        let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
        registry.with(fmt::layer().with_ansi(ansi)).try_init()
    };
}

/// Drops the two lines the engine writes for every failed connect attempt (its
/// error and its span's error event). wamux ran that attempt and logs its failure
/// itself, with the same reason, once per change of state instead of once per try.
pub struct EngineAttemptNoise;

const ENGINE_LIFECYCLE: &str = "whatsapp_rust::client::lifecycle";

impl<S: Subscriber> Layer<S> for EngineAttemptNoise {
    fn event_enabled(&self, event: &Event<'_>, _: Context<'_, S>) -> bool {
        !is_engine_attempt_noise(event)
    }
}

fn is_engine_attempt_noise(event: &Event<'_>) -> bool {
    let target = event.metadata().target();
    // Events from the `log` crate arrive under the target "log", with the real
    // one in a field.
    if target != ENGINE_LIFECYCLE && target != "log" {
        return false;
    }
    let mut fields = NoiseFields::default();
    event.record(&mut fields);
    let from_lifecycle = target == ENGINE_LIFECYCLE || fields.log_target == ENGINE_LIFECYCLE;
    from_lifecycle
        && (fields.message.starts_with("Failed to connect:")
            // `#[instrument(err)]` on the engine's connect: an event with only `error`.
            || (fields.has_error && fields.message.is_empty()))
}

/// Keeps the HTTP server's line for a connection a client broke (a malformed
/// request head, a head too large or too slow, a dropped socket) out of the log
/// unless debug logging is on: actix-http logs every such `stream error` at
/// ERROR, and a client must not be able to fill the log with ERROR lines.
pub struct ClientProtocolErrors {
    /// Debug logging is on: they are shown after all.
    pub shown: bool,
}

const HTTP_DISPATCHER: &str = "actix_http::h1::dispatcher";
/// actix-http's texts for the dispatch errors a client causes.
const CLIENT_CAUSED: [&str; 5] = [
    "request parse error",
    "I/O error",
    "request did not complete within",
    "connection shutdown timeout",
    "handler dropped payload",
];

impl<S: Subscriber> Layer<S> for ClientProtocolErrors {
    fn event_enabled(&self, event: &Event<'_>, _: Context<'_, S>) -> bool {
        self.shown || !is_client_protocol_error(event)
    }
}

fn is_client_protocol_error(event: &Event<'_>) -> bool {
    if event.metadata().target() != HTTP_DISPATCHER {
        return false;
    }
    let mut fields = NoiseFields::default();
    event.record(&mut fields);
    fields
        .message
        .strip_prefix("stream error: ")
        .is_some_and(|error| CLIENT_CAUSED.iter().any(|text| error.starts_with(text)))
}

#[derive(Default)]
struct NoiseFields {
    message: String,
    log_target: String,
    has_error: bool,
}

impl Visit for NoiseFields {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "message" => self.message = value.to_owned(),
            "log.target" => self.log_target = value.to_owned(),
            "error" => self.has_error = true,
            _ => {}
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        match field.name() {
            "message" => self.message = format!("{value:?}"),
            "error" => self.has_error = true,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::sync::{Arc, Mutex};

    use tracing_subscriber::layer::SubscriberExt;

    use super::*;

    /// Counts the events that reach it.
    #[derive(Clone, Default)]
    struct Seen(Arc<Mutex<Vec<String>>>);

    impl<S: Subscriber> Layer<S> for Seen {
        fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
            let mut fields = NoiseFields::default();
            event.record(&mut fields);
            self.0.lock().unwrap().push(fields.message);
        }
    }

    #[test]
    fn a_connection_a_client_broke_is_not_logged_as_a_server_error() {
        let seen = Seen::default();
        let subscriber = tracing_subscriber::registry()
            .with(ClientProtocolErrors { shown: false })
            .with(seen.clone());
        tracing::subscriber::with_default(subscriber, || {
            tracing::error!(target: "actix_http::h1::dispatcher",
                "stream error: request parse error: invalid Header provided");
            tracing::error!(target: "actix_http::h1::dispatcher",
                "stream error: request did not complete within the specified timeout");
            tracing::error!(target: "actix_http::h1::dispatcher", "stream error: I/O error: reset");
            tracing::error!(target: "actix_http::h1::dispatcher", "stream error: service error");
            tracing::error!(target: "actix_http::h1::dispatcher", "write zero; closing");
            tracing::error!("stream error: request parse error: elsewhere");
        });
        assert_eq!(
            *seen.0.lock().unwrap(),
            [
                "stream error: service error",
                "write zero; closing",
                "stream error: request parse error: elsewhere",
            ]
        );
    }

    #[test]
    fn the_engines_per_attempt_lines_are_dropped_and_nothing_else() {
        let seen = Seen::default();
        let subscriber = tracing_subscriber::registry()
            .with(EngineAttemptNoise)
            .with(seen.clone());
        tracing::subscriber::with_default(subscriber, || {
            tracing::error!(target: "whatsapp_rust::client::lifecycle",
                "Failed to connect: failed to open transport. Will retry...");
            tracing::warn!(target: "whatsapp_rust::client::lifecycle",
                error = "Transport(WebSocket connect failed)");
            tracing::error!(target: "whatsapp_rust::client::lifecycle",
                "Failed to flush device state during disconnect: disk full");
            tracing::error!(target: "whatsapp_rust::send", "Failed to connect: elsewhere");
            tracing::warn!("Failed to connect: wamux's own line");
        });
        assert_eq!(
            *seen.0.lock().unwrap(),
            [
                "Failed to flush device state during disconnect: disk full",
                "Failed to connect: elsewhere",
                "Failed to connect: wamux's own line",
            ]
        );
    }
}
