//! A send still in flight when the request's time runs out (here: the sim's
//! `slow` fault) answers 202 with its id and goes on; a retry with the same
//! `Idempotency-Key` gets that id and sends nothing twice. Before, it answered
//! 503 and released the key, so a correct retry sent the message again.

use reqwest::Method;
use serde_json::json;

use super::{ALICE, BOB};
use crate::db_tests;
use crate::helpers::{TestDb, eventually, fast_sim, json_body, spawn_app_with};

db_tests!(a_send_outliving_its_request_answers_202_and_goes_out_once);

async fn a_send_outliving_its_request_answers_202_and_goes_out_once(db: TestDb) {
    let app = spawn_app_with(db, |s| {
        fast_sim(s);
        // Long enough for the set-up's own requests on a busy machine.
        s.supervision.request_timeout_ms = 1500;
    })
    .await;
    let (alice, bob) = app.alice_and_bob().await;
    let slow = app
        .with_key(
            &app.admin_key,
            Method::POST,
            &format!("/api/sim/instances/{alice}/fault"),
        )
        .json(&json!({"kind": "slow", "delayMs": 5000}))
        .send()
        .await
        .unwrap();
    assert_eq!(slow.status(), 200);
    let send = || {
        app.with_key(
            &app.admin_key,
            Method::POST,
            &format!("/api/whatsapp/{alice}/send"),
        )
        .header("Idempotency-Key", "slow-send-1")
        .json(&json!({"phone": BOB, "message": "a slow one"}))
        .send()
    };

    let first = send().await.unwrap();
    assert_eq!(first.status(), 202);
    let answer = json_body(first).await;
    assert_eq!(answer["status"], "sending", "{answer}");
    let id = answer["id"].as_str().unwrap().to_owned();
    // Retried while it is still going: the same id, nothing sent again.
    let retry = send().await.unwrap();
    assert_eq!(retry.status(), 202);
    assert_eq!(retry.headers()["idempotent-replayed"], "true");
    assert_eq!(json_body(retry).await, answer);

    // It goes out, once.
    eventually("the slow message at Bob", || async {
        let history = app.history(&app.admin_key, &bob, ALICE).await;
        history
            .iter()
            .any(|m| m["messageId"] == id.as_str())
            .then_some(())
    })
    .await;
    eventually("the slow message sent at Alice", || async {
        let history = app.history(&app.admin_key, &alice, BOB).await;
        history
            .iter()
            .any(|m| m["messageId"] == id.as_str() && m["status"] != "pending")
            .then_some(())
    })
    .await;
    let late_retry = send().await.unwrap();
    assert_eq!(json_body(late_retry).await["id"], id.as_str());
    // A later send, not slowed, is answered 200 as before.
    let next = app.send_text(&app.admin_key, &alice, BOB, "on time").await;
    assert_eq!(next.status(), 200);
    let next_id = json_body(next).await["id"].as_str().unwrap().to_owned();
    eventually("the next message at Bob", || async {
        let history = app.history(&app.admin_key, &bob, ALICE).await;
        history
            .iter()
            .any(|m| m["messageId"] == next_id.as_str())
            .then_some(())
    })
    .await;
    let at_bob = app.history(&app.admin_key, &bob, ALICE).await;
    let copies = at_bob
        .iter()
        .filter(|m| m["content"] == "a slow one")
        .count();
    assert_eq!(copies, 1, "{at_bob:?}");
}
