//! Webhook deliveries in a real browser: a failed one listed and retried; the
//! instance list following statuses live; a rotated key sending the page back to
//! signing in.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::json;

use super::browser::{Browser, scenario};
use super::journeys::{DESKTOP, still_same_page};
use crate::receiver::{Answer, Receiver};

#[actix_web::test]
async fn a_failed_webhook_delivery_is_listed_and_retried() {
    let receiver_up = Arc::new(AtomicBool::new(false));
    let up = receiver_up.clone();
    let receiver = Receiver::start(Arc::new(move |_| {
        Answer::Status(if up.load(Ordering::SeqCst) { 200 } else { 500 })
    }))
    .await;
    let url = receiver.url.clone();
    scenario("webhook_retry", DESKTOP, |b: Arc<Browser>| async move {
        let id = b
            .server
            .paired_instance(
                "Hooked",
                "15550003333",
                json!({"webhookUrl": url, "webhookEnabled": true, "maxRetries": 0}),
            )
            .await;

        // Signed in with the API key this time.
        b.visit("/console").await?;
        b.fill("#api-key", &b.server.key).await?;
        b.click("#signin-key button[type=submit]").await?;
        b.el("#sign-out").await?;
        b.visit(&format!("/console/#/instances/{id}/webhooks"))
            .await?;
        b.el("#delivery-state")
            .await?
            .select_by_value("failed")
            .await?;
        b.wait_text("#deliveries tbody", "HTTP 500").await?;
        b.snap("deliveries").await;
        let failed = b.el("#deliveries tr[data-state='failed']").await?;
        let delivery = failed.attr("data-delivery").await?.unwrap();

        receiver_up.store(true, Ordering::SeqCst);
        b.click(&format!("tr[data-delivery='{delivery}'] button.retry"))
            .await?;
        crate::helpers::eventually("the retried delivery to be delivered", || async {
            b.el("#delivery-state")
                .await
                .ok()?
                .select_by_value("delivered")
                .await
                .ok()?;
            b.click("#deliveries-refresh").await.ok()?;
            b.client
                .find(fantoccini::Locator::Css(&format!(
                    "tr[data-delivery='{delivery}'][data-state='delivered']"
                )))
                .await
                .ok()
                .map(|_| ())
        })
        .await;
        let listed = b
            .server
            .get(&format!(
                "/api/instances/{id}/webhooks/deliveries?state=delivered"
            ))
            .await;
        assert!(
            listed["deliveries"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d["id"] == delivery.as_str())
        );

        // The instance list follows statuses live: a log-out made elsewhere shows up
        // without a reload.
        b.click("a[href='#/instances']").await?;
        let badge = format!("tr[data-instance='{id}'] .badge");
        b.wait_text(&badge, "connected").await?;
        b.wait_text("#live", "live").await?;
        b.script("window.__notReloaded = true; return null").await?;
        let logout = b
            .server
            .post(&format!("/api/instances/{id}/logout"), json!({}))
            .await;
        assert_eq!(logout.status(), 200);
        b.wait_text(&badge, "logged out").await?;
        assert!(
            still_same_page(&b).await,
            "the list changed without a reload"
        );

        // The key is rotated elsewhere: the next call is refused and the page goes
        // back to signing in, saying why.
        let rotated = b.server.post("/api/auth/api-key/rotate", json!({})).await;
        assert_eq!(rotated.status(), 200);
        b.click(&format!("tr[data-instance='{id}'] a")).await?;
        b.wait_text("main h1", "Sign in").await?;
        b.wait_text("main .notice", "invalid or expired credentials")
            .await?;
        Ok(())
    })
    .await;
}
