//! What operators and integrators look at: QR images, pairing codes, the live
//! event stream and the Prometheus scrape.

use std::time::Duration;

use futures_util::StreamExt;
use reqwest::Method;
use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::{
    TestApp, TestDb, assert_error, eventually, fast_sim, json_body, spawn_app_with, spawn_sim_app,
};
use crate::process::ServerProcess;
use crate::receiver::{Receiver, always_ok};

db_tests!(
    qr_png_decodes_to_the_pending_qr_string,
    pairing_code_pairs_by_phone_number,
    event_stream_carries_the_webhook_payloads,
    metrics_after_a_scenario_count_what_happened,
);

/// A QR that stays put long enough to compare its renderings.
async fn spawn_steady_qr_app(db: TestDb) -> TestApp {
    spawn_app_with(db, |s| {
        fast_sim(s);
        s.sim.qr_refresh_ms = 60_000;
    })
    .await
}

async fn get(app: &TestApp, path: &str) -> reqwest::Response {
    app.with_key(&app.admin_key, Method::GET, path)
        .send()
        .await
        .expect("request")
}

async fn qr_png_decodes_to_the_pending_qr_string(db: TestDb) {
    let app = spawn_steady_qr_app(db).await;
    let id = app
        .create_instance(&app.admin_key, json!({"name": "Scan me"}))
        .await;
    app.wait_for_status(&app.admin_key, &id, "qr").await;
    let qr = json_body(get(&app, &format!("/api/instances/{id}/qr")).await).await;
    let qr = qr["qrCode"].as_str().expect("qrCode").to_owned();

    for path in [
        format!("/api/instances/{id}/qr?format=png"),
        format!("/api/whatsapp/{id}/qr?format=png"),
    ] {
        let response = get(&app, &path).await;
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(response.headers()["content-type"], "image/png");
        let png = response.bytes().await.unwrap();
        let image = image::load_from_memory(&png).expect("a PNG").to_luma8();
        assert!(image.width() >= 320, "big enough to scan from a screen");
        let mut prepared = rqrr::PreparedImage::prepare(image);
        let grids = prepared.detect_grids();
        assert_eq!(grids.len(), 1, "one QR code in the picture");
        let (_, content) = grids[0].decode().expect("the QR decodes");
        assert_eq!(content, qr, "the picture holds the pending QR string");
    }

    let response = get(&app, &format!("/api/instances/{id}/qr?format=svg")).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "image/svg+xml");
    let svg = response.text().await.unwrap();
    assert!(svg.contains("<svg") && svg.contains("</svg>"), "{svg}");

    let code = assert_error(
        get(&app, &format!("/api/instances/{id}/qr?format=gif")).await,
        400,
    )
    .await;
    assert_eq!(code, "validation_error");

    app.pair(&app.admin_key, &id, "79001234567", "Ivan").await;
    let code = assert_error(
        get(&app, &format!("/api/instances/{id}/qr?format=png")).await,
        404,
    )
    .await;
    assert_eq!(
        code, "qr_not_available",
        "a connected instance has no QR to draw"
    );
}

async fn request_code(app: &TestApp, id: &str, phone: Value) -> reqwest::Response {
    app.with_key(
        &app.admin_key,
        Method::POST,
        &format!("/api/instances/{id}/pairing-code"),
    )
    .json(&json!({ "phone": phone }))
    .send()
    .await
    .expect("pairing code")
}

