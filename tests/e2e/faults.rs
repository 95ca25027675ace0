//! What WhatsApp does to a session in the field, injected by the test server:
//! the phone unlinking the device, another session taking over, a temporary
//! ban, a dropped connection, a rate limit, a refused send.

use serde_json::json;

use crate::e2e_tests;
use crate::harness::{Network, TestDb};
use crate::helpers::eventually;

e2e_tests!(
    the_phone_unlinking_the_device_logs_the_instance_out_and_removes_its_session,
    a_replaced_stream_fails_the_instance_as_session_replaced,
    a_temporary_ban_fails_the_instance_with_its_expiry,
    a_dropped_connection_comes_back_and_what_was_sent_meanwhile_arrives_once,
    a_send_whatsapp_refuses_fails_and_a_timelock_restricts_the_account,
    a_final_connect_refusal_fails_the_instance_and_a_passing_one_is_retried,
    a_stalled_connection_is_probed_and_restarted_and_an_idle_one_left_alone,
    a_rate_limited_connection_comes_back_after_a_longer_wait_than_a_drop,
);

const ALICE: &str = "15550008001";
const BOB: &str = "15550008002";

async fn the_phone_unlinking_the_device_logs_the_instance_out_and_removes_its_session(db: TestDb) {
    let net = Network::start(db).await;
    let alice = net.linked_instance("Alice", ALICE).await;
    eventually("the session in the database", || async {
        (net.wamux.session_rows(&alice).await > 0).then_some(())
    })
    .await;
    let (status, unlinked) = net
        .mock
        .post(&format!("accounts/{ALICE}/unlink"), json!({}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(unlinked["unlinked"], 1);
    net.wamux.wait_for_status(&alice, "logged_out").await;
    let closed = net.event(&alice, "connection_closed", |_| true).await;
    assert_eq!(closed["willReconnect"], false, "{closed}");
    eventually("the session's rows gone", || async {
        (net.wamux.session_rows(&alice).await == 0).then_some(())
    })
    .await;
}

async fn a_replaced_stream_fails_the_instance_as_session_replaced(db: TestDb) {
    let net = Network::start(db).await;
    let alice = net.linked_instance("Alice", ALICE).await;
    net.mock.fault(ALICE, json!({"kind": "replaced"})).await;
    net.wamux.wait_for_status(&alice, "failed").await;
    let log = eventually("a session_replaced entry", || async {
        net.wamux
            .activity(&alice)
            .await
            .into_iter()
            .find(|log| log["action"] == "session_replaced")
    })
    .await;
    assert!(
        log["details"]["reason"]
            .as_str()
            .unwrap()
            .contains("took over"),
        "{log}"
    );
    // Failed stays failed: no restart takes the session back from the other client.
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert_eq!(net.wamux.status(&alice).await["status"], "failed");
}

/// WhatsApp refusing the connection: a 503 passes and is retried; a 409 (like
/// 400, 413-418, 501 and unknown codes) is final, as the engine has it, and is
/// not retried forever.
async fn a_final_connect_refusal_fails_the_instance_and_a_passing_one_is_retried(db: TestDb) {
    let net = Network::start(db).await;
    let alice = net.linked_instance("Alice", ALICE).await;
    net.mock
        .fault(ALICE, json!({"kind": "refuse", "code": 503}))
        .await;
    eventually("a restart after the 503", || async {
        let actions = net.wamux.actions(&alice).await;
        actions
            .iter()
            .any(|a| a == "session_restarted")
            .then_some(())
    })
    .await;
    net.wamux.wait_for_status(&alice, "connected").await;

    net.mock
        .fault(ALICE, json!({"kind": "refuse", "code": 409}))
        .await;
    net.wamux.wait_for_status(&alice, "failed").await;
    let log = eventually("a connect_refused entry", || async {
        net.wamux
            .activity(&alice)
            .await
            .into_iter()
            .find(|log| log["action"] == "connect_refused")
    })
    .await;
    assert_eq!(log["details"]["code"], 409, "{log}");
    let restarts =
        |actions: &[String]| actions.iter().filter(|a| *a == "session_restarted").count();
    let before = restarts(&net.wamux.actions(&alice).await);
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert_eq!(net.wamux.status(&alice).await["status"], "failed");
    assert_eq!(restarts(&net.wamux.actions(&alice).await), before);
}

/// A zombie: the connection stays open but carries nothing. The watchdog probes
/// it after `stall_after_ms` of silence and restarts it; an idle connection that
/// answers the probe is left alone.
async fn a_stalled_connection_is_probed_and_restarted_and_an_idle_one_left_alone(db: TestDb) {
    // Probes then wait 2 s for their answer: room for a busy machine.
    let net = Network::start_with(db, &[("WAMUX__SUPERVISION__STALL_AFTER_MS", "4000")]).await;
    let alice = net.linked_instance("Alice", ALICE).await;
    net.mock.create_account(BOB, "Bob").await;
    // Idle past the stall time: probed, answered, left connected.
    tokio::time::sleep(std::time::Duration::from_secs(9)).await;
    assert_eq!(net.wamux.status(&alice).await["status"], "connected");
    assert!(
        !net.wamux
            .actions(&alice)
            .await
            .iter()
            .any(|a| a == "session_stalled")
    );
    let metrics = net
        .wamux
        .request(reqwest::Method::GET, "/metrics")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let series = format!("wamux_session_inbound_age_seconds{{instance=\"{alice}\"");
    assert!(metrics.contains(&series), "{series} not in /metrics");

    net.mock.fault(ALICE, json!({"kind": "stall"})).await;
    let log = eventually("a session_stalled entry", || async {
        net.wamux
            .activity(&alice)
            .await
            .into_iter()
            .find(|log| log["action"] == "session_stalled")
    })
    .await;
    assert!(log["details"]["inboundAgeSecs"].as_u64().is_some(), "{log}");
    net.wamux.wait_for_status(&alice, "connected").await;
    // Back for real: what Bob's phone writes now arrives.
    let id = net.mock.send(BOB, ALICE, "after the stall").await;
    net.event(&alice, "message_received", |d| d["messageId"] == id)
        .await;
}

async fn a_temporary_ban_fails_the_instance_with_its_expiry(db: TestDb) {
    let net = Network::start(db).await;
    let alice = net.linked_instance("Alice", ALICE).await;
    net.mock
        .fault(ALICE, json!({"kind": "ban", "expiresInSecs": 3600}))
        .await;
    net.wamux.wait_for_status(&alice, "failed").await;
    let log = eventually("a temporarily_banned entry", || async {
        net.wamux
            .activity(&alice)
            .await
            .into_iter()
            .find(|log| log["action"] == "temporarily_banned")
    })
    .await;
    let left = log["details"]["expiresInSecs"].as_u64().unwrap();
    assert!((3500..=3600).contains(&left), "{log}");
}

async fn a_dropped_connection_comes_back_and_what_was_sent_meanwhile_arrives_once(db: TestDb) {
    let net = Network::start(db).await;
    let alice = net.linked_instance("Alice", ALICE).await;
    let bob = net.linked_instance("Bob", BOB).await;
    net.mock.fault(BOB, json!({"kind": "drop"})).await;
    let mut sent = Vec::new();
    for n in 0..5 {
        let answer = net
            .wamux
            .post(
                &format!("/api/whatsapp/{alice}/send"),
                json!({"phone": BOB, "message": format!("while away {n}")}),
            )
            .await;
        sent.push(answer["id"].as_str().unwrap().to_owned());
    }
    net.wamux.wait_for_status(&bob, "connected").await;
    for id in &sent {
        net.event(&bob, "message_received", |d| d["messageId"] == id.as_str())
            .await;
        net.event(&alice, "message_status", |d| {
            d["messageId"] == id.as_str() && d["status"] == "delivered"
        })
        .await;
    }
    // The drop may reach Bob only after the texts did (they went out on the
    // old connection): what matters is that he comes back.
    eventually("Bob reconnected", || async {
        let actions = net.wamux.actions(&bob).await;
        let opened = actions.iter().filter(|a| *a == "connection_opened").count();
        (opened >= 2).then_some(())
    })
    .await;
    // Once each: no duplicate webhook, no duplicate row.
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    for id in &sent {
        assert_eq!(
            net.count(&bob, "message_received", |d| d["messageId"] == id.as_str()),
            1
        );
    }
    assert_eq!(net.wamux.history(&bob, ALICE).await.len(), sent.len());
}

async fn a_send_whatsapp_refuses_fails_and_a_timelock_restricts_the_account(db: TestDb) {
    let net = Network::start(db).await;
    let alice = net.linked_instance("Alice", ALICE).await;
    let bob = net.linked_instance("Bob", BOB).await;
    net.mock
        .fault(
            ALICE,
            json!({"kind": "nack", "code": 463, "lockSecs": 7200}),
        )
        .await;
    let answer = net
        .wamux
        .post(
            &format!("/api/whatsapp/{alice}/send"),
            json!({"phone": BOB, "message": "refused"}),
        )
        .await;
    let id = answer["id"].as_str().unwrap().to_owned();
    // WhatsApp refused it (463, the reach-out timelock): the row fails with the
    // code, `message_failed` says so, and the account is reported restricted.
    let failed = net
        .event(&alice, "message_failed", |d| d["messageId"] == id)
        .await;
    assert_eq!(failed["code"], 463, "{failed}");
    assert_eq!(failed["chat"], format!("{BOB}@s.whatsapp.net"), "{failed}");
    assert!(failed["reason"].as_str().unwrap().contains("timelock"));
    let restricted = net.event(&alice, "account_restricted", |_| true).await;
    assert_eq!(restricted["reason"], "reachout_timelock", "{restricted}");
    // When the lock ends, as WhatsApp answers when asked: two hours from now.
    let until = restricted["until"].as_str().expect("until");
    let until = chrono::DateTime::parse_from_rfc3339(until).expect("ISO 8601");
    let hours = (until.timestamp() - chrono::Utc::now().timestamp()) as f64 / 3600.0;
    assert!((1.9..=2.0).contains(&hours), "{restricted}");
    let row = net
        .wamux
        .wait_for_row(&alice, BOB, &id, |row| row["status"] == "failed")
        .await;
    assert_eq!(row["error"]["code"], 463, "{row}");
    eventually("the restriction in the activity log", || async {
        let actions = net.wamux.actions(&alice).await;
        actions
            .iter()
            .any(|a| a == "account_restricted")
            .then_some(())
    })
    .await;
    // WhatsApp did not deliver it.
    let next = net
        .wamux
        .post(
            &format!("/api/whatsapp/{alice}/send"),
            json!({"phone": BOB, "message": "accepted"}),
        )
        .await;
    let next = next["id"].as_str().unwrap().to_owned();
    net.event(&bob, "message_received", |d| d["messageId"] == next)
        .await;
    assert_eq!(
        net.count(&bob, "message_received", |d| d["messageId"] == id),
        0
    );
}

/// WhatsApp's 429 raises no event of the engine's own: the instance reads it
/// off the stream and waits as five attempts later, where a drop waits the
/// policy's first step.
async fn a_rate_limited_connection_comes_back_after_a_longer_wait_than_a_drop(db: TestDb) {
    let net = Network::start_with(
        db,
        &[
            ("WAMUX__SUPERVISION__BACKOFF_INITIAL_MS", "50"),
            ("WAMUX__SUPERVISION__BACKOFF_MAX_MS", "5000"),
        ],
    )
    .await;
    let alice = net.linked_instance("Alice", ALICE).await;
    let restarts = || async {
        net.wamux
            .activity(&alice)
            .await
            .into_iter()
            .filter(|log| log["action"] == "session_restarted")
            .map(|log| log["details"].clone())
            .collect::<Vec<_>>()
    };
    net.mock.fault(ALICE, json!({"kind": "ratelimit"})).await;
    let limited = eventually("a restart after the rate limit", || async {
        restarts().await.into_iter().find(|d| {
            d["reason"]
                .as_str()
                .is_some_and(|reason| reason.contains("429"))
        })
    })
    .await;
    let limited_wait = limited["backoffMs"].as_u64().unwrap_or(0);
    assert!(limited_wait >= 1600, "50 ms × 2^5 at least: {limited}");
    net.wamux.wait_for_status(&alice, "connected").await;

    let before = restarts().await.len();
    net.mock.fault(ALICE, json!({"kind": "drop"})).await;
    let dropped = eventually("a restart after the drop", || async {
        restarts().await.into_iter().nth(before)
    })
    .await;
    let dropped_wait = dropped["backoffMs"].as_u64().unwrap_or(u64::MAX);
    assert!(
        !dropped["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("429")
            && dropped_wait < limited_wait,
        "a drop keeps the plain pace: {dropped} after {limited}"
    );
    net.wamux.wait_for_status(&alice, "connected").await;
}
