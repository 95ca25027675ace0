//! The real whatsapp-rust engine, pointed at an address where nothing listens:
//! no test reaches WhatsApp.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;

use crate::helpers::{TestDb, eventually, spawn_app_with};

/// Version pinned so the engine never fetches it from web.whatsapp.com.
pub(crate) fn unreachable_engine(settings: &mut wamux::config::Settings) {
    settings.whatsapp.backend = wamux::config::Backend::WhatsappRust;
    settings.whatsapp.data_dir = settings.server.data_dir.join("wa");
    settings.whatsapp.ws_url = "ws://127.0.0.1:1/ws/chat".into();
    settings.whatsapp.version = "2.3000.1026131876".into();
    settings.supervision.backoff_initial_ms = 100;
    settings.supervision.backoff_multiplier = 2.0;
    settings.supervision.backoff_max_ms = 400;
    settings.supervision.jitter = 0.0;
}

/// `session_store = "files"`: one SQLite file per instance.
pub(crate) fn session_files(settings: &mut wamux::config::Settings) {
    unreachable_engine(settings);
    settings.whatsapp.session_store = wamux::config::SessionStore::Files;
}

#[actix_web::test]
async fn an_engine_instance_gets_its_own_store_and_retries_an_unreachable_server_with_backoff() {
    let app = spawn_app_with(TestDb::Sqlite, session_files).await;
    let id = app
        .create_instance(&app.admin_key, json!({"name": "Real"}))
        .await;
    let store = app.settings.whatsapp.data_dir.join(format!("{id}.db"));
    eventually("the session store file", || async {
        store.exists().then_some(())
    })
    .await;

    let restarts = eventually("four restarts", || async {
        let restarts: Vec<_> = app
            .activity(&app.admin_key, &id)
            .await
            .into_iter()
            .filter(|l| l["action"] == "session_restarted")
            .collect();
        (restarts.len() >= 4).then_some(restarts)
    })
    .await;
    let backoffs: Vec<_> = restarts
        .iter()
        .map(|r| r["details"]["backoffMs"].as_u64().unwrap())
        .collect();
    assert_eq!(backoffs[..4], [100, 200, 400, 400]);
    for restart in &restarts {
        let reason = restart["details"]["reason"].as_str().unwrap();
        assert!(
            reason.starts_with("could not reach WhatsApp: ") && reason.contains("refused"),
            "the engine's own reason: {reason}"
        );
    }
    let status = app.status(&app.admin_key, &id).await;
    assert!(
        status["status"] == "disconnected" || status["status"] == "connecting",
        "honest status: {status}"
    );
    assert_eq!(status["ready"], false);

    // Not a busy loop: over one more second, about 1000/400 further attempts.
    let before = app
        .actions(&app.admin_key, &id)
        .await
        .iter()
        .filter(|a| *a == "connecting")
        .count();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let after = app
        .actions(&app.admin_key, &id)
        .await
        .iter()
        .filter(|a| *a == "connecting")
        .count();
    assert!(
        after - before <= 4,
        "{} attempts in a second",
        after - before
    );
    assert!(
        !app.actions(&app.admin_key, &id)
            .await
            .contains(&"supervisor_gave_up".to_owned())
    );
}

#[actix_web::test]
async fn deleting_an_engine_instance_removes_its_store_file() {
    let app = spawn_app_with(TestDb::Sqlite, session_files).await;
    let id = app
        .create_instance(&app.admin_key, json!({"name": "Real"}))
        .await;
    let store = app.settings.whatsapp.data_dir.join(format!("{id}.db"));
    eventually("the session store file", || async {
        store.exists().then_some(())
    })
    .await;
    let response = app
        .with_key(
            &app.admin_key,
            Method::DELETE,
            &format!("/api/instances/{id}"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    eventually("the store file to go", || async {
        (!store.exists()).then_some(())
    })
    .await;
}

#[actix_web::test]
async fn the_engine_reports_not_connected_on_qr_and_logout_ends_retries() {
    let app = spawn_app_with(TestDb::Sqlite, unreachable_engine).await;
    let id = app
        .create_instance(&app.admin_key, json!({"name": "Real"}))
        .await;
    let qr = app
        .with_key(
            &app.admin_key,
            Method::GET,
            &format!("/api/whatsapp/{id}/qr"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(qr.status(), 404);
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
    let count = app.actions(&app.admin_key, &id).await.len();
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        app.actions(&app.admin_key, &id).await.len(),
        count,
        "retries went on after logout"
    );
    assert_eq!(
        app.status(&app.admin_key, &id).await["status"],
        "logged_out"
    );
}

/// Every kind and action reaches the engine's session, which is not
/// connected here: each answers 409 and nothing is stored.
#[actix_web::test]
async fn every_kind_and_action_on_an_unconnected_engine_instance_is_409() {
    let app = spawn_app_with(TestDb::Sqlite, unreachable_engine).await;
    let id = app
        .create_instance(&app.admin_key, json!({"name": "Real"}))
        .await;
    let route = |rest: &str| format!("/api/whatsapp/{id}/{rest}");
    let posts = [
        (
            route("send"),
            json!({"phone": "79001234567", "message": "hi", "mentions": ["79001234567"]}),
        ),
        (
            route("send-location"),
            json!({"phone": "79001234567", "latitude": 1, "longitude": 2}),
        ),
        (
            route("send-contact"),
            json!({"phone": "79001234567", "contacts": [{"name": "A", "phone": "79001234567"}]}),
        ),
        (
            route("send-poll"),
            json!({"phone": "79001234567", "question": "Q", "options": ["A", "B"]}),
        ),
        (route("chats/79001234567/read"), json!({})),
        (
            route("chats/79001234567/presence"),
            json!({"state": "recording"}),
        ),
        (route("presence"), json!({"state": "unavailable"})),
        (route("check-numbers"), json!({"phones": ["79001234567"]})),
    ];
    for (path, body) in posts {
        let response = app
            .with_key(&app.admin_key, Method::POST, &path)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(
            crate::helpers::assert_error(response, 409).await,
            "instance_not_connected",
            "{path}"
        );
    }
    for (method, path) in [
        (Method::GET, route("contacts/79001234567/profile")),
        (Method::PUT, route("contacts/79001234567/block")),
        (Method::DELETE, route("contacts/79001234567/block")),
    ] {
        let response = app
            .with_key(&app.admin_key, method, &path)
            .send()
            .await
            .unwrap();
        assert_eq!(
            crate::helpers::assert_error(response, 409).await,
            "instance_not_connected",
            "{path}"
        );
    }
    let history = app.history(&app.admin_key, &id, "79001234567").await;
    assert!(history.is_empty(), "{history:?}");
}