async fn pairing_code_pairs_by_phone_number(db: TestDb) {
    let app = spawn_steady_qr_app(db).await;
    let id = app
        .create_instance(&app.admin_key, json!({"name": "By phone"}))
        .await;
    app.wait_for_status(&app.admin_key, &id, "qr").await;

    for bad in [
        json!("not a phone"),
        json!(""),
        json!("120363025246125486@g.us"),
    ] {
        let code = assert_error(request_code(&app, &id, bad.clone()).await, 400).await;
        assert_eq!(code, "invalid_phone", "{bad}");
    }
    let code = assert_error(
        app.with_key(
            &app.admin_key,
            Method::POST,
            &format!("/api/instances/{id}/pairing-code"),
        )
        .json(&json!({"number": "79001234567"}))
        .send()
        .await
        .unwrap(),
        400,
    )
    .await;
    assert_eq!(
        code, "validation_error",
        "an unknown field is named, not ignored"
    );

    let response = request_code(&app, &id, json!("79001234567")).await;
    assert_eq!(response.status(), 200);
    let body = json_body(response).await;
    let pairing = body["pairingCode"].as_str().expect("pairingCode");
    let shape = pairing.len() == 9
        && pairing.as_bytes()[4] == b'-'
        && pairing
            .chars()
            .filter(|c| *c != '-')
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    assert!(shape, "ABCD-EFGH shape: {pairing}");
    let logged = eventually("the pairing_code activity", || async {
        app.activity(&app.admin_key, &id)
            .await
            .into_iter()
            .find(|log| log["action"] == "pairing_code")
    })
    .await;
    assert_eq!(logged["details"]["phone"], "79001234567");
    assert!(
        !logged.to_string().contains(pairing),
        "the code itself is not logged"
    );

    // Entering the code on the phone: the sim's scan stands in for it.
    app.pair(&app.admin_key, &id, "79001234567", "Ivan").await;
    let opened = app
        .activity(&app.admin_key, &id)
        .await
        .into_iter()
        .rfind(|log| log["action"] == "connection_opened")
        .expect("connection_opened logged");
    assert_eq!(
        opened["details"]["phone"], "79001234567",
        "linked to the number asked for"
    );

    let code = assert_error(request_code(&app, &id, json!("79001234567")).await, 409).await;
    assert_eq!(
        code, "instance_not_pairable",
        "a connected instance needs no code"
    );

    let stranger = app
        .create_user("eve@example.com", "correct horse battery", "user")
        .await;
    let response = app
        .with_key(
            &stranger.api_key,
            Method::POST,
            &format!("/api/instances/{id}/pairing-code"),
        )
        .json(&json!({"phone": "79001234567"}))
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(response, 404).await, "instance_not_found");
}

/// Reads SSE frames until one of `event` arrives; returns its `data` as JSON.
async fn next_event(
    stream: &mut (impl futures_util::Stream<Item = reqwest::Result<bytes::Bytes>> + Unpin),
    buffer: &mut String,
    event: &str,
) -> Value {
    let wanted = format!("event: {event}\n");
    let read = async {
        loop {
            while let Some(end) = buffer.find("\n\n") {
                let frame: String = buffer.drain(..end + 2).collect();
                if frame.starts_with(&wanted) {
                    let data = frame
                        .lines()
                        .find_map(|line| line.strip_prefix("data: "))
                        .expect("a data line");
                    return serde_json::from_str(data).expect("data is JSON");
                }
            }
            let chunk = stream.next().await.expect("stream open").expect("chunk");
            buffer.push_str(std::str::from_utf8(&chunk).expect("UTF-8 frames"));
        }
    };
    tokio::time::timeout(Duration::from_secs(15), read)
        .await
        .unwrap_or_else(|_| panic!("no {event} event on the stream"))
}

