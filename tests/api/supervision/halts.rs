//! WhatsApp stopping a session for good (another client took it over, a ban, an
//! outdated client): `failed` at once with the reason in the activity log, no
//! restart, and `reconnect` starts afresh.

use std::time::Duration;

use serde_json::{Value, json};

use super::restarts;
use crate::db_tests;
use crate::helpers::{TestApp, TestDb, spawn_sim_app};

db_tests!(
    a_replaced_session_fails_without_restarting_and_reconnect_revives_it,
    a_ban_and_an_outdated_client_say_why_in_the_activity_log,
    a_halted_session_stays_failed_across_a_server_restart
);

/// Injects `fault` into a connected instance and returns its activity entry
/// `action`, after checking nothing restarts it.
async fn halt(app: &TestApp, phone: &str, fault: &str, action: &str) -> (String, Value) {
    let id = app
        .create_instance(&app.admin_key, json!({"name": fault}))
        .await;
    app.pair(&app.admin_key, &id, phone, "H").await;
    app.fault(&app.admin_key, &id, fault).await;
    app.wait_for_status(&app.admin_key, &id, "failed").await;
    // The sim app's backoff is 50 ms: a restart would have come long before.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(app.status(&app.admin_key, &id).await["status"], "failed");
    assert!(restarts(app, &id).await.is_empty(), "{fault}: restarted");
    let log = app.activity(&app.admin_key, &id).await;
    let closed = log
        .iter()
        .find(|l| l["action"] == "connection_closed")
        .unwrap_or_else(|| panic!("{fault}: no connection_closed"));
    assert_eq!(closed["details"]["willReconnect"], false);
    let entry = log
        .iter()
        .find(|l| l["action"] == action)
        .unwrap_or_else(|| panic!("{fault}: no {action} entry"));
    assert!(
        !log.iter().any(|l| l["action"] == "supervisor_gave_up"),
        "{fault}: not a crash"
    );
    (id, entry["details"].clone())
}

async fn a_replaced_session_fails_without_restarting_and_reconnect_revives_it(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let (id, details) = halt(&app, "79001111111", "replaced", "session_replaced").await;
    assert!(
        details["reason"]
            .as_str()
            .unwrap()
            .contains("another client took over this session")
    );
    let response = app.reconnect(&app.admin_key, &id).await;
    assert_eq!(response.status(), 200);
    app.wait_for_status(&app.admin_key, &id, "connected").await;
}

async fn a_ban_and_an_outdated_client_say_why_in_the_activity_log(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let (_, ban) = halt(&app, "79002222222", "ban", "temporarily_banned").await;
    assert_eq!(ban["code"], 101);
    assert_eq!(ban["expiresInSecs"], 86_400);
    assert!(
        ban["reason"]
            .as_str()
            .unwrap()
            .contains("too many messages")
    );
    let (_, outdated) = halt(&app, "79003333333", "outdated", "client_outdated").await;
    assert_eq!(outdated["version"], "2.3000.0");
    assert!(
        outdated["reason"]
            .as_str()
            .unwrap()
            .contains("set whatsapp.version")
    );
}

async fn a_halted_session_stays_failed_across_a_server_restart(db: TestDb) {
    let mut app = spawn_sim_app(db).await;
    let (id, _) = halt(&app, "79001111113", "replaced", "session_replaced").await;
    let connecting_before = connecting(&app, &id).await;
    app.restart().await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(app.status(&app.admin_key, &id).await["status"], "failed");
    assert_eq!(
        connecting(&app, &id).await,
        connecting_before,
        "the restarted server must not take the session back"
    );
    let response = app.reconnect(&app.admin_key, &id).await;
    assert_eq!(response.status(), 200);
    app.wait_for_status(&app.admin_key, &id, "connected").await;
}

async fn connecting(app: &TestApp, id: &str) -> usize {
    app.actions(&app.admin_key, id)
        .await
        .iter()
        .filter(|a| *a == "connecting")
        .count()
}
