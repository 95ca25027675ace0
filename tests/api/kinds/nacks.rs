//! A send WhatsApp refuses after taking it (a nack; the sim's `nack` fault
//! plays it as the engine reads it): the row fails with WhatsApp's code,
//! `message_failed` says so instead of `message_sent`, and a 463 — the
//! reach-out timelock — also reports the account restricted.

use serde_json::json;

use super::{ALICE, BOB, hooked_pair, jid, message, message_where, post, sent};
use crate::db_tests;
use crate::helpers::{TestDb, eventually, spawn_sim_app};

db_tests!(a_refused_send_fails_with_its_code_and_a_timelock_restricts_the_account);

async fn a_refused_send_fails_with_its_code_and_a_timelock_restricts_the_account(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let pair = hooked_pair(&app, json!({})).await;
    let fault_path = format!("/api/sim/instances/{}/fault", pair.alice);
    let fault = |body| post(&app, &fault_path, body);
    let text = |message: &'static str| json!({"phone": BOB, "message": message});

    assert_eq!(
        fault(json!({"kind": "nack", "code": 404})).await.status(),
        200
    );
    let unknown = sent(&app, &pair.alice, "send", text("to nobody")).await;
    let row = message_where(&app, &pair.alice, BOB, &unknown, |m| {
        m["status"] == "failed"
    })
    .await;
    let reason = "the recipient is not on WhatsApp";
    assert_eq!(row["error"], json!({"code": 404, "reason": reason}));
    let failed = pair
        .alices_hook
        .event_data("message_failed", |d| d["messageId"] == unknown)
        .await;
    assert_eq!(
        failed,
        json!({"instanceId": pair.alice, "messageId": unknown, "chat": jid(BOB),
               "code": 404, "reason": reason})
    );

    // No code: the reach-out timelock, which also restricts the account.
    assert_eq!(fault(json!({"kind": "nack"})).await.status(), 200);
    let locked = sent(&app, &pair.alice, "send", text("a new chat")).await;
    let restricted = pair
        .alices_hook
        .event_data("account_restricted", |_| true)
        .await;
    assert_eq!(
        restricted,
        json!({"instanceId": pair.alice, "reason": "reachout_timelock", "code": 463})
    );
    let row = message_where(&app, &pair.alice, BOB, &locked, |m| m["status"] == "failed").await;
    assert_eq!(row["error"]["code"], 463);
    eventually("the restriction in the activity log", || async {
        let actions = app.actions(&app.admin_key, &pair.alice).await;
        actions
            .iter()
            .any(|a| a == "account_restricted")
            .then_some(())
    })
    .await;

    // The next message goes, as sent; the refused ones never reached Bob and
    // were never announced as sent.
    let next = sent(&app, &pair.alice, "send", text("accepted")).await;
    message(&app, &pair.bob, ALICE, &next).await;
    let at_bob = app.history(&app.admin_key, &pair.bob, ALICE).await;
    assert!(
        at_bob
            .iter()
            .all(|m| m["messageId"] != unknown && m["messageId"] != locked)
    );
    let sent_ids: Vec<_> = pair
        .alices_hook
        .requests()
        .iter()
        .filter(|r| r.event() == "message_sent")
        .map(|r| r.json()["data"]["messageId"].clone())
        .collect();
    assert!(sent_ids.contains(&json!(next)), "{sent_ids:?}");
    assert!(!sent_ids.contains(&json!(unknown)) && !sent_ids.contains(&json!(locked)));

    // A code out of range is refused.
    let bad = fault(json!({"kind": "nack", "code": 42})).await;
    assert_eq!(bad.status(), 400);
}
