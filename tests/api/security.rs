//! Keeping strangers out and floods down.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;

use crate::db_tests;
use crate::helpers::{
    ADMIN_EMAIL, TestDb, assert_error, fast_sim, json_body, spawn_app_with, spawn_sim_app,
};

db_tests!(
    login_attempts_are_limited_per_address_with_429_and_retry_after,
    login_attempts_are_limited_per_email_across_addresses,
    a_runaway_user_is_limited_without_starving_others,
    wrong_credentials_are_limited_per_address_without_an_oracle,
    only_allowed_addresses_reach_the_server,
    every_response_carries_security_headers,
    cors_is_off_by_default_and_allows_configured_origins,
);

async fn login_attempts_are_limited_per_address_with_429_and_retry_after(db: TestDb) {
    let app = spawn_app_with(db, |s| s.limits.login_attempts_per_minute = 3).await;
    // spawn_app logged in once already.
    for _ in 0..2 {
        assert_eq!(
            app.login("nobody@example.com", "wrong-password")
                .await
                .status(),
            401
        );
    }
    let limited = app.login(ADMIN_EMAIL, "admin-password-1").await;
    assert_eq!(limited.status(), 429);
    let retry_after: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after), "Retry-After {retry_after}");
    assert_eq!(assert_error(limited, 429).await, "rate_limited");
}

async fn login_attempts_are_limited_per_email_across_addresses(db: TestDb) {
    let app = spawn_app_with(db, |s| {
        s.limits.login_attempts_per_minute = 3;
        s.server.trusted_proxies =
            vec![wamux::net::client_ip::IpRange::parse("127.0.0.1").unwrap()];
    })
    .await;
    let attempt = |n: u8, email: &'static str| {
        let app = &app;
        async move {
            app.request(Method::POST, "/api/auth/login")
                .header("x-forwarded-for", format!("203.0.113.{n}"))
                .json(&json!({"email": email, "password": "guess-guess"}))
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    for n in 1..=3 {
        assert_eq!(attempt(n, "victim@example.com").await, 401);
    }
    assert_eq!(
        attempt(4, "victim@example.com").await,
        429,
        "a new address does not reset the email's count"
    );
    assert_eq!(attempt(5, "someone.else@example.com").await, 401);
}

async fn wrong_credentials_are_limited_per_address_without_an_oracle(db: TestDb) {
    let app = spawn_app_with(db, |s| s.limits.auth_failures_per_minute = 5).await;
    let me = |key: &str| {
        app.request(Method::GET, "/api/auth/me")
            .header("x-api-key", key)
            .send()
    };
    for n in 0..5 {
        assert_eq!(me(&format!("wmx_guess{n}")).await.unwrap().status(), 401);
    }
    let limited = me("wmx_guess5").await.unwrap();
    assert_eq!(limited.status(), 429);
    assert!(limited.headers().contains_key("retry-after"));
    assert_eq!(assert_error(limited, 429).await, "rate_limited");
    // The right key gets the same answer now: a guesser cannot tell it apart.
    let right = me(&app.admin_key).await.unwrap();
    assert_eq!(assert_error(right, 429).await, "rate_limited");
    // A request without credentials is not a failed guess, and other routes
    // without credentials still say what they need.
    let public = app.request(Method::GET, "/health").send().await.unwrap();
    assert_eq!(public.status(), 200);
}

async fn a_runaway_user_is_limited_without_starving_others(db: TestDb) {
    let app = spawn_app_with(db, |s| {
        s.limits.requests_per_second = 5;
        s.limits.burst = 5;
    })
    .await;
    let runaway = app
        .create_user("runaway@example.com", "runaway-password", "user")
        .await;
    let mut statuses = Vec::new();
    for _ in 0..12 {
        let response = app
            .with_key(&runaway.api_key, Method::GET, "/api/auth/me")
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
        if response.status() == 429 {
            assert!(response.headers().get("retry-after").is_some());
            assert_eq!(assert_error(response, 429).await, "rate_limited");
        }
    }
    assert!(statuses.contains(&429), "{statuses:?}");
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        5,
        "{statuses:?}"
    );
    let other = app
        .with_key(&app.admin_key, Method::GET, "/api/auth/me")
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 200, "another user was starved");
    tokio::time::sleep(Duration::from_millis(400)).await;
    let later = app
        .with_key(&runaway.api_key, Method::GET, "/api/auth/me")
        .send()
        .await
        .unwrap();
    assert_eq!(later.status(), 200, "the allowance did not come back");
}

