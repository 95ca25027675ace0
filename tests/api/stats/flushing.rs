//! Counts reach the table on the flush interval, and racing flushes neither lose nor double count.

use serde_json::json;
use wamux::db::usage::{Counters, DayUsage};

use super::day;
use crate::db_tests;
use crate::helpers::{TestDb, spawn_sim_app};

db_tests!(
    racing_flushes_neither_lose_nor_double_counts,
    counts_reach_the_table_on_the_flush_interval
);

async fn racing_flushes_neither_lose_nor_double_counts(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let db = sea_orm::Database::connect(app.settings.database.url.as_str())
        .await
        .unwrap();
    let keys: Vec<(String, String)> = (0..20)
        .map(|n| (format!("instance-{n}"), day(n % 3)))
        .collect();
    let flushes = (0..8).map(|_| {
        let db = db.clone();
        let keys = keys.clone();
        actix_web::rt::spawn(async move {
            for _ in 0..5 {
                let mut batch: Vec<DayUsage> = keys
                    .iter()
                    .map(|(instance_id, day)| DayUsage {
                        instance_id: instance_id.clone(),
                        day: day.clone(),
                        counters: Counters {
                            api_calls: 1,
                            total_media_size: 10,
                            ..Counters::default()
                        },
                    })
                    .collect();
                batch.reverse();
                wamux::db::usage::add(&db, batch).await.unwrap();
            }
        })
    });
    for flush in flushes.collect::<Vec<_>>() {
        flush.await.unwrap();
    }
    let stored = wamux::db::usage::read(&db, None, None).await.unwrap();
    assert_eq!(stored.len(), 20);
    for row in stored {
        assert_eq!(row.counters.api_calls, 40, "{}", row.instance_id);
        assert_eq!(row.counters.total_media_size, 400);
    }
}

async fn counts_reach_the_table_on_the_flush_interval(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let id = app
        .create_instance(&app.admin_key, json!({"name": "Flushed"}))
        .await;
    app.wait_for_status(&app.admin_key, &id, "qr").await;
    let db = sea_orm::Database::connect(app.settings.database.url.as_str())
        .await
        .unwrap();
    let stored = crate::helpers::eventually("a periodic flush", || async {
        let rows = wamux::db::usage::read(&db, Some(std::slice::from_ref(&id)), None)
            .await
            .unwrap();
        rows.first().filter(|r| r.counters.api_calls > 0).cloned()
    })
    .await;
    assert_eq!(stored.day, day(0));
}
