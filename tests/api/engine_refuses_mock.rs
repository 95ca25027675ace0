//! A build without the `mock-whatsapp` feature — every release build — checks
//! WhatsApp's certificate chain: pointed at the WhatsApp test server, whose
//! chain no WhatsApp key signed, the engine never gets past the handshake, so
//! no QR code is ever shown. (tests/e2e runs the same server with the feature.)

use std::time::Duration;

use serde_json::json;

use crate::engine::unreachable_engine;
use crate::helpers::{TestDb, eventually, spawn_app_with};

#[allow(dead_code)]
#[path = "../e2e/harness/mock.rs"]
mod mock;

#[actix_web::test]
async fn a_build_without_mock_whatsapp_refuses_the_test_server() {
    let dir = tempfile::tempdir().unwrap();
    let wa = mock::WaMock::start(&dir.path().join("wa-mock.log"));
    let ws = wa.ws.clone();
    let app = spawn_app_with(TestDb::Sqlite, move |settings| {
        unreachable_engine(settings);
        settings.whatsapp.ws_url = ws;
    })
    .await;
    let id = app
        .create_instance(&app.admin_key, json!({"name": "Refuses"}))
        .await;
    let restarts = eventually("two refused attempts", || async {
        let restarts: Vec<_> = app
            .activity(&app.admin_key, &id)
            .await
            .into_iter()
            .filter(|log| log["action"] == "session_restarted")
            .collect();
        (restarts.len() >= 2).then_some(restarts)
    })
    .await;
    for restart in &restarts {
        let reason = restart["details"]["reason"].as_str().unwrap();
        assert_eq!(reason, "could not connect to WhatsApp", "{restart}");
    }
    // The test server saw each attempt give up right after its hello, which
    // carries the certificate chain: the engine checked it and refused it.
    let stats = wa.stats().await;
    let handshakes = &stats["handshakes"];
    assert!(handshakes["abandoned"].as_u64().unwrap() >= 2, "{stats}");
    assert_eq!(handshakes["abandoned"], handshakes["xx"], "{stats}");
    assert_eq!(stats["registrations"], 0, "{stats}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let actions = app.actions(&app.admin_key, &id).await;
    assert!(!actions.contains(&"qr_received".to_owned()), "{actions:?}");
    assert_ne!(app.status(&app.admin_key, &id).await["status"], "qr");
}
