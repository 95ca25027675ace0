use std::collections::HashMap;
use std::path::PathBuf;

use secrecy::ExposeSecret;
use wamux::config::{Settings, SettingsError};

fn shipped_config() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("config.toml")
}

fn load_file(contents: &str, env: &[(&str, &str)]) -> Result<Settings, SettingsError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, contents).unwrap();
    let env: HashMap<String, String> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Settings::load_with_env(Some(&path), env)
}

#[test]
fn shipped_config_toml_lists_exactly_the_defaults() {
    let shipped = Settings::load_with_env(Some(&shipped_config()), HashMap::new()).unwrap();
    assert_eq!(format!("{shipped:?}"), format!("{:?}", Settings::default()));
}

#[test]
fn environment_overrides_the_file() {
    let settings = load_file(
        "[server]\nport = 8080\n",
        &[
            ("WAMUX__SERVER__PORT", "9000"),
            ("WAMUX__LOG__JSON", "true"),
        ],
    )
    .unwrap();
    assert_eq!(settings.server.port, 9000);
    assert!(settings.log.json);
}

#[test]
fn unknown_key_in_the_file_is_refused_by_name() {
    let err = load_file("[server]\nprot = 1\n", &[])
        .unwrap_err()
        .to_string();
    assert!(err.contains("prot"), "{err}");
}

#[test]
fn unknown_section_is_refused_by_name() {
    let err = load_file("[serverr]\nport = 1\n", &[])
        .unwrap_err()
        .to_string();
    assert!(err.contains("serverr"), "{err}");
}

#[test]
fn unknown_key_in_the_environment_is_refused_by_name() {
    let err = load_file("", &[("WAMUX__AUTH__JWT_SECRETT", "x")])
        .unwrap_err()
        .to_string();
    assert!(err.contains("jwt_secrett"), "{err}");
}

#[test]
fn bad_value_is_refused_with_its_key() {
    let err = load_file("[server]\nport = \"eighty\"\n", &[])
        .unwrap_err()
        .to_string();
    assert!(err.contains("port"), "{err}");
    let err = load_file("", &[("WAMUX__SERVER__PORT", "99999")])
        .unwrap_err()
        .to_string();
    assert!(err.contains("port"), "{err}");
}

#[test]
fn short_jwt_secret_is_refused() {
    let err = load_file("[auth]\njwt_secret = \"too-short\"\n", &[])
        .unwrap_err()
        .to_string();
    assert!(err.contains("auth.jwt_secret"), "{err}");
    let ok = load_file(
        "[auth]\njwt_secret = \"0123456789abcdef0123456789abcdef\"\n",
        &[],
    )
    .unwrap();
    assert_eq!(ok.auth.jwt_secret.expose_secret().len(), 32);
}

#[test]
fn database_url_must_be_sqlite_or_postgres() {
    let err = load_file("[database]\nurl = \"mysql://x\"\n", &[])
        .unwrap_err()
        .to_string();
    assert!(err.contains("database.url"), "{err}");
}

#[test]
fn bootstrap_admin_needs_a_valid_email_and_password() {
    let err = load_file("[auth]\nbootstrap_admin_email = \"a@b.c\"\n", &[])
        .unwrap_err()
        .to_string();
    assert!(err.contains("auth.bootstrap_admin_password"), "{err}");
    let err = load_file(
        "",
        &[("WAMUX__AUTH__BOOTSTRAP_ADMIN_PASSWORD", "long-enough")],
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("auth.bootstrap_admin_email"), "{err}");
}

#[test]
fn missing_explicit_config_file_is_an_error() {
    let missing = PathBuf::from("/nonexistent/wamux.toml");
    assert!(Settings::load_with_env(Some(&missing), HashMap::new()).is_err());
}

#[test]
fn a_cluster_needs_postgresql_a_secret_an_address_and_shared_sessions() {
    const PG: &str = "[database]\nurl = \"postgres://db/wamux\"\n";
    const GOOD: &str = "[cluster]\nenabled = true\nadvertise_url = \"http://10.0.0.5:8080\"\nsecret = \"cluster-secret-of-at-least-thirty-two-bytes\"\n";
    // On SQLite (the default database): refused, naming the key.
    let err = load_file(GOOD, &[]).unwrap_err().to_string();
    assert!(
        err.contains("cluster.enabled") && err.contains("postgres"),
        "{err}"
    );
    let ok = load_file(&format!("{PG}{GOOD}"), &[]).unwrap();
    assert!(ok.cluster.enabled);
    let short = load_file(
        &format!("{PG}{GOOD}"),
        &[("WAMUX__CLUSTER__SECRET", "too-short")],
    )
    .unwrap_err()
    .to_string();
    assert!(short.contains("cluster.secret"), "{short}");
    let nowhere = load_file(
        &format!("{PG}{GOOD}"),
        &[("WAMUX__CLUSTER__ADVERTISE_URL", "")],
    )
    .unwrap_err()
    .to_string();
    assert!(nowhere.contains("cluster.advertise_url"), "{nowhere}");
    // Sessions in files stay on one machine: they could not move between nodes.
    let files = load_file(
        &format!("{PG}{GOOD}[whatsapp]\nbackend = \"whatsapp-rust\"\nsession_store = \"files\"\n"),
        &[],
    )
    .unwrap_err()
    .to_string();
    assert!(files.contains("whatsapp.session_store"), "{files}");
    // The secret never shows in `config check`.
    assert!(!ok.to_masked_toml().unwrap().contains("thirty-two"));
}
