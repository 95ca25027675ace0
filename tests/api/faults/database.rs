//! Database outages (SQLite file gone, PostgreSQL refusing): 503, then recovery by itself.

use serde_json::json;

use super::{ALICE, BOB, whole_chat};
use crate::helpers::{eventually, json_body};
use crate::process::ServerProcess;

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
