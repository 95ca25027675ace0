//! The tour's leg through the message kinds and actions: each route called
//! once with its documented example, between the tour's two instances.

use serde_json::json;

use super::answers::Tour;
use super::example_body;
use crate::helpers::*;

/// `receiver` was scanned as 79001234567; `sender` is 79007654321 and wrote
/// `text_id` to it.
pub(super) async fn kinds(tour: &mut Tour<'_>, receiver: &str, sender: &str, text_id: &str) {
    let doc = tour.doc;
    let at = |template: &str| template.replace("{instance_id}", receiver);
    let from = |template: &str| template.replace("{instance_id}", sender);
    let mut sent = Vec::new();
    for route in ["send-location", "send-contact", "send-poll"] {
        let template = format!("/api/whatsapp/{{instance_id}}/{route}");
        let body = example_body(doc, "post", &template, json!({}));
        let answer = tour
            .call("post", &template, &from(&template), Some(body))
            .await;
        sent.push(answer["id"].as_str().expect("sent id").to_owned());
    }
    let (location, poll) = (sent[0].clone(), sent[2].clone());
    let app = tour.app;
    eventually("the poll at the receiver", || async {
        let history = app.history(&app.admin_key, receiver, "79007654321").await;
        history
            .iter()
            .any(|m| m["messageId"] == poll.as_str())
            .then_some(())
    })
    .await;

    let message_route =
        |rest: &str| format!("/api/whatsapp/{{instance_id}}/messages/{{message_id}}{rest}");
    let concrete = |template: &str, id: &str, on: &dyn Fn(&str) -> String| {
        on(template).replace("{message_id}", id)
    };
    let reaction = message_route("/reaction");
    let body = example_body(doc, "post", &reaction, json!({}));
    tour.call(
        "post",
        &reaction,
        &concrete(&reaction, text_id, &at),
        Some(body),
    )
    .await;
    let vote = message_route("/vote");
    let body = example_body(doc, "post", &vote, json!({}));
    tour.call("post", &vote, &concrete(&vote, &poll, &at), Some(body))
        .await;
    let message = message_route("");
    let body = example_body(doc, "patch", &message, json!({}));
    tour.call(
        "patch",
        &message,
        &concrete(&message, text_id, &from),
        Some(body),
    )
    .await;
    tour.call(
        "delete",
        &message,
        &concrete(&message, &location, &from),
        None,
    )
    .await;

    let read = "/api/whatsapp/{instance_id}/chats/{chat_id}/read";
    let body = example_body(doc, "post", read, json!({}));
    let chat = |template: &str| at(template).replace("{chat_id}", "79007654321");
    tour.call("post", read, &chat(read), Some(body)).await;
    let typing = "/api/whatsapp/{instance_id}/chats/{chat_id}/presence";
    let body = example_body(doc, "post", typing, json!({}));
    tour.call("post", typing, &chat(typing), Some(body)).await;
    for (method, template) in [
        ("post", "/api/whatsapp/{instance_id}/presence"),
        ("post", "/api/whatsapp/{instance_id}/check-numbers"),
    ] {
        let body = example_body(doc, method, template, json!({}));
        tour.call(method, template, &at(template), Some(body)).await;
    }
    let person = |template: &str| at(template).replace("{phone}", "79007654321");
    let profile = "/api/whatsapp/{instance_id}/contacts/{phone}/profile";
    tour.call("get", profile, &person(profile), None).await;
    let lid = "/api/whatsapp/{instance_id}/lids/{lid}";
    // The simulated account's LID: `2` and its number padded to 15 digits.
    tour.call(
        "get",
        lid,
        &at(lid).replace("{lid}", "2000079007654321"),
        None,
    )
    .await;
    let lids = "/api/whatsapp/{instance_id}/lids";
    tour.call(
        "get",
        lids,
        &format!("{}?phone=79007654321", at(lids)),
        None,
    )
    .await;
    let block = "/api/whatsapp/{instance_id}/contacts/{phone}/block";
    tour.call("put", block, &person(block), None).await;
    tour.call("delete", block, &person(block), None).await;
}
