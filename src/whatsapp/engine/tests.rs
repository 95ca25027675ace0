//! Session attempts on the real engine, against local addresses only: whatever
//! ends an attempt, its client and its tasks are gone afterwards.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix::prelude::*;

use super::EngineBackend;
use super::forwarder_tests::Collect;
use crate::config::WhatsappSettings;
use crate::whatsapp::{EventSink, SessionEnd, WaBackend, WaEvent};

async fn backend(dir: &tempfile::TempDir, ws_url: String) -> EngineBackend {
    EngineBackend::new(
        &WhatsappSettings {
            data_dir: dir.path().to_owned(),
            ws_url,
            version: "2.3000.1026131876".into(),
            ..WhatsappSettings::default()
        },
        crate::db::engine_store::test_connections(dir.path()).await,
    )
    .unwrap()
}

fn sink() -> (EventSink, Arc<Mutex<Vec<WaEvent>>>) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let addr = Collect(events.clone()).start();
    (EventSink::new(addr.recipient(), 1), events)
}

async fn wait_for<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    for _ in 0..500 {
        if let Some(found) = probe() {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("timed out waiting for {what}");
}

/// The engine's runtime is back to what it ran before the attempt.
async fn released(backend: &EngineBackend, tasks_before: usize) {
    wait_for("the client and its tasks to be released", || {
        let load = backend.load();
        (load.clients == 0 && load.tasks == Some(tasks_before)).then_some(())
    })
    .await;
}

#[actix_web::test]
async fn a_failed_attempt_releases_its_client_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let backend = backend(&dir, "ws://127.0.0.1:1/ws/chat".into()).await;
    let tasks_before = backend.load().tasks.unwrap();
    for attempt in 0..3 {
        let (sink, events) = sink();
        let _session = backend.start("instance", sink);
        let end = wait_for("the attempt to end", || {
            events.lock().unwrap().iter().find_map(|event| match event {
                WaEvent::Ended(end) => Some(end.clone()),
                _ => None,
            })
        })
        .await;
        match end {
            SessionEnd::Disconnected { reason } => assert!(
                reason.starts_with("could not reach WhatsApp: ") && reason.contains("refused"),
                "attempt {attempt}: {reason}"
            ),
            other => panic!("attempt {attempt}: {other:?}"),
        }
        released(&backend, tasks_before).await;
    }
}

#[derive(Clone, Copy)]
enum Stop {
    Shutdown,
    Logout,
}

#[actix_web::test]
async fn a_shut_down_attempt_releases_its_client_and_its_socket() {
    stopped_attempt_releases_everything(Stop::Shutdown).await;
}

#[actix_web::test]
async fn a_logged_out_attempt_releases_its_client_and_its_socket() {
    stopped_attempt_releases_everything(Stop::Logout).await;
}

async fn stopped_attempt_releases_everything(stop: Stop) {
    // Accepts the WebSocket's TCP connection and never answers: the attempt
    // hangs in the handshake until it is stopped.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepted = Arc::new(Mutex::new(Vec::new()));
    let keep = accepted.clone();
    actix::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            keep.lock().unwrap().push(socket);
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let backend = backend(&dir, format!("ws://127.0.0.1:{port}/ws/chat")).await;
    let tasks_before = backend.load().tasks.unwrap();
    let (sink, events) = sink();
    let session = backend.start("instance", sink);
    wait_for("the engine to reach the WebSocket", || {
        (!accepted.lock().unwrap().is_empty()).then_some(())
    })
    .await;
    assert_eq!(backend.load().clients, 1);

    match stop {
        Stop::Shutdown => session.shutdown().await,
        Stop::Logout => session.logout().await,
    }
    released(&backend, tasks_before).await;
    // The engine closed its end of the connection.
    let mut socket = accepted.lock().unwrap().remove(0);
    let mut buffer = [0u8; 1024];
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match tokio::io::AsyncReadExt::read(&mut socket, &mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "the WebSocket stayed open");
    let ends: Vec<SessionEnd> = events
        .lock()
        .unwrap()
        .iter()
        .filter_map(|event| match event {
            WaEvent::Ended(end) => Some(end.clone()),
            _ => None,
        })
        .collect();
    match stop {
        // A stop asked for is not reported as an end.
        Stop::Shutdown => assert!(ends.is_empty(), "{ends:?}"),
        // The engine announces its own logout (the actor has moved on by then).
        Stop::Logout => assert!(
            matches!(ends.as_slice(), [SessionEnd::LoggedOut { .. }]),
            "{ends:?}"
        ),
    }
}
