//! The authorization matrix, route by route.

use reqwest::Method;

use crate::db_tests;
use crate::helpers::{TestDb, assert_error, spawn_sim_app};
use crate::routes::{Access, Ids, all};

db_tests!(every_route_refuses_strangers_the_way_the_matrix_says);

#[test]
fn the_matrix_walks_every_mounted_route() {
    let walked: std::collections::BTreeSet<(String, String)> = all()
        .iter()
        .map(|route| (route.method.as_str().to_lowercase(), route.template()))
        .collect();
    let mounted = wamux::routes::inventory(true)
        .into_iter()
        .map(|(method, path)| (method.to_owned(), path.to_owned()))
        .collect();
    assert_eq!(walked, mounted);
}

async fn every_route_refuses_strangers_the_way_the_matrix_says(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let owner = app
        .create_user("owner@example.com", "owner-password", "user")
        .await;
    let stranger = app
        .create_user("stranger@example.com", "stranger-password", "user")
        .await;
    let gone = app
        .create_user("gone@example.com", "gone-password", "user")
        .await;
    let instance = app
        .create_instance(&owner.api_key, serde_json::json!({"name": "Owned"}))
        .await;
    let deactivate = app
        .as_admin(Method::PATCH, &format!("/api/admin/users/{}", gone.id))
        .json(&serde_json::json!({"active": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(deactivate.status(), 200);
    let ids = Ids {
        instance: &instance,
        user: &owner.id,
    };

    for route in all() {
        let label = format!("{} {}", route.method, route.path);
        if route.access == Access::Public {
            let response = route
                .request(&app.client, &app.address, &ids, None)
                .send()
                .await
                .unwrap();
            assert!(response.status().as_u16() < 500, "{label}");
            continue;
        }
        let anonymous = route
            .request(&app.client, &app.address, &ids, None)
            .send()
            .await
            .unwrap();
        assert_eq!(
            assert_error(anonymous, 401).await,
            "unauthorized",
            "no credentials: {label}"
        );
        let bad_key = route
            .request(&app.client, &app.address, &ids, Some("wmx_forged"))
            .send()
            .await
            .unwrap();
        assert_eq!(
            assert_error(bad_key, 401).await,
            "unauthorized",
            "forged key: {label}"
        );
        let deactivated = route
            .request(&app.client, &app.address, &ids, Some(&gone.api_key))
            .send()
            .await
            .unwrap();
        assert_eq!(
            assert_error(deactivated, 401).await,
            "unauthorized",
            "deactivated user: {label}"
        );
        match route.access {
            Access::Admin => {
                let user = route
                    .request(&app.client, &app.address, &ids, Some(&stranger.api_key))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(
                    assert_error(user, 403).await,
                    "forbidden",
                    "user on an admin route: {label}"
                );
            }
            Access::Instance => {
                let foreign = route
                    .request(&app.client, &app.address, &ids, Some(&stranger.api_key))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(
                    assert_error(foreign, 404).await,
                    "instance_not_found",
                    "another user's instance: {label}"
                );
            }
            Access::User | Access::Public => {}
        }
    }
    // Nothing the strangers did touched the owner's instance.
    let status = app.status(&owner.api_key, &instance).await;
    assert!(status["status"].is_string(), "{status}");
    let me = app
        .with_key(&owner.api_key, Method::GET, "/api/auth/me")
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
}
