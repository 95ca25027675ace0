//! Linking: by QR and by pairing code through the test server's phone, and
//! sessions that come back after a restart with no new QR.

use reqwest::Method;
use serde_json::json;

use crate::e2e_tests;
use crate::harness::{Network, TestDb};

e2e_tests!(
    two_instances_link_by_qr_and_come_back_after_a_restart_without_a_new_qr,
    an_instance_links_by_pairing_code_and_a_wrong_code_links_nothing,
);

async fn two_instances_link_by_qr_and_come_back_after_a_restart_without_a_new_qr(db: TestDb) {
    let mut net = Network::start(db).await;
    let alice = net.instance("Alice").await;
    let bob = net.instance("Bob").await;

    // The QR the status route shows is the one the webhook announced.
    let qr = net.qr(&alice).await;
    let announced = net.event(&alice, "qr_received", |_| true).await;
    assert!(
        announced["qrCode"].as_str().unwrap().starts_with("2@"),
        "{announced}"
    );
    let linked = net.mock.scan(&qr, "15550001001", "Alice").await;
    assert_eq!(linked["jid"], "15550001001@s.whatsapp.net");
    assert!(linked["lid"].as_str().unwrap().ends_with("@lid"));
    let status = net.wamux.wait_for_status(&alice, "connected").await;
    assert_eq!(status["ready"], true);
    assert_eq!(status["hasQr"], false);
    net.event(&alice, "connection_opened", |_| true).await;
    net.link(&bob, "15550001002", "Bob").await;
    net.event(&bob, "connection_opened", |_| true).await;
    let instance = net.wamux.get(&format!("/api/instances/{alice}")).await;
    assert_eq!(instance["status"], "connected");

    let qrs_before =
        net.count(&alice, "qr_received", |_| true) + net.count(&bob, "qr_received", |_| true);
    let opened_before = net.count(&alice, "connection_opened", |_| true);
    let ik_before = net.mock.stats().await["handshakes"]["ik"].as_u64().unwrap();
    net.wamux.restart().await;
    for id in [&alice, &bob] {
        net.wamux.wait_for_status(id, "connected").await;
    }
    crate::helpers::eventually("connection_opened after the restart", || async {
        (net.count(&alice, "connection_opened", |_| true) > opened_before).then_some(())
    })
    .await;
    let qrs_after =
        net.count(&alice, "qr_received", |_| true) + net.count(&bob, "qr_received", |_| true);
    assert_eq!(qrs_after, qrs_before, "no new QR after a restart");
    // Both came back with Noise IK, from the server key their sessions kept.
    let stats = net.mock.stats().await;
    let ik_after = stats["handshakes"]["ik"].as_u64().unwrap();
    assert!(ik_after >= ik_before + 2, "{stats}");
    let actions = net.wamux.actions(&alice).await;
    assert!(
        actions.iter().filter(|a| *a == "connection_opened").count() >= 2,
        "{actions:?}"
    );
}

async fn an_instance_links_by_pairing_code_and_a_wrong_code_links_nothing(db: TestDb) {
    let net = Network::start(db).await;
    let id = net.instance("Coded").await;
    net.wamux.wait_for_status(&id, "qr").await;
    let ask_code = || async {
        let (status, answer) = net
            .wamux
            .call(
                Method::POST,
                &format!("/api/instances/{id}/pairing-code"),
                Some(json!({"phone": "+1 555 000 2001"})),
            )
            .await;
        assert_eq!(status, 200, "{answer}");
        answer["pairingCode"]
            .as_str()
            .expect("pairingCode")
            .to_owned()
    };

    // A code the device did not show opens nothing, and spends the device's code.
    let code = ask_code().await;
    let wrong = if code.starts_with('A') {
        "BBBB-BBBB"
    } else {
        "AAAA-AAAA"
    };
    let (refused, why) = net.mock.link_code("15550002001", wrong).await;
    assert_eq!(refused, 409, "{why}");
    assert_ne!(net.wamux.status(&id).await["status"], "connected");

    // Asking again at once replaces the live code rather than being refused.
    let replaced = ask_code().await;
    let code = ask_code().await;
    assert_ne!(code, replaced);
    let (linked, answer) = net.mock.link_code("15550002001", &code).await;
    assert_eq!(linked, 200, "{answer}");
    assert_eq!(answer["jid"], "15550002001@s.whatsapp.net");
    net.wamux.wait_for_status(&id, "connected").await;
    net.event(&id, "connection_opened", |_| true).await;
}
