//! Deleting a user deletes everything they run: their instances stop and go,
//! their webhooks hear nothing more, and the database keeps no instance row of
//! theirs (nor accepts one for a user who does not exist).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use reqwest::Method;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde_json::json;
use wamux::db::instances::{NewInstance, WebhookSettings};

use crate::db_tests;
use crate::helpers::{TestDb, assert_error, eventually, json_body, spawn_app, spawn_sim_app};
use crate::receiver::{Answer, Receiver};

db_tests!(
    deleting_a_user_stops_and_deletes_their_instances,
    the_database_refuses_an_instance_of_an_unknown_user,
);

const CAROL: &str = "79003333333";
const ALICE: &str = "79001111111";

async fn count(db: &DatabaseConnection, sql: &str) -> i64 {
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            sql.to_owned(),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

async fn deleting_a_user_stops_and_deletes_their_instances(db: TestDb) {
    let app = spawn_sim_app(db).await;
    // Answers 200 until told to fail: then every delivery stays pending, retried.
    let failing = Arc::new(AtomicBool::new(false));
    let fail = failing.clone();
    let receiver = Receiver::start(Arc::new(move |_| {
        Answer::Status(if fail.load(Ordering::SeqCst) {
            503
        } else {
            200
        })
    }))
    .await;
    let user = app
        .create_user("hal@example.com", "hal-password", "user")
        .await;
    let carol = app
        .create_instance(
            &user.api_key,
            json!({"name": "Carol", "webhookUrl": receiver.url, "webhookEnabled": true,
                   "notifyReceived": true, "maxRetries": 10, "retryInterval": 1000}),
        )
        .await;
    app.pair(&user.api_key, &carol, CAROL, "Carol").await;
    receiver.wait_for_event("connection_opened").await;
    let alice = app
        .create_instance(&app.admin_key, json!({"name": "Alice"}))
        .await;
    app.pair(&app.admin_key, &alice, ALICE, "Alice").await;

    failing.store(true, Ordering::SeqCst);
    let sent = app.send_text(&app.admin_key, &alice, CAROL, "before").await;
    assert_eq!(sent.status(), 200);
    receiver
        .event_data("message_received", |data| {
            data.to_string().contains("before")
        })
        .await;

    let deleted = app
        .as_admin(Method::DELETE, &format!("/api/admin/users/{}", user.id))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 200);
    let one = app
        .as_admin(Method::GET, &format!("/api/instances/{carol}"))
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(one, 404).await, "instance_not_found");
    let all = app
        .get_json(&app.admin_key, "/api/instances?all=true")
        .await
        .to_string();
    assert!(!all.contains(&carol), "listed after its owner's deletion");

    // An attempt already under way when the user went may still land.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let heard = receiver.requests().len();
    app.send_text(&app.admin_key, &alice, CAROL, "after").await;
    // Past two retry intervals: the pending "before" would have been retried,
    // and the "after" delivered, had the instance lived on.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let late: Vec<String> = receiver.requests()[heard..]
        .iter()
        .map(|r| String::from_utf8_lossy(&r.body).into_owned())
        .collect();
    assert!(late.is_empty(), "webhook still called: {late:?}");

    let database = Database::connect(app.settings.database.url.as_str())
        .await
        .unwrap();
    let rows = format!(
        "SELECT COUNT(*) FROM instances WHERE user_id = '{}'",
        user.id
    );
    assert_eq!(count(&database, &rows).await, 0);
    let pending = format!(
        "SELECT COUNT(*) FROM webhook_deliveries WHERE instance_id = '{carol}' AND state = 'pending'"
    );
    assert_eq!(count(&database, &pending).await, 0);
    let session = format!("SELECT COUNT(*) FROM sim_sessions WHERE instance_id = '{carol}'");
    eventually("the session wiped", || async {
        (count(&database, &session).await == 0).then_some(())
    })
    .await;
    // Alice is the admin's and lives on.
    let status = json_body(
        app.as_admin(Method::GET, &format!("/api/whatsapp/{alice}/status"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status["status"], "connected");
}

fn settings() -> WebhookSettings {
    WebhookSettings {
        url: None,
        enabled: false,
        secret: None,
        notify_received: true,
        notify_sent: true,
        notify_delivery: true,
        notify_read: true,
        notify_presence: false,
        notify_groups: true,
        max_retries: 3,
        retry_interval_ms: 1000,
    }
}

fn instance_of(user_id: &str) -> NewInstance {
    NewInstance {
        user_id: user_id.to_owned(),
        name: "Direct".into(),
        description: String::new(),
        webhook: settings(),
    }
}

async fn the_database_refuses_an_instance_of_an_unknown_user(db: TestDb) {
    let app = spawn_app(db).await;
    let user = app
        .create_user("ida@example.com", "ida-password", "user")
        .await;
    let database = Database::connect(app.settings.database.url.as_str())
        .await
        .unwrap();
    let nobody = uuid::Uuid::now_v7().to_string();
    let orphan = wamux::db::instances::insert(&database, instance_of(&nobody)).await;
    assert!(orphan.is_err(), "an instance of an unknown user was stored");

    let owned = wamux::db::instances::insert(&database, instance_of(&user.id))
        .await
        .unwrap();
    let moved = database
        .execute_unprepared(&format!(
            "UPDATE instances SET user_id = '{nobody}' WHERE id = '{}'",
            owned.id
        ))
        .await;
    assert!(moved.is_err(), "an instance was given to an unknown user");

    // A caller the server still trusts (its key is cached) but whose row is
    // gone, as when the user is deleted mid-request: 401, not a 500.
    let trusted = app
        .with_key(&user.api_key, Method::GET, "/api/instances")
        .send()
        .await
        .unwrap();
    assert_eq!(trusted.status(), 200);

    // Deleted by the database itself, not only by the service.
    database
        .execute_unprepared(&format!("DELETE FROM users WHERE id = '{}'", user.id))
        .await
        .unwrap();
    let rows = format!(
        "SELECT COUNT(*) FROM instances WHERE user_id = '{}'",
        user.id
    );
    assert_eq!(count(&database, &rows).await, 0);
    let created = app
        .with_key(&user.api_key, Method::POST, "/api/instances")
        .json(&json!({"name": "Late"}))
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(created, 401).await, "unauthorized");
}
