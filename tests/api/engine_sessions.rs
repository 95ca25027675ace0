//! Engine sessions in wamux's own database (`session_store = "database"`, the
//! default), on SQLite and PostgreSQL: kept across restarts, removed with the
//! instance or its logout, and a session file from before imported once.

use reqwest::Method;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use serde_json::{Value, json};

use crate::engine::{session_files, unreachable_engine};
use crate::helpers::{TestApp, TestDb, eventually, spawn_app_with};

async fn database(app: &TestApp) -> DatabaseConnection {
    Database::connect(app.settings.database.url.as_str())
        .await
        .unwrap()
}

/// The instance's device as the database holds it (JSON), if any.
async fn stored_device(app: &TestApp, id: &str) -> Option<Value> {
    let db = database(app).await;
    let backend = db.get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => "SELECT device FROM wa_devices WHERE instance_id = $1",
        _ => "SELECT device FROM wa_devices WHERE instance_id = ?",
    };
    let row = db
        .query_one_raw(Statement::from_sql_and_values(backend, sql, [id.into()]))
        .await
        .unwrap()?;
    let device: String = row.try_get_by_index(0).unwrap();
    Some(serde_json::from_str(&device).unwrap())
}

/// Rows of the instance left in any session table.
async fn session_rows(app: &TestApp, id: &str) -> usize {
    crate::session_rows::session_rows(&app.settings.database.url, id).await
}

async fn device_of(app: &TestApp, id: &str) -> Value {
    eventually("the instance's device in the database", || async {
        stored_device(app, id).await
    })
    .await
}

/// Waits until the instance has started `count` session attempts in all.
async fn attempts(app: &TestApp, id: &str, count: usize) {
    eventually("another session attempt", || async {
        let started = app.actions(&app.admin_key, id).await;
        (started.iter().filter(|a| *a == "connecting").count() >= count).then_some(())
    })
    .await;
}

async fn each_database(test: impl AsyncFn(TestDb)) {
    test(TestDb::Sqlite).await;
    if let Some(postgres) = TestDb::postgres() {
        test(postgres).await;
    }
}

#[actix_web::test]
async fn an_engine_session_lives_in_the_database_and_survives_a_restart() {
    each_database(async |db| {
        let mut app = spawn_app_with(db, unreachable_engine).await;
        let id = app
            .create_instance(&app.admin_key, json!({"name": "Kept"}))
            .await;
        let device = device_of(&app, &id).await;
        assert!(
            device["identity_key"].is_array(),
            "{db:?}: a device with its keys: {device}"
        );
        assert!(
            !app.settings
                .whatsapp
                .data_dir
                .join(format!("{id}.db"))
                .exists(),
            "{db:?}: no session file"
        );

        app.restart().await;
        // The instance starts again on the same keys: its session was kept, not made anew.
        attempts(&app, &id, 2).await;
        assert_eq!(
            device_of(&app, &id).await["identity_key"],
            device["identity_key"],
            "{db:?}"
        );

        let deleted = app
            .with_key(
                &app.admin_key,
                Method::DELETE,
                &format!("/api/instances/{id}"),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(deleted.status(), 200);
        eventually("the session to be deleted", || async {
            (session_rows(&app, &id).await == 0).then_some(())
        })
        .await;
    })
    .await;
}

#[actix_web::test]
async fn logging_out_deletes_the_session_from_the_database() {
    each_database(async |db| {
        let app = spawn_app_with(db, unreachable_engine).await;
        let id = app
            .create_instance(&app.admin_key, json!({"name": "Out"}))
            .await;
        device_of(&app, &id).await;
        let other = app
            .create_instance(&app.admin_key, json!({"name": "Stays"}))
            .await;
        device_of(&app, &other).await;
        let response = app
            .with_key(
                &app.admin_key,
                Method::POST,
                &format!("/api/instances/{id}/logout"),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        eventually("the session to be deleted", || async {
            (session_rows(&app, &id).await == 0).then_some(())
        })
        .await;
        assert!(
            stored_device(&app, &other).await.is_some(),
            "{db:?}: only that instance's session goes"
        );
    })
    .await;
}

#[actix_web::test]
async fn a_session_file_from_before_is_imported_once_and_removed() {
    each_database(async |db| {
        let mut app = spawn_app_with(db, session_files).await;
        let id = app.create_instance(&app.admin_key, json!({"name": "Moved"})).await;
        let file = app.settings.whatsapp.data_dir.join(format!("{id}.db"));
        // Its device in the file, read as the engine's store wrote it.
        let identity = eventually("a device in the session file", || async {
            let url = format!("sqlite://{}?mode=ro", file.display());
            let db = Database::connect(url.as_str()).await.ok()?;
            let row = db
                .query_one_raw(Statement::from_string(
                    sea_orm::DbBackend::Sqlite,
                    "SELECT identity_key FROM device WHERE id = 1",
                ))
                .await
                .ok()??;
            row.try_get_by_index::<Vec<u8>>(0).ok()
        })
        .await;
        app.stop().await;
        // What a linked session holds beside its device: a Signal session with a contact.
        let writable = Database::connect(format!("sqlite://{}", file.display()).as_str()).await.unwrap();
        writable
            .execute_unprepared(
                "INSERT INTO sessions (address, record, device_id) VALUES ('15550001111@s.whatsapp.net', x'0a0b0c', 1)",
            )
            .await
            .unwrap();
        writable.close().await.unwrap();

        app.settings.whatsapp.session_store = wamux::config::SessionStore::Database;
        app.restart().await;
        let imported = eventually("session_imported in the activity log", || async {
            app.activity(&app.admin_key, &id)
                .await
                .into_iter()
                .find(|entry| entry["action"] == "session_imported")
        })
        .await;
        assert_eq!(imported["details"]["rows"], 1, "{db:?}: {imported}");
        // What was in the file, now in the database (the engine, started
        // again at once, may have written rows of its own beside them).
        let url = &app.settings.database.url;
        let devices = crate::session_rows::rows_in(url, &["wa_devices"], &id).await;
        assert_eq!(devices, 1, "{db:?}: the device");
        let sessions = crate::session_rows::rows_in(url, &["wa_signal_sessions"], &id).await;
        assert_eq!(sessions, 1, "{db:?}: the Signal session");
        let device = device_of(&app, &id).await;
        let kept: Vec<u8> = serde_json::from_value(device["identity_key"].clone()).unwrap();
        assert_eq!(kept, identity, "{db:?}: the same identity, not a new device");
        assert!(!file.exists(), "{db:?}: the file is removed once imported");

        // Once: a further restart imports nothing and keeps the keys.
        app.restart().await;
        attempts(&app, &id, 3).await;
        let imports = app
            .actions(&app.admin_key, &id)
            .await
            .into_iter()
            .filter(|a| a == "session_imported")
            .count();
        assert_eq!(imports, 1, "{db:?}");
        assert_eq!(device_of(&app, &id).await["identity_key"], device["identity_key"]);

        // Back to files: the session stays where it is rather than being logged out.
        app.settings.whatsapp.session_store = wamux::config::SessionStore::Files;
        app.restart().await;
        attempts(&app, &id, 4).await;
        assert!(!file.exists(), "{db:?}: no new, empty session file");
        assert_eq!(device_of(&app, &id).await["identity_key"], device["identity_key"]);
    })
    .await;
}
