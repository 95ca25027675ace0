//! The real `wamux` binary, as a newcomer runs it.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use reqwest::Method;
use serde_json::json;

use crate::helpers::{TestDb, json_body, test_settings};

fn wamux(dir: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_wamux"));
    command
        .current_dir(dir)
        .env_remove("RUST_LOG")
        .env("WAMUX__LOG__JSON", "false")
        .env("NO_COLOR", "1");
    command
}

/// Kills the child when the test ends, passing or not.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Lines of the child's stdout and stderr, as they come.
fn output_lines(child: &mut Child) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    if let Some(out) = child.stdout.take() {
        let tx = tx.clone();
        std::thread::spawn(move || {
            BufReader::new(out)
                .lines()
                .map_while(Result::ok)
                .for_each(|l| {
                    let _ = tx.send(l);
                })
        });
    }
    if let Some(err) = child.stderr.take() {
        std::thread::spawn(move || {
            BufReader::new(err)
                .lines()
                .map_while(Result::ok)
                .for_each(|l| {
                    let _ = tx.send(l);
                })
        });
    }
    rx
}

#[test]
fn bad_config_stops_start_up_with_a_message_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.toml"), "[server]\nprot = 1\n").unwrap();
    let output = wamux(dir.path())
        .args(["--config", "bad.toml"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("configuration error") && stderr.contains("prot"),
        "{stderr}"
    );

    let output = wamux(dir.path())
        .env("WAMUX__AUTH__JWT_SECRET", "short")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("auth.jwt_secret"));
}

#[actix_web::test]
async fn first_start_creates_admin_at_localhost_and_prints_its_password_once() {
    crate::helpers::init_once();
    let dir = tempfile::tempdir().unwrap();
    let mut child = wamux(dir.path())
        .env("WAMUX__SERVER__PORT", "0")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = output_lines(&mut child);
    let _running = Running(child);
    let (mut password, mut port) = (None, None);
    let mut seen = Vec::new();
    while port.is_none() {
        let line = lines
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("no start-up: {seen:#?}"));
        if line.contains("with the password") {
            let next = lines.recv_timeout(Duration::from_secs(5)).unwrap();
            let next = if next.trim().is_empty() {
                lines.recv_timeout(Duration::from_secs(5)).unwrap()
            } else {
                next
            };
            password = Some(next.trim().to_owned());
        }
        if let Some(rest) = line
            .split("port=")
            .nth(1)
            .filter(|_| line.contains("wamux listening"))
        {
            port = rest.split_whitespace().next().map(str::to_owned);
        }
        seen.push(line);
    }
    let password = password.expect("password printed");
    assert!(password.len() >= 20);
    let base = format!("http://127.0.0.1:{}", port.unwrap());
    let client = reqwest::Client::new();
    let login = client
        .post(format!("{base}/api/auth/login"))
        .json(&json!({"email": "admin@localhost", "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    let login = json_body(login).await;
    for (header, value) in [
        (
            "authorization",
            format!("Bearer {}", login["token"].as_str().unwrap()),
        ),
        (
            "x-api-key",
            login["user"]["apiKey"].as_str().unwrap().to_owned(),
        ),
    ] {
        let me = client
            .get(format!("{base}/api/auth/me"))
            .header(header, value)
            .send()
            .await
            .unwrap();
        assert_eq!(json_body(me).await["email"], "admin@localhost");
    }
    assert!(dir.path().join("data/wamux.db").exists());
    assert!(dir.path().join("data/jwt_secret").exists());
}

#[actix_web::test]
async fn user_create_prints_an_id_and_a_working_api_key() {
    crate::helpers::init_once();
    let dir = tempfile::tempdir().unwrap();
    let output = wamux(dir.path()).arg("migrate").output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let output = wamux(dir.path())
        .args([
            "user",
            "create",
            "--email",
            "ops@example.com",
            "--password",
            "ops-password",
            "--admin",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let field = |name: &str| {
        stdout
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name}: ")))
            .unwrap_or_else(|| panic!("no {name} in {stdout}"))
            .to_owned()
    };
    let (id, key) = (field("id"), field("apiKey"));

    let again = wamux(dir.path())
        .args([
            "user",
            "create",
            "--email",
            "ops@example.com",
            "--password",
            "ops-password",
        ])
        .output()
        .unwrap();
    assert!(!again.status.success());

    let url = format!("sqlite://{}/data/wamux.db?mode=rwc", dir.path().display());
    let settings = test_settings(&tempfile::tempdir().unwrap(), url);
    let app = wamux::startup::Application::build(settings).await.unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    actix_web::rt::spawn(app.run_until_stopped());
    let me = reqwest::Client::new()
        .request(Method::GET, format!("{base}/api/auth/me"))
        .header("x-api-key", key)
        .send()
        .await
        .unwrap();
    assert_eq!(json_body(me).await["id"], id.as_str());
    let _ = TestDb::Sqlite;
}

#[test]
fn config_check_prints_effective_settings_with_secrets_masked() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("prod.toml"),
        "[server]\nport = 9123\n\n[auth]\njwt_secret = \"file-secret-0123456789-abcdefghijkl\"\n\n\
         [database]\nurl = \"postgres://wamux:db-pass-42@127.0.0.1:5432/wamux\"\n\n\
         [metrics]\ntoken = \"scrape-token-777\"\n",
    )
    .unwrap();
    let output = wamux(dir.path())
        .args(["--config", "prod.toml", "config", "check"])
        .env("WAMUX__WEBHOOKS__TIMEOUT_MS", "4321")
        .env(
            "WAMUX__AUTH__BOOTSTRAP_ADMIN_PASSWORD",
            "env-admin-password-1",
        )
        .env("WAMUX__AUTH__BOOTSTRAP_ADMIN_EMAIL", "ops@example.com")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // The file and the environment both count, and the result is valid TOML.
    let effective: toml::Table = stdout.parse().expect("effective settings are TOML");
    assert_eq!(effective["server"]["port"].as_integer(), Some(9123));
    assert_eq!(effective["webhooks"]["timeout_ms"].as_integer(), Some(4321));
    assert_eq!(effective["auth"]["jwt_secret"].as_str(), Some("***"));
    assert_eq!(effective["metrics"]["token"].as_str(), Some("***"));
    assert_eq!(
        effective["database"]["url"].as_str(),
        Some("postgres://wamux:***@127.0.0.1:5432/wamux")
    );
    assert!(
        stdout.contains(
            "the database (database.url) and its backups hold every instance's WhatsApp keys"
        ),
        "the operator is told what the database holds: {stdout}"
    );
    for secret in [
        "file-secret",
        "db-pass-42",
        "scrape-token-777",
        "env-admin-password",
    ] {
        assert!(!stdout.contains(secret), "{secret} printed");
    }
}

#[test]
fn config_check_names_the_bad_key_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.toml"), "[webhooks]\ntimeout = 5\n").unwrap();
    let output = wamux(dir.path())
        .args(["--config", "bad.toml", "config", "check"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("timeout"), "{stderr}");
    assert!(
        output.stdout.is_empty(),
        "no settings printed for a bad file"
    );

    let output = wamux(dir.path())
        .args(["config", "check"])
        .env("WAMUX__SUPERVISION__BACKOFF_MULTIPLIER", "0.5")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("backoff_multiplier"));
}
