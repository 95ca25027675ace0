//! Faults under load, with the real binary: nothing accepted is lost.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{eventually, json_body};
use crate::process::ServerProcess;
use crate::receiver::{Answer, Receiver, always_ok, distinct, free_port};

const ALICE: &str = "79001111111";
const BOB: &str = "79002222222";
const STRANGER: &str = "79005554433";

fn hook(url: &str) -> Value {
    json!({"webhookUrl": url, "webhookEnabled": true, "notifyReceived": true, "notifySent": true,
           "notifyDelivery": false, "notifyRead": false, "maxRetries": 20, "retryInterval": 1000})
}

/// Every message of a chat, following the pages.
async fn whole_chat(server: &ServerProcess, instance: &str, chat: &str) -> Vec<Value> {
    let mut all = Vec::new();
    loop {
        let page = server
            .get(&format!(
                "/api/instances/{instance}/chats/{chat}/messages?limit=500&skip={}",
                all.len()
            ))
            .await;
        let messages = page["messages"].as_array().cloned().unwrap_or_default();
        let done = messages.len() < 500;
        all.extend(messages);
        if done {
            return all;
        }
    }
}

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
    let mut tasks = Vec::new();
    for t in 0..3 {
        let (client, base, key, alice, answered) = (
            client.clone(),
            server.base.clone(),
            server.key.clone(),
            alice.clone(),
            answered_sends.clone(),
        );
        tasks.push(actix_web::rt::spawn(async move {
            for n in 0.. {
                let sent = client
                    .post(format!("{base}/api/whatsapp/{alice}/send"))
                    .header("x-api-key", &key)
                    .json(&json!({"phone": BOB, "message": format!("burst {t}-{n}")}))
                    .send()
                    .await;
                match sent {
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
        }));
    }
    {
        let (client, base, key, alice, answered) = (
            client.clone(),
            server.base.clone(),
            server.key.clone(),
            alice.clone(),
            answered_inbound.clone(),
        );
        tasks.push(actix_web::rt::spawn(async move {
            for n in 0.. {
                let injected = client
                    .post(format!("{base}/api/sim/instances/{alice}/inbound"))
                    .header("x-api-key", &key)
                    .json(&json!({"from": STRANGER, "body": format!("inbound {n}")}))
                    .send()
                    .await;
                match injected {
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
        }));
    }
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

#[actix_web::test]
async fn a_crashing_session_a_dead_and_a_slow_receiver_do_not_hold_up_other_instances() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(
        dir.path(),
        &[
            ("WAMUX__LIMITS__REQUESTS_PER_SECOND", "0"),
            ("WAMUX__WEBHOOKS__TIMEOUT_MS", "20000"),
        ],
    )
    .await;
    let slow = Receiver::start(Arc::new(|_| Answer::After(Duration::from_secs(4)))).await;
    let healthy = Receiver::start(always_ok()).await;
    let dead_url = format!("http://127.0.0.1:{}/hook", free_port());
    let crasher = server
        .paired_instance("Crasher", "79003333333", json!({}))
        .await;
    let dead = server
        .paired_instance("Dead", "79004444444", hook(&dead_url))
        .await;
    let slowpoke = server
        .paired_instance("Slow", "79006666666", hook(&slow.url))
        .await;
    let normal = server
        .paired_instance("Normal", ALICE, hook(&healthy.url))
        .await;
    server.paired_instance("Bob", BOB, json!({})).await;

    let crashing = {
        let (client, base, key) = (
            reqwest::Client::new(),
            server.base.clone(),
            server.key.clone(),
        );
        actix_web::rt::spawn(async move {
            for _ in 0..30 {
                let _ = client
                    .post(format!("{base}/api/sim/instances/{crasher}/fault"))
                    .header("x-api-key", &key)
                    .json(&json!({"kind": "crash"}))
                    .send()
                    .await;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };
    let mut normal_sends = Vec::new();
    for n in 0..15 {
        for instance in [&dead, &slowpoke] {
            let response = server
                .post(
                    &format!("/api/whatsapp/{instance}/send"),
                    json!({"phone": BOB, "message": n.to_string()}),
                )
                .await;
            assert_eq!(response.status(), 200);
        }
        let response = server
            .post(
                &format!("/api/whatsapp/{normal}/send"),
                json!({"phone": BOB, "message": n.to_string()}),
            )
            .await;
        assert_eq!(response.status(), 200, "a healthy instance's send failed");
        normal_sends.push(json_body(response).await["id"].as_str().unwrap().to_owned());
        let injected = server
            .post(
                &format!("/api/sim/instances/{normal}/inbound"),
                json!({"from": STRANGER, "body": n.to_string()}),
            )
            .await;
        assert_eq!(injected.status(), 200);
    }
    healthy
        .wait_until("every webhook of the healthy instance", |r| {
            let r = distinct(r);
            r.iter().filter(|r| r.event() == "message_sent").count() == 15
                && r.iter().filter(|r| r.event() == "message_received").count() == 15
        })
        .await;
    // All of that happened while the slow receiver still sat on its first request.
    assert_eq!(
        slow.requests().len(),
        1,
        "the slow receiver was not holding its first request"
    );
    let sent: Vec<String> = distinct(&healthy.requests())
        .iter()
        .filter(|r| r.event() == "message_sent")
        .map(|r| r.json()["data"]["messageId"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(sent, normal_sends, "out of order or incomplete");
    crashing.await.unwrap();
    let health = server.get("/health").await;
    assert_eq!(health["status"], "ok");
    let pending = server
        .get(&format!(
            "/api/instances/{dead}/webhooks/deliveries?state=pending&limit=500"
        ))
        .await;
    assert!(
        pending["pagination"]["total"].as_u64().unwrap() >= 15,
        "the dead receiver's deliveries were dropped"
    );
}

#[actix_web::test]
async fn with_the_sqlite_file_gone_routes_answer_503_and_recover_by_themselves() {
    let dir = tempfile::tempdir().unwrap();
    let db_dir = dir.path().join("db");
    let url = format!("sqlite://{}/wamux.db?mode=rwc", db_dir.display());
    let mut server = ServerProcess::start(
        dir.path(),
        &[
            ("WAMUX__DATABASE__URL", &url),
            ("WAMUX__DATABASE__MAX_LIFETIME_SECS", "1"),
            ("WAMUX__DATABASE__IDLE_TIMEOUT_SECS", "1"),
            ("WAMUX__DATABASE__CONNECT_TIMEOUT_SECS", "2"),
        ],
    )
    .await;
    let away = dir.path().join("db-away");
    let (from, to) = (db_dir.clone(), away.clone());
    database_outage(
        &mut server,
        async move { std::fs::rename(&from, &to).unwrap() },
        async move { std::fs::rename(&away, &db_dir).unwrap() },
    )
    .await;
}

#[actix_web::test]
async fn with_postgresql_refusing_connections_routes_answer_503_and_recover_by_themselves() {
    use sea_orm::{ConnectionTrait, Database};
    let Ok(admin_url) = std::env::var("TEST_DATABASE_URL") else {
        return;
    };
    if admin_url.is_empty() {
        return;
    }
    let admin = Database::connect(admin_url.as_str()).await.unwrap();
    let name = format!("wt_{}", uuid::Uuid::now_v7().simple());
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .unwrap();
    let base = admin_url.split('?').next().unwrap();
    let url = format!("{}/{name}", base.rsplit_once('/').unwrap().0);
    let dir = tempfile::tempdir().unwrap();
    let mut server = ServerProcess::start(
        dir.path(),
        &[
            ("WAMUX__DATABASE__URL", &url),
            ("WAMUX__DATABASE__CONNECT_TIMEOUT_SECS", "2"),
        ],
    )
    .await;
    let refuse = format!("ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS false");
    let terminate =
        format!("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'");
    let allow = format!("ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS true");
    let admin = &admin;
    database_outage(
        &mut server,
        async move {
            admin.execute_unprepared(&refuse).await.unwrap();
            admin.execute_unprepared(&terminate).await.unwrap();
        },
        async move {
            admin.execute_unprepared(&allow).await.unwrap();
        },
    )
    .await;
}

async fn database_outage(
    server: &mut ServerProcess,
    take_away: impl Future<Output = ()>,
    bring_back: impl Future<Output = ()>,
) {
    let alice = server.paired_instance("Alice", ALICE, json!({})).await;
    server.paired_instance("Bob", BOB, json!({})).await;
    let sent = server
        .post(
            &format!("/api/whatsapp/{alice}/send"),
            json!({"phone": BOB, "message": "before"}),
        )
        .await;
    assert_eq!(sent.status(), 200);

    take_away.await;
    let health = eventually("/health to report the database gone", || async {
        let response = server
            .request(reqwest::Method::GET, "/health")
            .send()
            .await
            .ok()?;
        (response.status() == 503).then_some(())?;
        Some(json_body(response).await)
    })
    .await;
    assert_eq!(
        health,
        json!({"status": "degraded", "database": "unavailable"})
    );
    let list = server
        .request(reqwest::Method::GET, "/api/instances")
        .send()
        .await
        .unwrap();
    assert_eq!(list.status(), 503);
    assert_eq!(json_body(list).await["code"], "service_unavailable");

    bring_back.await;
    eventually("/health to recover", || async {
        let response = server
            .request(reqwest::Method::GET, "/health")
            .send()
            .await
            .ok()?;
        (response.status() == 200).then_some(())
    })
    .await;
    eventually("a send to go through again", || async {
        let response = server
            .post(
                &format!("/api/whatsapp/{alice}/send"),
                json!({"phone": BOB, "message": "after"}),
            )
            .await;
        (response.status() == 200).then_some(())
    })
    .await;
    let history = whole_chat(server, &alice, BOB).await;
    let contents: Vec<&str> = history
        .iter()
        .filter_map(|m| m["content"].as_str())
        .collect();
    assert!(
        contents.contains(&"before") && contents.contains(&"after"),
        "{contents:?}"
    );
}
