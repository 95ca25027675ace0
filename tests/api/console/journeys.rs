//! What an operator does in the console, in a real browser against the real
//! binary: each step through the page, each result checked on the page and, where
//! it matters, through the API too.

use std::sync::Arc;

use reqwest::Method;
use serde_json::json;

use super::browser::{Browser, scenario};
use crate::helpers::{ADMIN_EMAIL, json_body};

pub(super) const DESKTOP: (u32, u32) = (1280, 1000);
const PHONE: (u32, u32) = (390, 844);

/// Whether the page has been loaded again since `mark` (a reload clears window state).
pub(super) async fn still_same_page(browser: &Browser) -> bool {
    browser
        .script("return window.__notReloaded === true")
        .await
        .unwrap()
        == json!(true)
}

#[actix_web::test]
async fn an_operator_links_an_instance_and_messages_from_the_console() {
    scenario("link_and_message", DESKTOP, |b: Arc<Browser>| async move {
        b.sign_in().await?;
        b.wait_text("main h1", "Instances").await?;
        b.fill("#new-name", "Shop").await?;
        b.click("#create-instance button[type=submit]").await?;

        // The pairing tab: the QR arrives as an image and the status waits for a scan.
        let qr = b.el("#qr-image").await?;
        assert!(
            qr.attr("src")
                .await?
                .unwrap_or_default()
                .starts_with("blob:")
        );
        b.wait_text("#status", "qr").await?;
        b.snap("pairing").await;
        let width = b
            .script("return document.getElementById('qr-image').naturalWidth")
            .await?;
        assert!(
            width.as_u64().unwrap_or(0) >= 320,
            "the QR image decoded: {width}"
        );
        // WhatsApp rotates the code: the page shows the new one by itself.
        let first = qr.attr("src").await?;
        crate::helpers::eventually("a new QR image", || async {
            let now = b.el("#qr-image").await.ok()?.attr("src").await.ok()?;
            (now != first).then_some(())
        })
        .await;

        // A pairing code for a phone number, as WhatsApp shows it to type.
        b.fill("#pairing-form input[name=phone]", "+1 555 000 1111")
            .await?;
        b.click("#pairing-form button[type=submit]").await?;
        let code = b.wait_text("#pairing-code", "-").await?;
        assert!(
            code.len() == 9 && code.as_bytes()[4] == b'-',
            "ABCD-EFGH shape: {code}"
        );

        // The simulator's scan: the status turns connected on the page, no reload.
        b.script("window.__notReloaded = true; return null").await?;
        b.click("#sim-scan-button").await?;
        b.wait_text("#status", "connected").await?;
        assert!(
            still_same_page(&b).await,
            "the status changed without a reload"
        );

        // A test message, then the chat's history shows it.
        b.click(".tabs a[href$='/messages']").await?;
        b.fill("#send-phone", "+1 555 000 2222").await?;
        b.fill("#send-text", "hello from the console").await?;
        b.click("#send-form button[type=submit]").await?;
        b.wait_text("#sent", "Sent, message id").await?;
        b.wait_text("#history tbody", "hello from the console")
            .await?;
        assert!(
            b.el("#history-chat")
                .await?
                .prop("value")
                .await?
                .unwrap_or_default()
                .contains("555")
        );

        // A message from the other side appears in the history by itself.
        let instance_id = b
            .script("return location.hash.split('/')[2]")
            .await?
            .as_str()
            .unwrap()
            .to_owned();
        let inbound = b
            .server
            .post(
                &format!("/api/sim/instances/{instance_id}/inbound"),
                json!({"from": "15550002222", "body": "and hello back"}),
            )
            .await;
        assert_eq!(inbound.status(), 200, "{}", inbound.text().await.unwrap());
        b.wait_text("#history tbody", "and hello back").await?;
        b.snap("messages").await;

        // Paging: twenty more make two pages; the oldest is on the second.
        for n in 1..=20 {
            let more = b
                .server
                .post(
                    &format!("/api/sim/instances/{instance_id}/inbound"),
                    json!({"from": "15550002222", "body": format!("more {n}")}),
                )
                .await;
            assert_eq!(more.status(), 200);
        }
        b.wait_text("#history .pager", "1–20 of 22").await?;
        let contents = || async {
            let mut seen = Vec::new();
            for cell in b
                .client
                .find_all(fantoccini::Locator::Css("#history td.body"))
                .await?
            {
                seen.push(cell.text().await?);
            }
            Ok::<_, fantoccini::error::CmdError>(seen)
        };
        let first_page = contents().await?;
        assert_eq!(first_page.len(), 20);
        b.click("#history .pager button:last-child").await?;
        b.wait_text("#history .pager", "21–22 of 22").await?;
        let second_page = contents().await?;
        assert_eq!(second_page.len(), 2, "{second_page:?}");
        let mut all: Vec<_> = first_page.into_iter().chain(second_page).collect();
        all.sort();
        all.dedup();
        assert_eq!(
            all.len(),
            22,
            "every message once over the two pages: {all:?}"
        );

        // The usage chart draws today's sent and received messages.
        b.click(".tabs a[href$='/usage']").await?;
        b.el("#usage-chart").await?;
        let today = b
            .script("return new Date().toISOString().slice(0, 10)")
            .await?;
        let today = today.as_str().unwrap();
        let bar = |kind: &str| {
            let (b, bar) = (
                b.clone(),
                format!("#usage-chart rect.{kind}[data-day='{today}']"),
            );
            async move {
                let value = b.el(&bar).await.ok()?.attr("data-value").await.ok()??;
                value.parse::<u32>().ok()
            }
        };
        // Drawn again until the figures reach the database (the select's change event).
        let redraw = "const period = document.getElementById('usage-period'); \
                      period.dispatchEvent(new Event('change')); return null";
        crate::helpers::eventually("today's bars to count the messages", || async {
            b.script(redraw).await.ok()?;
            (bar("sent").await? >= 1 && bar("received").await? >= 1).then_some(())
        })
        .await;
        assert_eq!(
            b.client
                .find_all(fantoccini::Locator::Css("#usage-chart rect.sent"))
                .await?
                .len(),
            7
        );
        b.snap("usage").await;

        // The activity log, filtered to connections.
        b.click(".tabs a[href$='/activity']").await?;
        b.el("#activity-actions option[value='connection_opened']")
            .await?
            .click()
            .await?;
        b.click("#activity-filters button[type=submit]").await?;
        b.wait_text("#activity tbody", "connection_opened").await?;
        b.snap("activity").await;
        let rows = b
            .client
            .find_all(fantoccini::Locator::Css("#activity tbody tr"))
            .await?;
        for row in rows {
            assert!(
                row.text().await?.contains("connection_opened"),
                "the filter holds"
            );
        }

        // Settings: a new name is saved through the API.
        b.click(".tabs a[href$='/settings']").await?;
        b.fill("#instance-settings input[name=name]", "Shop (renamed)")
            .await?;
        b.click("#instance-settings button[type=submit]").await?;
        b.wait_text("#instance-settings .notice", "Saved").await?;
        let stored = b.server.get(&format!("/api/instances/{instance_id}")).await;
        assert_eq!(stored["name"], "Shop (renamed)");

        // Reconnect: the API's answer shown, and the status back to connected.
        b.click(".tabs a[href$='/overview']").await?;
        b.click("#reconnect").await?;
        b.wait_text("#tab .notice", "reconnected").await?;
        b.wait_text("#status", "connected").await?;

        // Log out asks first, then the status follows.
        b.click("#logout").await?;
        b.click("#confirm-ok").await?;
        b.wait_text("#tab .notice", "logged out").await?;
        b.wait_text("#status", "logged out").await?;

        // Delete asks first; cancelling keeps the instance, confirming removes it.
        b.click("#delete").await?;
        b.snap("confirm").await;
        b.click("#confirm-cancel").await?;
        assert_eq!(
            b.server.get(&format!("/api/instances/{instance_id}")).await["id"],
            instance_id.as_str()
        );
        b.click("#delete").await?;
        b.click("#confirm-ok").await?;
        b.wait_text("main h1", "Instances").await?;
        let gone = b
            .server
            .request(Method::GET, &format!("/api/instances/{instance_id}"))
            .send()
            .await
            .unwrap();
        assert_eq!(gone.status(), 404);
        Ok(())
    })
    .await;
}

