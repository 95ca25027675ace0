//! Crashes and disconnects: backoff, failed after repeated crashes, reconnect.

use std::time::Duration;

use serde_json::{Value, json};

use super::{crash_and_recover, restarts};
use crate::db_tests;
use crate::helpers::{TestDb, eventually, json_body, spawn_sim_app};

db_tests!(
    a_crash_restarts_the_session_with_growing_backoff_and_leaves_others_alone,
    repeated_crashes_end_in_failed_and_reconnect_revives_it,
    a_network_disconnect_reconnects_by_itself
);

async fn a_crash_restarts_the_session_with_growing_backoff_and_leaves_others_alone(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let victim = app
        .create_instance(&app.admin_key, json!({"name": "Victim"}))
        .await;
    let bystander = app
        .create_instance(&app.admin_key, json!({"name": "Bystander"}))
        .await;
    app.pair(&app.admin_key, &victim, "79001111111", "V").await;
    app.pair(&app.admin_key, &bystander, "79002222222", "B")
        .await;

    for n in 0..3 {
        crash_and_recover(&app, &victim, n).await;
        assert_eq!(
            app.status(&app.admin_key, &bystander).await["status"],
            "connected"
        );
    }
    let restarts = restarts(&app, &victim).await;
    let backoffs: Vec<_> = restarts
        .iter()
        .map(|r| r["backoffMs"].as_u64().unwrap())
        .collect();
    assert_eq!(backoffs, [50, 100, 200]);
    let attempts: Vec<_> = restarts
        .iter()
        .map(|r| r["attempt"].as_u64().unwrap())
        .collect();
    assert_eq!(attempts, [1, 2, 3]);
    assert!(restarts[0]["reason"].as_str().unwrap().contains("crash"));
    let bystander_log = app.actions(&app.admin_key, &bystander).await;
    assert!(!bystander_log.contains(&"session_restarted".to_owned()));
    assert!(!bystander_log.contains(&"connection_closed".to_owned()));
}

async fn repeated_crashes_end_in_failed_and_reconnect_revives_it(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let id = app
        .create_instance(&app.admin_key, json!({"name": "Fragile"}))
        .await;
    app.pair(&app.admin_key, &id, "79001234567", "F").await;
    for n in 0..3 {
        crash_and_recover(&app, &id, n).await;
    }
    app.fault(&app.admin_key, &id, "crash").await;
    let status = app.wait_for_status(&app.admin_key, &id, "failed").await;
    assert_eq!(
        status,
        json!({"ready": false, "status": "failed", "hasQr": false})
    );
    let log = app.activity(&app.admin_key, &id).await;
    let gave_up = log
        .iter()
        .find(|l| l["action"] == "supervisor_gave_up")
        .unwrap();
    assert_eq!(gave_up["details"]["crashes"], 4);
    assert_eq!(gave_up["details"]["maxRestarts"], 3);
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        app.status(&app.admin_key, &id).await["status"],
        "failed",
        "it kept retrying"
    );

    let response = app.reconnect(&app.admin_key, &id).await;
    assert_eq!(
        json_body(response).await,
        json!({"success": true, "message": format!("Instance {id} reconnected")})
    );
    app.wait_for_status(&app.admin_key, &id, "connected").await;
    assert!(
        app.actions(&app.admin_key, &id)
            .await
            .contains(&"reconnect_requested".to_owned())
    );
    // The history was forgiven: the next crash restarts again.
    crash_and_recover(&app, &id, 3).await;
}

async fn a_network_disconnect_reconnects_by_itself(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let id = app
        .create_instance(&app.admin_key, json!({"name": "Flaky"}))
        .await;
    app.pair(&app.admin_key, &id, "79001234567", "F").await;
    let count_qrs = |log: &[Value]| log.iter().filter(|l| l["action"] == "qr_received").count();
    let qrs_before = count_qrs(&app.activity(&app.admin_key, &id).await);
    app.fault(&app.admin_key, &id, "disconnect").await;
    eventually("the restart", || async {
        (!restarts(&app, &id).await.is_empty()).then_some(())
    })
    .await;
    app.wait_for_status(&app.admin_key, &id, "connected").await;
    let log = app.activity(&app.admin_key, &id).await;
    let closed = log
        .iter()
        .find(|l| l["action"] == "connection_closed")
        .unwrap();
    assert_eq!(closed["details"]["willReconnect"], true);
    assert_eq!(
        count_qrs(&log),
        qrs_before,
        "the stored pairing was not reused"
    );
}