async fn only_allowed_addresses_reach_the_server(db: TestDb) {
    use wamux::net::client_ip::IpRange;
    let app = spawn_app_with(db, |s| {
        s.server.allowed_ips = vec![
            IpRange::parse("10.0.0.0/8").unwrap(),
            IpRange::parse("127.0.0.1").unwrap(),
        ];
    })
    .await;
    assert_eq!(
        app.request(Method::GET, "/health")
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    // spawn_app_with would be refused its own bootstrap login: build this one by hand.
    let dir = tempfile::tempdir().unwrap();
    let mut settings = crate::helpers::test_settings(
        &dir,
        format!("sqlite://{}/w.db?mode=rwc", dir.path().display()),
    );
    settings.server.allowed_ips = vec![IpRange::parse("10.0.0.0/8").unwrap()];
    settings.server.trusted_proxies = vec![IpRange::parse("127.0.0.1").unwrap()];
    let server = wamux::startup::Application::build(settings).await.unwrap();
    let base = format!("http://127.0.0.1:{}", server.port());
    actix_web::rt::spawn(server.run_until_stopped());
    let client = reqwest::Client::new();
    for path in ["/health", "/api/auth/me", "/nowhere"] {
        let response = client.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(assert_error(response, 403).await, "forbidden", "{path}");
    }
    let spoofed = client
        .get(format!("{base}/health"))
        .header("x-forwarded-for", "10.1.2.3")
        .send()
        .await
        .unwrap();
    assert_eq!(
        spoofed.status(),
        200,
        "a trusted proxy's X-Forwarded-For is believed"
    );
}

async fn every_response_carries_security_headers(db: TestDb) {
    let app = spawn_sim_app(db).await;
    for (method, path) in [
        (Method::GET, "/health"),
        (Method::GET, "/api/auth/me"),
        (Method::GET, "/nope"),
    ] {
        let response = app.as_admin(method, path).send().await.unwrap();
        let headers = response.headers();
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert_eq!(headers["referrer-policy"], "no-referrer", "{path}");
        assert_eq!(headers["cache-control"], "no-store", "{path}");
        assert!(
            headers.get("strict-transport-security").is_none(),
            "HSTS over plain HTTP"
        );
    }
}

async fn cors_is_off_by_default_and_allows_configured_origins(db: TestDb) {
    let preflight = |app: &crate::helpers::TestApp, origin: &'static str| {
        app.request(Method::OPTIONS, "/api/auth/me")
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .header("access-control-request-headers", "x-api-key")
            .send()
    };
    let closed = spawn_sim_app(db).await;
    let response = preflight(&closed, "https://evil.example").await.unwrap();
    assert!(
        response
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    let simple = closed
        .with_key(&closed.admin_key, Method::GET, "/api/auth/me")
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert!(
        simple
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );

    let open = spawn_app_with(db, |s| {
        fast_sim(s);
        s.server.cors_allowed_origins = vec!["https://app.example".into()];
    })
    .await;
    let allowed = preflight(&open, "https://app.example").await.unwrap();
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://app.example"
    );
    let refused = preflight(&open, "https://evil.example").await.unwrap();
    assert!(
        refused
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    let me = open
        .with_key(&open.admin_key, Method::GET, "/api/auth/me")
        .header("origin", "https://app.example")
        .send()
        .await
        .unwrap();
    assert_eq!(
        me.headers()["access-control-allow-origin"],
        "https://app.example"
    );
    assert_eq!(json_body(me).await["email"], ADMIN_EMAIL);
}

/// Direct HTTPS with the configured certificate and key.
#[actix_web::test]
async fn tls_serves_https_with_the_configured_certificate() {
    crate::helpers::init_once();
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let dir = tempfile::tempdir().unwrap();
    let mut settings = crate::helpers::test_settings(
        &dir,
        format!("sqlite://{}/w.db?mode=rwc", dir.path().display()),
    );
    settings.server.tls_cert = fixtures.join("test-cert.pem").display().to_string();
    settings.server.tls_key = fixtures.join("test-key.pem").display().to_string();
    let server = wamux::startup::Application::build(settings).await.unwrap();
    let port = server.port();
    actix_web::rt::spawn(server.run_until_stopped());
    let certificate =
        reqwest::Certificate::from_pem(&std::fs::read(fixtures.join("ca-cert.pem")).unwrap())
            .unwrap();
    let client = reqwest::Client::builder()
        .add_root_certificate(certificate)
        .build()
        .unwrap();
    let response = client
        .get(format!("https://localhost:{port}/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["strict-transport-security"],
        "max-age=31536000"
    );
    let plain = reqwest::Client::new()
        .get(format!("http://127.0.0.1:{port}/health"))
        .send()
        .await;
    assert!(
        plain.is_err() || plain.unwrap().status() != 200,
        "plain HTTP answered on the TLS port"
    );
}

#[actix_web::test]
async fn a_bad_tls_configuration_stops_start_up() {
    crate::helpers::init_once();
    let dir = tempfile::tempdir().unwrap();
    let mut settings = crate::helpers::test_settings(
        &dir,
        format!("sqlite://{}/w.db?mode=rwc", dir.path().display()),
    );
    settings.server.tls_cert = "/nonexistent/cert.pem".into();
    settings.server.tls_key = "/nonexistent/key.pem".into();
    let err = wamux::startup::Application::build(settings)
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("server.tls_cert"), "{err}");
}