async fn event_stream_carries_the_webhook_payloads(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let receiver = Receiver::start(always_ok()).await;
    let id = app
        .create_instance(
            &app.admin_key,
            json!({"name": "Streamed", "webhookUrl": receiver.url, "webhookEnabled": true}),
        )
        .await;

    let unauthenticated = app
        .request(Method::GET, &format!("/api/instances/{id}/events"))
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(unauthenticated, 401).await, "unauthorized");
    let stranger = app
        .create_user("eve@example.com", "correct horse battery", "user")
        .await;
    let foreign = app
        .with_key(
            &stranger.api_key,
            Method::GET,
            &format!("/api/instances/{id}/events"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(foreign, 404).await, "instance_not_found");

    let response = app
        .request(Method::GET, &format!("/api/instances/{id}/events"))
        .bearer_auth(&app.admin_token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let mut stream = response.bytes_stream();
    let mut buffer = String::new();

    app.pair(&app.admin_key, &id, "79001111111", "Alice").await;
    let opened = next_event(&mut stream, &mut buffer, "connection_opened").await;
    assert_eq!(opened["data"]["instanceId"], id.as_str());

    let message_id = app
        .inbound(&app.admin_key, &id, "79005555555", "stream me")
        .await;
    let streamed = next_event(&mut stream, &mut buffer, "message_received").await;
    assert_eq!(streamed["data"]["messageId"], message_id.as_str());
    let hooked = receiver
        .wait_until("the message_received webhook", |requests| {
            requests.iter().any(|r| {
                r.event() == "message_received"
                    && r.json()["data"]["messageId"] == message_id.as_str()
            })
        })
        .await
        .into_iter()
        .find(|r| r.event() == "message_received")
        .unwrap();
    assert_eq!(
        streamed,
        hooked.json(),
        "the stream carries the webhook's body, byte for byte in JSON"
    );

    // A second watcher sees the same events; a watcher that leaves costs nothing.
    let second = app
        .with_key(
            &app.admin_key,
            Method::GET,
            &format!("/api/instances/{id}/events"),
        )
        .send()
        .await
        .unwrap();
    let mut second = second.bytes_stream();
    let mut second_buffer = String::new();
    drop(stream);
    app.send_text(&app.admin_key, &id, "79005555555", "out")
        .await;
    let sent = next_event(&mut second, &mut second_buffer, "message_sent").await;
    assert_eq!(sent["data"]["instanceId"], id.as_str());

    // Watchers are bounded per instance (the left first one no longer counts).
    let watch = || {
        app.with_key(
            &app.admin_key,
            Method::GET,
            &format!("/api/instances/{id}/events"),
        )
        .send()
    };
    let mut watchers = Vec::new();
    for _ in 0..31 {
        let response = watch().await.unwrap();
        assert_eq!(response.status(), 200);
        watchers.push(response);
    }
    let refused = watch().await.unwrap();
    assert!(refused.headers().contains_key("retry-after"));
    assert_eq!(assert_error(refused, 429).await, "rate_limited");
    // A watcher that hangs up is noticed at the next write (an event, or the
    // keep-alive comment every 15 s).
    drop(watchers.pop());
    let again = eventually("a freed watcher slot", || async {
        app.inbound(&app.admin_key, &id, "79005555555", "anyone there?")
            .await;
        let response = watch().await.unwrap();
        (response.status() == 200).then_some(response)
    })
    .await;
    drop((again, watchers, second));
    receiver.stop().await;
}

fn sample(metrics: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    metrics
        .lines()
        .filter(|line| !line.starts_with('#'))
        .find_map(|line| {
            let (series, value) = line.rsplit_once(' ')?;
            let (metric, rest) = series.split_once('{').unwrap_or((series, ""));
            let matches = metric == name
                && labels
                    .iter()
                    .all(|(key, value)| rest.contains(&format!("{key}=\"{value}\"")));
            matches.then(|| value.parse().ok()).flatten()
        })
}

async fn scrape(app: &TestApp) -> String {
    let response = app.request(Method::GET, "/metrics").send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    response.text().await.unwrap()
}

async fn metrics_after_a_scenario_count_what_happened(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let receiver = Receiver::start(always_ok()).await;
    let (alice, bob) = app.alice_and_bob().await;
    let hooked = app
        .create_instance(
            &app.admin_key,
            json!({"name": "Hooked", "webhookUrl": receiver.url, "webhookEnabled": true}),
        )
        .await;
    app.pair(&app.admin_key, &hooked, "79003333333", "Carol")
        .await;
    for text in ["one", "two", "three"] {
        let response = app
            .send_text(&app.admin_key, &alice, "79002222222", text)
            .await;
        assert_eq!(response.status(), 200);
    }
    app.inbound(&app.admin_key, &hooked, "79005555555", "hello")
        .await;
    receiver.wait_for_event("message_received").await;
    app.fault(&app.admin_key, &bob, "disconnect").await;
    app.wait_for_status(&app.admin_key, &bob, "connected").await;
    let parked = app
        .create_instance(&app.admin_key, json!({"name": "Waiting"}))
        .await;
    app.wait_for_status(&app.admin_key, &parked, "qr").await;
    let missing = app
        .as_admin(
            Method::GET,
            "/api/instances/0193a0c2-6f1e-7c3b-9a2d-4b8f2e1d0c5a",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);

    let metrics = eventually("the delivery counted", || async {
        let metrics = scrape(&app).await;
        let delivered = sample(
            &metrics,
            "wamux_webhook_deliveries_total",
            &[("outcome", "delivered")],
        );
        let flushed = sample(&metrics, "wamux_stats_flushes_total", &[("result", "ok")]);
        (delivered.is_some_and(|n| n >= 1.0) && flushed.is_some_and(|n| n >= 1.0))
            .then_some(metrics)
    })
    .await;
    let value = |name: &str, labels: &[(&str, &str)]| {
        sample(&metrics, name, labels)
            .unwrap_or_else(|| panic!("{name} {labels:?} missing:\n{metrics}"))
    };
    assert_eq!(value("wamux_instances", &[("status", "connected")]), 3.0);
    assert_eq!(value("wamux_instances", &[("status", "qr")]), 1.0);
    assert_eq!(value("wamux_instances", &[("status", "failed")]), 0.0);
    assert!(value("wamux_messages_sent_total", &[]) >= 3.0);
    assert!(
        value("wamux_messages_received_total", &[]) >= 4.0,
        "three at Bob, one at Carol"
    );
    assert!(value("wamux_session_restarts_total", &[]) >= 1.0);
    assert_eq!(value("wamux_supervisor_give_ups_total", &[]), 0.0);
    assert!(value("wamux_webhook_delivery_seconds_count", &[]) >= 1.0);
    assert!(value("wamux_webhook_outbox_depth", &[]) >= 0.0);
    assert!(value("wamux_stats_flushes_total", &[("result", "ok")]) >= 1.0);
    let sends = value(
        "wamux_http_requests_total",
        &[
            ("endpoint", "/api/whatsapp/{instance_id}/send"),
            ("method", "POST"),
            ("status", "200"),
        ],
    );
    assert_eq!(
        sends, 3.0,
        "requests are counted by route pattern, not raw path"
    );
    assert!(
        value(
            "wamux_http_requests_duration_seconds_count",
            &[
                ("endpoint", "/api/instances/{instance_id}"),
                ("status", "404")
            ],
        ) >= 1.0
    );
    assert!(!metrics.contains(&alice), "no instance ids as label values");
    assert!(!metrics.contains(&app.admin_key), "no secrets");
    receiver.stop().await;
}

#[actix_web::test]
async fn metrics_need_the_token_or_an_allowed_address() {
    let app = spawn_app_with(TestDb::Sqlite, |s| {
        s.metrics.allowed_ips = vec![wamux::net::client_ip::IpRange::parse("10.0.0.0/8").unwrap()];
    })
    .await;
    let refused = app.request(Method::GET, "/metrics").send().await.unwrap();
    assert_eq!(assert_error(refused, 403).await, "forbidden");

    let app = spawn_app_with(TestDb::Sqlite, |s| {
        s.metrics.token = "scrape-token-0123456789".to_owned().into();
    })
    .await;
    let anonymous = app.request(Method::GET, "/metrics").send().await.unwrap();
    assert_eq!(
        anonymous.status(),
        403,
        "with a token set, even localhost needs it"
    );
    let wrong = app
        .request(Method::GET, "/metrics")
        .bearer_auth("scrape-token-wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 403);
    let admin = app.as_admin(Method::GET, "/metrics").send().await.unwrap();
    assert_eq!(
        admin.status(),
        403,
        "a user's token is not the scrape token"
    );
    let scraped = app
        .request(Method::GET, "/metrics")
        .bearer_auth("scrape-token-0123456789")
        .send()
        .await
        .unwrap();
    assert_eq!(scraped.status(), 200);
    assert!(scraped.text().await.unwrap().contains("wamux_instances"));

    let app = spawn_app_with(TestDb::Sqlite, |s| s.metrics.enabled = false).await;
    let off = app.request(Method::GET, "/metrics").send().await.unwrap();
    assert_eq!(off.status(), 404);
}

/// The console drawing back to pixels (blocks are light modules, two rows per
/// line), decoded as a phone would.
fn decode_console_qr(drawing: &[&str]) -> String {
    const SCALE: usize = 4;
    let width = drawing
        .iter()
        .map(|line| line.chars().count())
        .max()
        .unwrap();
    let height = drawing.len() * 2;
    let light = |x: usize, y: usize| {
        let symbol = drawing[y / 2].chars().nth(x).unwrap_or(' ');
        matches!(
            (symbol, y % 2),
            ('\u{2588}', _) | ('\u{2580}', 0) | ('\u{2584}', 1)
        )
    };
    let mut image =
        rqrr::PreparedImage::prepare_from_greyscale(width * SCALE, height * SCALE, |x, y| {
            if light(x / SCALE, y / SCALE) { 255 } else { 0 }
        });
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code on the console");
    grids[0].decode().expect("the console QR decodes").1
}

#[actix_web::test]
async fn qr_terminal_draws_each_new_qr_on_the_console() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(
        dir.path(),
        &[
            ("WAMUX__LOG__QR_TERMINAL", "true"),
            ("WAMUX__SIM__QR_REFRESH_MS", "60000"),
        ],
    )
    .await;
    let created = server
        .post("/api/instances", json!({"name": "Console"}))
        .await;
    let id = json_body(created).await["id"].as_str().unwrap().to_owned();
    server.wait_for_status(&id, "qr").await;
    let served = server.get(&format!("/api/instances/{id}/qr")).await["qrCode"]
        .as_str()
        .unwrap()
        .to_owned();

    let console = eventually("the QR on the console", || async {
        let output = std::fs::read_to_string(dir.path().join("wamux.log")).ok()?;
        output
            .contains(&format!("QR code for instance {id}"))
            .then_some(output)
    })
    .await;
    let drawing: Vec<&str> = console
        .lines()
        .skip_while(|line| !line.starts_with(&format!("QR code for instance {id}")))
        .skip(1)
        .take_while(|line| {
            !line.is_empty()
                && line
                    .chars()
                    .all(|c| " \u{2580}\u{2584}\u{2588}".contains(c))
        })
        .collect();
    assert!(
        drawing.len() > 10,
        "a drawing follows the heading:\n{console}"
    );
    assert_eq!(decode_console_qr(&drawing), served);
    assert!(
        !console.contains(&format!("\"{served}\"")),
        "the QR string itself is not logged"
    );
}
