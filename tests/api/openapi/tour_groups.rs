//! The tour's leg through the group routes: each called once with its
//! documented example, between the tour's two instances.

use serde_json::json;

use super::answers::Tour;
use super::example_body;

/// `receiver` was scanned as 79001234567 and creates the group; `sender`
/// (79007654321) is in it, leaves and joins again by the invite link.
pub(super) async fn groups(tour: &mut Tour<'_>, receiver: &str, sender: &str) {
    let doc = tour.doc;
    let at = |template: &str| template.replace("{instance_id}", receiver);
    let list = "/api/whatsapp/{instance_id}/groups";
    let body = example_body(doc, "post", list, json!({}));
    let created = tour.call("post", list, &at(list), Some(body)).await;
    let group = created["id"].as_str().expect("group id").to_owned();
    tour.call("get", list, &at(list), None).await;

    let one = |rest: &str| format!("/api/whatsapp/{{instance_id}}/groups/{{group_id}}{rest}");
    let in_group = |template: &str, instance: &str| {
        template
            .replace("{instance_id}", instance)
            .replace("{group_id}", &group)
    };
    let read = one("");
    tour.call("get", &read, &in_group(&read, receiver), None)
        .await;
    let body = example_body(doc, "patch", &read, json!({}));
    tour.call("patch", &read, &in_group(&read, receiver), Some(body))
        .await;
    let participants = one("/participants");
    let body = example_body(doc, "post", &participants, json!({}));
    tour.call(
        "post",
        &participants,
        &in_group(&participants, receiver),
        Some(body),
    )
    .await;
    let invite = one("/invite");
    tour.call("get", &invite, &in_group(&invite, receiver), None)
        .await;
    let reset = tour
        .call("delete", &invite, &in_group(&invite, receiver), None)
        .await;
    let leave = one("/leave");
    tour.call("post", &leave, &in_group(&leave, sender), None)
        .await;
    let join = "/api/whatsapp/{instance_id}/groups/join";
    let body = example_body(doc, "post", join, json!({"invite": reset["link"]}));
    let joined = tour
        .call(
            "post",
            join,
            &join.replace("{instance_id}", sender),
            Some(body),
        )
        .await;
    assert_eq!(joined["id"], group.as_str());
}
