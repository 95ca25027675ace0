//! Authenticated requests, tallied for the `StatsActor` without a message per
//! request: the auth middleware adds to the tally under a short lock, and the
//! stats actor takes it whole before every flush and every read, so nothing is
//! counted late or twice. (A mailbox message per request woke the stats actor's
//! thread each time; that cost the status route about a quarter of its throughput.)

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

#[derive(Default)]
pub struct Taken {
    /// Instance id -> UTC day number (days since 1970-01-01) -> calls.
    pub instance_calls: HashMap<String, HashMap<i64, u64>>,
    /// User id -> when they last made a call (ms).
    pub users_seen: HashMap<String, i64>,
}

#[derive(Clone, Default)]
pub struct ApiCallTally(Arc<Mutex<Taken>>);

impl ApiCallTally {
    /// One authenticated request by `user_id`, about `instance_id` when it was one
    /// of that instance's routes.
    pub fn record(&self, user_id: &str, instance_id: Option<&str>, at: i64) {
        let mut tally = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(instance_id) = instance_id {
            let day = at.div_euclid(DAY_MS);
            match tally.instance_calls.get_mut(instance_id) {
                Some(days) => *days.entry(day).or_default() += 1,
                None => {
                    tally
                        .instance_calls
                        .insert(instance_id.to_owned(), HashMap::from([(day, 1)]));
                }
            }
        }
        match tally.users_seen.get_mut(user_id) {
            Some(seen) => *seen = (*seen).max(at),
            None => {
                tally.users_seen.insert(user_id.to_owned(), at);
            }
        }
    }

    /// Everything recorded since the last take.
    pub fn take(&self) -> Taken {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// The start of a UTC day number, in ms.
pub fn day_start(day: i64) -> i64 {
    day.saturating_mul(DAY_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_add_up_per_instance_and_day_and_users_keep_their_latest_time() {
        let tally = ApiCallTally::default();
        tally.record("u1", Some("i1"), DAY_MS * 3 + 5);
        tally.record("u1", Some("i1"), DAY_MS * 3 + 9);
        tally.record("u2", Some("i1"), DAY_MS * 4);
        tally.record("u2", None, DAY_MS * 4 + 1);
        tally.record("u1", None, DAY_MS * 3);
        let taken = tally.take();
        assert_eq!(taken.instance_calls["i1"], HashMap::from([(3, 2), (4, 1)]));
        assert_eq!(taken.users_seen["u1"], DAY_MS * 3 + 9);
        assert_eq!(taken.users_seen["u2"], DAY_MS * 4 + 1);
        assert!(tally.take().instance_calls.is_empty(), "taken once");
        assert_eq!(day_start(3), DAY_MS * 3);
    }
}
