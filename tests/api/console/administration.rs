//! An administrator's pages in a real browser: users, and with the cluster on,
//! nodes and instances held by another node.

use std::sync::Arc;

use serde_json::json;

use super::browser::{Browser, FOR_A_BROWSER, scenario, scenario_on};
use super::journeys::DESKTOP;
use crate::cluster::Cluster;
use crate::helpers::{ADMIN_EMAIL, json_body};

#[actix_web::test]
async fn an_administrator_creates_and_deactivates_a_user() {
    scenario("admin_users", DESKTOP, |b: Arc<Browser>| async move {
        b.sign_in().await?;
        b.click("#nav a[href='#/admin/users']").await?;
        b.wait_text("#users tbody", ADMIN_EMAIL).await?;
        b.fill("#create-user input[name=email]", "carol@example.com")
            .await?;
        b.fill("#create-user input[name=password]", "correct horse battery")
            .await?;
        b.fill("#create-user input[name=firstName]", "Carol")
            .await?;
        b.click("#create-user button[type=submit]").await?;
        b.wait_text("#create-user .notice", "Created carol@example.com")
            .await?;
        b.wait_text("#users tbody", "carol@example.com").await?;

        let row = "tr[data-user='carol@example.com']";
        b.el(&format!("{row} select.role"))
            .await?
            .select_by_value("admin")
            .await?;
        b.click(&format!("{row} button.toggle")).await?;
        b.wait_text(&format!("{row} td.active"), "no").await?;
        let users = b.server.get("/api/admin/users?limit=100").await;
        let carol = users["users"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["email"] == "carol@example.com")
            .unwrap()
            .clone();
        assert_eq!(carol["role"], "admin");
        assert_eq!(carol["active"], false);

        // Signed out, the deactivated user cannot sign in: the page shows the API's error.
        b.click("#sign-out").await?;
        b.wait_text("main .notice", "Signed out").await?;
        b.sign_in_as("carol@example.com", "correct horse battery")
            .await?;
        b.wait_text("main .error", "invalid email or password")
            .await?;
        Ok(())
    })
    .await;
}

/// With the cluster on: the nodes page, and an instance held by another node
/// linked from this one (its stream and the scan forwarded to the holder).
#[actix_web::test]
async fn with_the_cluster_on_an_administrator_sees_the_nodes_and_links_anywhere() {
    let Some(mut cluster) = Cluster::start_with(2, &FOR_A_BROWSER).await else {
        return;
    };
    let here = cluster.nodes.remove(0);
    let elsewhere = &cluster.nodes[0];
    // Made on the other node, where placement keeps it when the two hold as many.
    let made = elsewhere
        .post("/api/instances", json!({"name": "Far away"}))
        .await;
    assert_eq!(made.status(), 201);
    let id = json_body(made).await["id"].as_str().unwrap().to_owned();
    scenario_on("cluster", here, |b: Arc<Browser>| async move {
        b.sign_in().await?;
        b.click("#nav a[href='#/admin/nodes']").await?;
        b.wait_text("#nodes tbody", "n1").await?;
        b.wait_text("#nodes tbody", "n2").await?;

        b.visit(&format!("/console/#/instances/{id}/pairing"))
            .await?;
        b.el("#qr-image").await?;
        b.click("#sim-scan-button").await?;
        b.wait_text("#status", "connected").await?;
        b.click(".tabs a[href$='/overview']").await?;
        let node = b.wait_text(".facts", "Node").await?;
        assert!(node.contains("n1") || node.contains("n2"), "{node}");
        Ok(())
    })
    .await;
}
