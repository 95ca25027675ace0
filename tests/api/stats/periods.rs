//! Which past days each period covers.

use serde_json::{Value, json};
use wamux::db::usage::{Counters, DayUsage};

use super::{day, get};
use crate::db_tests;
use crate::helpers::{TestDb, spawn_sim_app};

db_tests!(periods_cover_the_right_past_days);

async fn periods_cover_the_right_past_days(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let id = app
        .create_instance(&app.admin_key, json!({"name": "Old"}))
        .await;
    let db = sea_orm::Database::connect(app.settings.database.url.as_str())
        .await
        .unwrap();
    let rows = [
        (6, 1),
        (7, 10),
        (29, 100),
        (30, 1000),
        (364, 10_000),
        (365, 100_000),
    ]
    .into_iter()
    .map(|(ago, sent)| DayUsage {
        instance_id: id.clone(),
        day: day(ago),
        counters: Counters {
            messages_sent: sent,
            ..Counters::default()
        },
    })
    .collect();
    wamux::db::usage::add(&db, rows).await.unwrap();
    let sent = |value: &Value| value["messagesSent"].as_i64().unwrap();
    for (period, expected) in [("today", 0), ("week", 1), ("month", 111), ("all", 111_111)] {
        let usage = get(
            &app,
            &app.admin_key,
            &format!("/api/stats/instances/{id}?period={period}"),
        )
        .await;
        assert_eq!(sent(&usage["usage"]), expected, "instance {period}");
    }
    for (period, expected) in [
        ("week", 1),
        ("month", 111),
        ("year", 11_111),
        ("all", 111_111),
    ] {
        let stats = get(
            &app,
            &app.admin_key,
            &format!("/api/stats/user?period={period}"),
        )
        .await;
        assert_eq!(sent(&stats["total"]), expected, "user {period}");
    }
    let month = get(
        &app,
        &app.admin_key,
        &format!("/api/stats/instances/{id}?period=month"),
    )
    .await;
    let dates: Vec<Value> = month["usage"]["dailyStats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["date"].clone())
        .collect();
    let iso = |ago: i64| json!(format!("{}T00:00:00.000Z", day(ago)));
    assert_eq!(
        dates,
        [iso(29), iso(7), iso(6)],
        "oldest first, only days with activity"
    );
    let default = get(&app, &app.admin_key, "/api/stats/user").await;
    assert_eq!(sent(&default["total"]), 111, "the user default is month");
}
