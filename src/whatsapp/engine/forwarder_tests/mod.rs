//! The forwarder turns each engine `Event` into exactly the boundary event the
//! instance actor acts on; built by hand here, no network involved.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use actix::prelude::*;
use whatsapp_rust::http::UreqHttpClient;
use whatsapp_rust::types::events::{
    ClientOutdated, Event, EventHandler, PairingQrCodesExhausted, StreamReplaced, TempBanReason,
    TemporaryBan,
};

use super::forwarder::{Forwarder, LiveClients, Received, Tracker};

const MAX_MEDIA_BYTES: u64 = 10_000;
use super::version::WebVersion;
use crate::whatsapp::model::Reading;
use crate::whatsapp::{EventSink, Halt, SessionEnd, WaEvent};

pub(super) use crate::whatsapp::test_events::Collect;

/// What the forwarder emitted for `events`, fed in order. `configured_version`
/// stands for `whatsapp.version`.
async fn forwarded(configured_version: bool, events: Vec<Event>) -> Vec<WaEvent> {
    forwarded_with(configured_version, false, events).await
}

/// `forwarded`, with `whatsapp.status_updates` as given.
async fn forwarded_with(
    configured_version: bool,
    status_updates: bool,
    events: Vec<Event>,
) -> Vec<WaEvent> {
    let tracker = Arc::new(Tracker::default());
    forwarded_tracked(&tracker, configured_version, status_updates, events).await
}

/// `forwarded`, with `whatsapp.history_sync` as given.
async fn forwarded_with_history(history_sync: bool, events: Vec<Event>) -> Vec<WaEvent> {
    let reading = Reading {
        history_sync,
        ..reading(false)
    };
    forwarded_reading(&Arc::new(Tracker::default()), false, reading, events).await
}

fn reading(status_updates: bool) -> Reading {
    Reading {
        status_updates,
        max_media_bytes: MAX_MEDIA_BYTES,
        download_timeout: Duration::from_secs(5),
        history_sync: false,
    }
}

/// `forwarded_with`, noting what the attempt's end report needs in `tracker`.
async fn forwarded_tracked(
    tracker: &Arc<Tracker>,
    configured_version: bool,
    status_updates: bool,
    events: Vec<Event>,
) -> Vec<WaEvent> {
    forwarded_reading(tracker, configured_version, reading(status_updates), events).await
}

async fn forwarded_reading(
    tracker: &Arc<Tracker>,
    configured_version: bool,
    reading: Reading,
    events: Vec<Event>,
) -> Vec<WaEvent> {
    let emitted = Arc::new(Mutex::new(Vec::new()));
    let sink = EventSink::new(Collect(emitted.clone()).start().recipient(), 1);
    let version = (2, 3000, 1_026_131_876);
    let web_version = WebVersion::new(
        configured_version.then_some(version),
        Arc::new(UreqHttpClient::new()),
    );
    let forwarder = Forwarder::new(
        sink,
        tracker.clone(),
        Arc::new(OnceLock::new()),
        Arc::new(web_version),
        version,
        Arc::new(LiveClients::default()),
        Received {
            reading,
            runtime: tokio::runtime::Handle::current(),
        },
    );
    let count = events.len();
    for event in events {
        forwarder.handle_event(Arc::new(event));
    }
    crate::whatsapp::test_events::settled(&emitted, count).await
}

fn ends(events: &[WaEvent]) -> Vec<SessionEnd> {
    events
        .iter()
        .filter_map(|event| match event {
            WaEvent::Ended(end) => Some(end.clone()),
            _ => None,
        })
        .collect()
}

#[actix_web::test]
async fn stream_replaced_halts_instead_of_retrying() {
    let events = forwarded(
        false,
        vec![Event::StreamReplaced(StreamReplaced::builder().build())],
    )
    .await;
    assert_eq!(ends(&events), [SessionEnd::Halted(Halt::Replaced)]);
}

#[actix_web::test]
async fn a_temporary_ban_halts_with_its_code_and_duration() {
    let ban = TemporaryBan::builder()
        .code(TempBanReason::BlockedByUsers)
        .expire(chrono::TimeDelta::seconds(3_600))
        .build();
    let events = forwarded(false, vec![Event::TemporaryBan(ban)]).await;
    let ended = ends(&events);
    let [
        SessionEnd::Halted(Halt::Banned {
            code,
            reason,
            expires_in_secs,
        }),
    ] = ended.as_slice()
    else {
        panic!("not a ban: {events:?}");
    };
    assert_eq!((*code, *expires_in_secs), (102, 3_600));
    assert!(reason.contains("too many people blocked you"), "{reason}");
}

#[actix_web::test]
async fn an_outdated_configured_version_halts_with_the_version() {
    let outdated = || Event::ClientOutdated(ClientOutdated::builder().build());
    let events = forwarded(true, vec![outdated()]).await;
    assert_eq!(
        ends(&events),
        [SessionEnd::Halted(Halt::Outdated {
            version: "2.3000.1026131876".into()
        })]
    );
    // Looked up rather than configured: a fresh lookup may fix it, so it retries.
    let events = forwarded(false, vec![outdated()]).await;
    assert!(matches!(
        ends(&events).as_slice(),
        [SessionEnd::Disconnected { .. }]
    ));
}

#[actix_web::test]
async fn only_the_first_terminal_event_ends_the_session() {
    let events = forwarded(
        false,
        vec![
            Event::StreamReplaced(StreamReplaced::builder().build()),
            Event::ClientOutdated(ClientOutdated::builder().build()),
        ],
    )
    .await;
    assert_eq!(ends(&events), [SessionEnd::Halted(Halt::Replaced)]);
}

#[actix_web::test]
async fn qr_codes_running_out_with_a_pairing_code_out_keep_the_session() {
    let exhausted = |disconnected| {
        Event::PairingQrCodesExhausted(
            PairingQrCodesExhausted::builder()
                .disconnected(disconnected)
                .build(),
        )
    };
    let events = forwarded(false, vec![exhausted(false)]).await;
    assert!(
        matches!(events.as_slice(), [WaEvent::QrCodesOut]),
        "{events:?}"
    );
    let events = forwarded(false, vec![exhausted(true)]).await;
    assert_eq!(ends(&events), [SessionEnd::QrExhausted]);
}

mod changes;
mod groups;
mod history;
mod kinds;
mod linking;
mod messages;
