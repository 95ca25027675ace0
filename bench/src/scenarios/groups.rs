//! Groups on the simulated network: listing many groups, and how long one
//! message to a large group takes to reach every member instance.

use std::time::{Duration, Instant};

use serde_json::json;

use super::{Plan, median};
use crate::load;
use crate::process::{Server, ServerOptions};
use crate::receiver::Receiver;

#[derive(Default)]
pub struct Groups {
    pub listed_groups: usize,
    pub members_per_group: usize,
    pub list_p50_ms: f64,
    pub list_p99_ms: f64,
    /// Members of the fan-out group, its writer included.
    pub fanout_members: usize,
    /// From the send's request to the last member's `message_received` webhook.
    pub fanout_p50_ms: f64,
    pub fanout_max_ms: f64,
    /// Member webhooks that did not arrive.
    pub fanout_missing: usize,
}

const LIST_CALLS: usize = 50;
const FANOUT_SENDS: usize = 5;

pub(super) async fn groups(plan: &Plan) -> anyhow::Result<Groups> {
    const SECRET: &str = "bench-webhook-secret";
    let receiver = Receiver::start(SECRET)?;
    let dir = tempfile::tempdir()?;
    let server = Server::start(dir.path(), &ServerOptions::default()).await?;
    let api = &server.api;
    let mut figures = Groups {
        listed_groups: plan.group_count,
        members_per_group: plan.group_members,
        fanout_members: plan.fanout_members,
        ..Groups::default()
    };

    // One account in many groups of outside phones: the list route's cost.
    let lister = api.paired("15560000000", json!({})).await?;
    for group in 0..plan.group_count {
        let participants: Vec<String> = (1..plan.group_members)
            .map(|member| format!("1561{group:04}{member:03}"))
            .collect();
        api.call(
            "POST",
            &format!("/api/whatsapp/{lister}/groups"),
            Some(json!({"subject": format!("Group {group:04}"), "participants": participants})),
        )
        .await?;
    }
    let path = format!("/api/whatsapp/{lister}/groups");
    let listed = api.call("GET", &path, None).await?;
    anyhow::ensure!(
        listed["groups"].as_array().map(Vec::len) == Some(plan.group_count),
        "the list does not hold every group"
    );
    let mut list_micros = Vec::with_capacity(LIST_CALLS);
    for _ in 0..LIST_CALLS {
        let started = Instant::now();
        api.call("GET", &path, None).await?;
        list_micros.push(u32::try_from(started.elapsed().as_micros()).unwrap_or(u32::MAX));
    }
    figures.list_p50_ms = load::percentile(&list_micros, 0.50) as f64 / 1000.0;
    figures.list_p99_ms = load::percentile(&list_micros, 0.99) as f64 / 1000.0;

    // One group of `fanout_members` instances, each with a webhook.
    let hook = json!({"webhookUrl": receiver.url, "webhookEnabled": true, "webhookSecret": SECRET,
                      "notifySent": false, "notifyReceived": true, "notifyGroups": false});
    let mut members = Vec::with_capacity(plan.fanout_members);
    for n in 0..plan.fanout_members {
        members.push(api.paired(&format!("1562{n:06}"), hook.clone()).await?);
    }
    let participants: Vec<String> = (1..plan.fanout_members)
        .map(|n| format!("1562{n:06}"))
        .collect();
    let created = api
        .call(
            "POST",
            &format!("/api/whatsapp/{}/groups", members[0]),
            Some(json!({"subject": "Everyone", "participants": participants})),
        )
        .await?;
    let group = created["id"].as_str().unwrap_or_default().to_owned();
    let readers = plan.fanout_members.saturating_sub(1);
    let mut fanouts = Vec::with_capacity(FANOUT_SENDS);
    for n in 0..FANOUT_SENDS {
        let before = receiver.count();
        let sent_ms = chrono::Utc::now().timestamp_millis();
        api.call(
            "POST",
            &format!("/api/whatsapp/{}/send", members[0]),
            Some(json!({"phone": group, "message": format!("to everyone {n}")})),
        )
        .await?;
        let deadline = Instant::now() + Duration::from_secs(60);
        while receiver.count() < before + readers && Instant::now() < deadline {
            actix_web::rt::time::sleep(Duration::from_millis(2)).await;
        }
        let log = receiver
            .log
            .lock()
            .map_err(|_| anyhow::anyhow!("receiver log poisoned"))?;
        let arrivals = &log.arrivals[before.min(log.arrivals.len())..];
        figures.fanout_missing += readers.saturating_sub(arrivals.len());
        let last = arrivals.iter().map(|(arrived, _)| *arrived).max();
        fanouts.push(last.map_or(f64::INFINITY, |last| (last - sent_ms) as f64));
    }
    figures.fanout_max_ms = fanouts.iter().copied().fold(0.0, f64::max);
    figures.fanout_p50_ms = median(fanouts);
    drop(server);
    receiver.stop().await;
    Ok(figures)
}
