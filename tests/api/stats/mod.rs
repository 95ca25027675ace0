//! Usage statistics: what they count, over which days, when they are written, who may read them.

mod endpoints;
mod flushing;
mod periods;
mod refusals;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, json_body};

async fn get(app: &TestApp, key: &str, path: &str) -> Value {
    let response = app.with_key(key, Method::GET, path).send().await.unwrap();
    assert_eq!(response.status(), 200, "{path}");
    json_body(response).await
}

fn counters(
    sent: i64,
    received: i64,
    media_sent: i64,
    media_received: i64,
    size: i64,
    api: i64,
    hooks: i64,
) -> Value {
    json!({"messagesSent": sent, "messagesReceived": received, "mediaSent": media_sent,
           "mediaReceived": media_received, "totalMediaSize": size, "apiCalls": api, "webhookSent": hooks})
}

fn without(mut value: Value, key: &str) -> Value {
    value.as_object_mut().unwrap().remove(key);
    value
}

fn day(days_ago: i64) -> String {
    (chrono::Utc::now().date_naive() - chrono::Duration::days(days_ago)).to_string()
}