/// The API's message refusing the request (401), which the page must show.
async fn refusal(request: reqwest::RequestBuilder) -> String {
    let answer = request.send().await.unwrap();
    assert_eq!(answer.status(), 401);
    json_body(answer).await["error"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[actix_web::test]
async fn a_wrong_password_shows_the_apis_error_on_a_phone_screen() {
    scenario("wrong_password", PHONE, |b: Arc<Browser>| async move {
        let message = refusal(
            b.server
                .request(Method::POST, "/api/auth/login")
                .json(&json!({"email": ADMIN_EMAIL, "password": "not the password"})),
        )
        .await;

        // From the keyboard alone: Enter in the password field submits.
        b.visit("/console").await?;
        b.fill("#email", ADMIN_EMAIL).await?;
        b.fill("#password", "not the password\u{E007}").await?;
        let shown = b.wait_text("main .error", &message).await?;
        assert!(
            shown.contains("unauthorized"),
            "the error code beside it: {shown}"
        );
        assert!(
            b.client
                .find(fantoccini::Locator::Css("#sign-out"))
                .await
                .is_err()
        );

        // A wrong API key: the API's message too, and still signed out.
        let message = refusal(
            b.server
                .request_as("wrong-key", Method::GET, "/api/auth/me"),
        )
        .await;
        assert_ne!(message, "invalid email or password");
        b.fill("#api-key", "wrong-key").await?;
        b.click("#signin-key button[type=submit]").await?;
        b.wait_text("main .error", &message).await?;
        assert!(
            b.client
                .find(fantoccini::Locator::Css("#sign-out"))
                .await
                .is_err()
        );

        b.snap("phone_signin").await;
        // Readable at a phone's width: nothing wider than the screen.
        let overflow = b
            .script("return document.documentElement.scrollWidth - window.innerWidth")
            .await?;
        assert!(
            overflow.as_i64().unwrap_or(1) <= 0,
            "the page scrolls sideways by {overflow}"
        );
        Ok(())
    })
    .await;
}
