//! For tests: an actor standing in for the instance actor, keeping every event
//! a session or reader emits.

#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix::prelude::*;

use super::{SessionEvent, WaEvent};

pub struct Collect(pub Arc<Mutex<Vec<WaEvent>>>);

impl Actor for Collect {
    type Context = Context<Self>;
}

impl Handler<SessionEvent> for Collect {
    type Result = ();

    fn handle(&mut self, event: SessionEvent, _: &mut Self::Context) {
        self.0.lock().unwrap().push(event.event);
    }
}

/// What was collected once `expected` events arrived (mailbox delivery is
/// asynchronous), and a moment more, so that an event too many would show.
pub async fn settled(events: &Arc<Mutex<Vec<WaEvent>>>, expected: usize) -> Vec<WaEvent> {
    for _ in 0..100 {
        if events.lock().unwrap().len() >= expected {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    tokio::time::sleep(Duration::from_millis(20)).await;
    events.lock().unwrap().clone()
}
