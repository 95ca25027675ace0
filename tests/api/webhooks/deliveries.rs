//! The deliveries listing: filters, pagination, validation, ownership, no secret.

use reqwest::Method;
use serde_json::json;

use super::{ALICE, webhook};
use crate::db_tests;
use crate::helpers::{TestDb, assert_error, eventually, spawn_sim_app};
use crate::receiver::{Receiver, always_ok};

db_tests!(the_deliveries_listing_filters_and_never_shows_the_secret);

async fn the_deliveries_listing_filters_and_never_shows_the_secret(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let receiver = Receiver::start(always_ok()).await;
    let id = app
        .create_instance(
            &app.admin_key,
            webhook(&receiver.url, json!({"webhookSecret": "hidden-secret"})),
        )
        .await;
    app.pair(&app.admin_key, &id, ALICE, "Alice").await;
    receiver.wait_for_event("connection_opened").await;
    let listing = eventually("delivered rows", || async {
        let listing = app.deliveries(&app.admin_key, &id, "state=delivered").await;
        (listing["pagination"]["total"].as_u64().unwrap() >= 2).then_some(listing)
    })
    .await;
    let text = listing.to_string();
    assert!(!text.contains("hidden-secret"));
    let first = &listing["deliveries"][0];
    assert_eq!(first["state"], "delivered");
    assert!(first["payload"]["event"].is_string());
    assert!(first.get("signature").is_none());
    let page = app.deliveries(&app.admin_key, &id, "limit=1&skip=1").await;
    assert_eq!(page["deliveries"].as_array().unwrap().len(), 1);
    assert_eq!(page["pagination"]["limit"], 1);
    for query in ["state=lost", "limit=0", "limit=-3"] {
        let response = app
            .with_key(
                &app.admin_key,
                Method::GET,
                &format!("/api/instances/{id}/webhooks/deliveries?{query}"),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(
            assert_error(response, 400).await,
            "validation_error",
            "{query}"
        );
    }
    let stranger = app
        .create_user("s@example.com", "stranger-password", "user")
        .await;
    let foreign = app
        .with_key(
            &stranger.api_key,
            Method::GET,
            &format!("/api/instances/{id}/webhooks/deliveries"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(foreign, 404).await, "instance_not_found");
}
