//! A panic anywhere in an attempt's client — its run loop, the event dispatch
//! that carries the forwarder, a background job — ends the attempt as a crash,
//! which supervision counts toward `max_restarts`, never as a lost connection.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use whatsapp_rust::Runtime;

use super::forwarder::Tracker;
use super::runtime::HandleRuntime;
use super::session::end_of;
use crate::whatsapp::SessionEnd;

fn runtime() -> (HandleRuntime, Arc<Tracker>) {
    let tracker = Arc::new(Tracker::default());
    let runtime = HandleRuntime {
        handle: tokio::runtime::Handle::current(),
        tracker: tracker.clone(),
    };
    (runtime, tracker)
}

fn crash_reason(tracker: &Tracker) -> String {
    match end_of(tracker) {
        SessionEnd::Failed { reason } => reason,
        other => panic!("a crash must end as Failed, not {other:?}"),
    }
}

#[tokio::test]
async fn a_panicking_engine_task_wakes_the_attempt_and_ends_it_as_a_crash() {
    let (runtime, tracker) = runtime();
    runtime.spawn_detached(Box::pin(async { panic!("run loop broke") }));
    tokio::time::timeout(Duration::from_secs(5), tracker.crash_signal.notified())
        .await
        .expect("the attempt is woken");
    let reason = crash_reason(&tracker);
    assert_eq!(reason, "the WhatsApp engine crashed: run loop broke");
}

#[tokio::test]
async fn a_panicking_blocking_job_is_a_crash_too() {
    let (runtime, tracker) = runtime();
    runtime
        .spawn_blocking(Box::new(|| panic!("store write broke")))
        .await;
    assert!(crash_reason(&tracker).ends_with("store write broke"));
}

#[tokio::test]
async fn a_run_that_merely_ends_is_no_crash() {
    let (runtime, tracker) = runtime();
    let task = runtime.spawn(Box::pin(async {}));
    tokio::time::sleep(Duration::from_millis(20)).await;
    drop(task);
    assert!(matches!(end_of(&tracker), SessionEnd::Disconnected { .. }));
}
