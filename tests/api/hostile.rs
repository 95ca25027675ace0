//! Hostile input, round two: bodies in the wrong shape or type, filters that
//! would be ignored, invented methods, and text meant to forge log lines.

use reqwest::Method;
use serde_json::json;

use crate::db_tests;
use crate::helpers::*;
use crate::process::ServerProcess;

db_tests!(
    a_json_array_is_not_a_body_even_in_the_right_order,
    json_routes_refuse_other_content_types_with_415,
    an_unknown_activity_action_is_refused_not_ignored,
);

async fn a_json_array_is_not_a_body_even_in_the_right_order(db: TestDb) {
    let app = spawn_app(db).await;
    let login = app
        .request(Method::POST, "/api/auth/login")
        .json(&json!([ADMIN_EMAIL, ADMIN_PASSWORD]))
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(login, 400).await, "validation_error");
    let create = app
        .as_admin(Method::POST, "/api/instances")
        .json(&json!(["Sales"]))
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(create, 400).await, "validation_error");
}

async fn json_routes_refuse_other_content_types_with_415(db: TestDb) {
    let app = spawn_app(db).await;
    let body = json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}).to_string();
    let as_text = app
        .request(Method::POST, "/api/auth/login")
        .header("content-type", "text/plain")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(as_text, 415).await, "unsupported_media_type");
    let untyped = app
        .request(Method::POST, "/api/auth/login")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(untyped, 415).await, "unsupported_media_type");
}

async fn an_unknown_activity_action_is_refused_not_ignored(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let id = app
        .create_instance(&app.admin_key, json!({"name": "Filtered"}))
        .await;
    for actions in ["bogus", "instance_created,NOT-AN-ACTION", "%0Aforged"] {
        let response = app
            .as_admin(
                Method::GET,
                &format!("/api/instances/{id}/activity?actions={actions}"),
            )
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(status, 400, "{actions}: {body}");
        assert_eq!(body["code"], "validation_error");
        assert!(
            body["error"]
                .as_str()
                .unwrap()
                .contains("is not an activity action"),
            "{body}"
        );
    }
    let known = app
        .as_admin(
            Method::GET,
            &format!("/api/instances/{id}/activity?actions=instance_created"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(json_body(known).await["logs"].as_array().unwrap().len(), 1);
}

/// The number of series of one metric on the page.
fn series(page: &str, metric: &str) -> usize {
    page.lines()
        .filter(|line| line.starts_with(&format!("{metric}{{")))
        .count()
}

#[actix_web::test]
async fn invented_methods_add_no_metric_series() {
    let app = spawn_app(TestDb::Sqlite).await;
    let scrape = || async {
        app.request(Method::GET, "/metrics")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    };
    let odd = Method::from_bytes(b"FOO0").unwrap();
    app.request(odd, "/health").send().await.unwrap();
    // A first scrape counts itself on the next page: past it, scrapes add nothing.
    scrape().await;
    let before = series(&scrape().await, "wamux_http_requests_total");
    for n in 1..50 {
        let method = Method::from_bytes(format!("FOO{n}").as_bytes()).unwrap();
        let response = app.request(method, "/health").send().await.unwrap();
        assert!(response.status().is_client_error());
    }
    let page = scrape().await;
    assert_eq!(
        series(&page, "wamux_http_requests_total"),
        before,
        "every invented method shares one label value"
    );
    assert!(page.contains("method=\"OTHER\""), "{page}");
}

#[actix_web::test]
async fn a_field_name_cannot_forge_a_log_line() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(dir.path(), &[("WAMUX__LOG__LEVEL", "debug")]).await;
    let forged = "2026-11-28T12:00:00.000000Z  INFO wamux: administrator password reset";
    let body = format!(r#"{{"name": "x", "evil\n{forged}": 1}}"#);
    let refused = server
        .request(Method::POST, "/api/instances")
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    let log = server.log();
    assert!(
        !log.lines().any(|line| line.starts_with(forged)),
        "a forged line made it into the log"
    );
    assert!(
        log.contains("evil\\\\n2026-11-28") || log.contains("evil\\n2026-11-28"),
        "the refusal is logged, escaped"
    );
}

#[actix_web::test]
async fn refused_requests_cannot_fill_the_disk() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(dir.path(), &[("WAMUX__LOG__LEVEL", "info")]).await;
    let before = server.log().len();
    let agent = "A".repeat(8_000);
    let target = format!("/api/instances/{}?q={}", "0".repeat(36), "B".repeat(6_000));
    for _ in 0..200 {
        let refused = server
            .request(Method::GET, &target)
            .header("user-agent", &agent)
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 404);
    }
    let log = server.log();
    let written = &log[before..];
    // At INFO a refusal is not logged at all; past the flood mark one sampled
    // WARN says so, with client text capped.
    assert!(
        written.len() < 4_096,
        "200 refusals wrote {} bytes",
        written.len()
    );
    assert!(!written.contains(&"A".repeat(600)) && !written.contains(&"B".repeat(600)));
}

/// Writes `request` on a fresh connection and reads the answer until the
/// server closes it.
async fn raw_exchange(base: &str, request: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        stream.read_to_end(&mut answer),
    );
    read.await.expect("the server closes the connection").ok();
    String::from_utf8_lossy(&answer).into_owned()
}

/// The status of a raw HTTP/1.1 answer the HTTP parser gave itself: no route
/// ever saw the request, and the released actix-http answers those with an
/// empty body (SECURITY.md, "Protocol errors").
fn parser_status(answer: &str) -> u16 {
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {answer:?}"));
    let (_, body) = answer
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no end of head in {answer:?}"));
    assert!(body.is_empty(), "{answer:?}");
    status
}

#[actix_web::test]
async fn protocol_errors_are_refused_and_not_logged_as_errors() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(dir.path(), &[]).await;
    let two_lengths = b"POST /api/auth/login HTTP/1.1\r\nHost: x\r\n\
        Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}";
    let answer = raw_exchange(&server.base, two_lengths).await;
    assert_eq!(parser_status(&answer), 400);

    let bad_encoding = b"POST /api/auth/login HTTP/1.1\r\nHost: x\r\n\
        Transfer-Encoding: gzip\r\n\r\n";
    let answer = raw_exchange(&server.base, bad_encoding).await;
    assert_eq!(parser_status(&answer), 400);

    // Too many headers: refused like a head over the size limit, and small
    // enough to be read whole (unread bytes would turn the close into a reset).
    let crowded: String = (0..120).map(|n| format!("X-Filler-{n}: a\r\n")).collect();
    let crowded = format!("GET /health HTTP/1.1\r\nHost: x\r\n{crowded}\r\n");
    let answer = raw_exchange(&server.base, crowded.as_bytes()).await;
    assert_eq!(parser_status(&answer), 431);

    // A head that never ends: answered when the server stops waiting for it.
    let answer = raw_exchange(&server.base, b"GET /health HTTP/1.1\r\nHost: x\r\n").await;
    assert_eq!(parser_status(&answer), 408);

    let healthy = server.request(Method::GET, "/health").send().await.unwrap();
    assert_eq!(healthy.status(), 200);
    let log = server.log();
    assert!(
        !log.lines().any(|line| line.contains("ERROR")),
        "a client's malformed request is not a server error:\n{log}"
    );
}
