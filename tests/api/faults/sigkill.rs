//! A SIGKILL in a burst loses no answered send, inbound message or webhook.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

use super::{ALICE, BOB, STRANGER, hook, whole_chat};
use crate::process::ServerProcess;
use crate::receiver::{Receiver, always_ok};

#[actix_web::test]
async fn a_sigkill_in_a_burst_loses_no_answered_send_inbound_message_or_webhook() {
    let dir = tempfile::tempdir().unwrap();
    let mut server =
        ServerProcess::start(dir.path(), &[("WAMUX__LIMITS__REQUESTS_PER_SECOND", "0")]).await;
    let receiver = Receiver::start(always_ok()).await;
    let alice = server
        .paired_instance("Alice", ALICE, hook(&receiver.url))
        .await;
    server.paired_instance("Bob", BOB, json!({})).await;

    let answered_sends = Arc::new(Mutex::new(Vec::new()));
    let answered_inbound = Arc::new(Mutex::new(Vec::new()));
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let send_url = format!("{}/api/whatsapp/{alice}/send", server.base);
    let inbound_url = format!("{}/api/sim/instances/{alice}/inbound", server.base);
    let mut tasks = Vec::new();
    for t in 0..3 {
        tasks.push(keep_posting(
            client.clone(),
            send_url.clone(),
            server.key.clone(),
            answered_sends.clone(),
            move |n| json!({"phone": BOB, "message": format!("burst {t}-{n}")}),
        ));
    }
    tasks.push(keep_posting(
        client.clone(),
        inbound_url,
        server.key.clone(),
        answered_inbound.clone(),
        |n| json!({"from": STRANGER, "body": format!("inbound {n}")}),
    ));
    tokio::time::sleep(Duration::from_millis(600)).await;
    server.kill();
    for task in tasks {
        let _ = task.await;
    }
    let sends: Vec<String> = answered_sends.lock().unwrap().clone();
    let inbound: Vec<String> = answered_inbound.lock().unwrap().clone();
    assert!(
        sends.len() >= 5 && !inbound.is_empty(),
        "too little load: {} sends, {} inbound",
        sends.len(),
        inbound.len()
    );
    eprintln!(
        "burst before the kill: {} answered sends, {} answered inbound",
        sends.len(),
        inbound.len()
    );

    server.start_again().await;
    let history = whole_chat(&server, &alice, BOB).await;
    let stored: HashSet<&str> = history
        .iter()
        .filter_map(|m| m["messageId"].as_str())
        .collect();
    let missing: Vec<_> = sends
        .iter()
        .filter(|id| !stored.contains(id.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "{} answered sends missing from the history",
        missing.len()
    );
    let mut ids: Vec<&str> = history
        .iter()
        .filter_map(|m| m["messageId"].as_str())
        .collect();
    let count = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), count, "a message was stored twice");
    let received = whole_chat(&server, &alice, STRANGER).await;
    let stored: HashSet<&str> = received
        .iter()
        .filter_map(|m| m["messageId"].as_str())
        .collect();
    assert!(
        inbound.iter().all(|id| stored.contains(id.as_str())),
        "an answered inbound message is missing"
    );

    let requests = receiver
        .wait_until("a webhook for every answered request", |requests| {
            let seen: HashSet<(String, String)> = requests
                .iter()
                .map(|r| {
                    (
                        r.event(),
                        r.json()["data"]["messageId"]
                            .as_str()
                            .unwrap_or_default()
                            .to_owned(),
                    )
                })
                .collect();
            sends
                .iter()
                .all(|id| seen.contains(&("message_sent".to_owned(), id.clone())))
                && inbound
                    .iter()
                    .all(|id| seen.contains(&("message_received".to_owned(), id.clone())))
        })
        .await;
    let mut by_delivery: HashMap<String, (String, String)> = HashMap::new();
    let mut events = HashSet::new();
    for request in &requests {
        let key = (
            request.event(),
            request.json()["data"]["messageId"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
        let delivery = request.header("x-webhook-id").unwrap().to_owned();
        match by_delivery.get(&delivery) {
            Some(seen) => assert_eq!(seen, &key, "one X-Webhook-Id carried two events"),
            None => {
                assert!(
                    events.insert(key.clone()) || key.1.is_empty(),
                    "{key:?} delivered under two ids"
                );
                by_delivery.insert(delivery, key);
            }
        }
    }
}

/// Posts `body(n)` for n = 0, 1, ... until the server stops answering, keeping
/// the id of every request answered 200.
fn keep_posting(
    client: reqwest::Client,
    url: String,
    key: String,
    answered: Arc<Mutex<Vec<String>>>,
    body: impl Fn(u64) -> Value + 'static,
) -> actix_web::rt::task::JoinHandle<()> {
    actix_web::rt::spawn(async move {
        for n in 0.. {
            let posted = client
                .post(&url)
                .header("x-api-key", &key)
                .json(&body(n))
                .send()
                .await;
            match posted {
                Ok(response) if response.status() == 200 => {
                    if let Ok(body) = response.json::<Value>().await {
                        answered
                            .lock()
                            .unwrap()
                            .push(body["id"].as_str().unwrap_or_default().to_owned());
                    }
                }
                Ok(_) => {}
                Err(_) => return,
            }
        }
    })
}
