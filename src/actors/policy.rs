//! The restart policy of `[supervision]`, as plain arithmetic so it can be tested alone.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use crate::config::SupervisionSettings;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestartKind {
    /// The connection dropped or could not be made: retried for ever, with backoff.
    Disconnect,
    /// The session broke: more than `max_restarts` in the window gives up.
    Crash,
    /// WhatsApp rate-limited the connection (429): retried for ever, with the
    /// backoff of `RATE_LIMIT_STEPS` more attempts (what WhatsApp's clients do).
    RateLimited,
}

/// How many attempts further a rate limit pushes the backoff.
pub const RATE_LIMIT_STEPS: u32 = 5;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Decision {
    Retry { attempt: u32, backoff: Duration },
    GiveUp { crashes: u32 },
}

/// Recent restarts of one instance.
#[derive(Debug, Default)]
pub struct RestartHistory {
    restarts: VecDeque<(Instant, RestartKind)>,
}

impl RestartHistory {
    pub fn clear(&mut self) {
        self.restarts.clear();
    }
}

#[derive(Debug, Clone)]
pub struct RestartPolicy {
    settings: SupervisionSettings,
}

impl RestartPolicy {
    pub fn new(settings: SupervisionSettings) -> Self {
        Self { settings }
    }

    /// Decides on a failure at `now`; `random` in [0, 1) spreads the backoff.
    pub fn decide(
        &self,
        history: &mut RestartHistory,
        kind: RestartKind,
        now: Instant,
        random: f64,
    ) -> Decision {
        let window = Duration::from_secs(self.settings.restart_window_secs);
        while history
            .restarts
            .front()
            .is_some_and(|(at, _)| now.duration_since(*at) > window)
        {
            history.restarts.pop_front();
        }
        let crashes = history
            .restarts
            .iter()
            .filter(|(_, k)| *k == RestartKind::Crash)
            .count() as u32
            + u32::from(kind == RestartKind::Crash);
        if kind == RestartKind::Crash && crashes > self.settings.max_restarts {
            return Decision::GiveUp { crashes };
        }
        history.restarts.push_back((now, kind));
        let attempt = history.restarts.len() as u32;
        let steps = if kind == RestartKind::RateLimited {
            attempt.saturating_add(RATE_LIMIT_STEPS)
        } else {
            attempt
        };
        Decision::Retry {
            attempt,
            backoff: self.backoff(steps, random),
        }
    }

    /// `initial * multiplier^(attempt-1)`, at most `max`, spread by ±`jitter`.
    pub fn backoff(&self, attempt: u32, random: f64) -> Duration {
        let s = &self.settings;
        let exponent = i32::try_from(attempt.saturating_sub(1)).unwrap_or(i32::MAX);
        let max = s.backoff_max_ms as f64;
        let base = (s.backoff_initial_ms as f64 * s.backoff_multiplier.powi(exponent)).min(max);
        let spread = 1.0 + s.jitter * (2.0 * random.clamp(0.0, 1.0) - 1.0);
        Duration::from_millis((base * spread).clamp(1.0, max) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(max_restarts: u32, jitter: f64) -> RestartPolicy {
        RestartPolicy::new(SupervisionSettings {
            max_restarts,
            restart_window_secs: 60,
            backoff_initial_ms: 100,
            backoff_multiplier: 2.0,
            backoff_max_ms: 1000,
            jitter,
            ..SupervisionSettings::default()
        })
    }

    fn backoff_ms(decision: Decision) -> Option<u128> {
        match decision {
            Decision::Retry { backoff, .. } => Some(backoff.as_millis()),
            Decision::GiveUp { .. } => None,
        }
    }

    #[test]
    fn backoff_grows_by_the_multiplier_up_to_the_cap() {
        let policy = policy(10, 0.0);
        let mut history = RestartHistory::default();
        let now = Instant::now();
        let waits: Vec<_> = (0..6)
            .map(|_| backoff_ms(policy.decide(&mut history, RestartKind::Disconnect, now, 0.5)))
            .collect();
        assert_eq!(
            waits,
            [
                Some(100),
                Some(200),
                Some(400),
                Some(800),
                Some(1000),
                Some(1000)
            ]
        );
    }

    #[test]
    fn a_rate_limit_waits_as_five_attempts_later_and_never_gives_up() {
        let policy = RestartPolicy::new(SupervisionSettings {
            max_restarts: 1,
            backoff_initial_ms: 100,
            backoff_multiplier: 2.0,
            backoff_max_ms: 60_000,
            jitter: 0.0,
            ..SupervisionSettings::default()
        });
        let mut history = RestartHistory::default();
        let now = Instant::now();
        let waits: Vec<_> = (0..3)
            .map(|_| backoff_ms(policy.decide(&mut history, RestartKind::RateLimited, now, 0.5)))
            .collect();
        assert_eq!(waits, [Some(3_200), Some(6_400), Some(12_800)]);
        assert_eq!(
            backoff_ms(policy.decide(&mut history, RestartKind::Disconnect, now, 0.5)),
            Some(800),
            "a plain disconnect keeps its own pace"
        );
    }

    #[test]
    fn jitter_stays_within_its_fraction() {
        let policy = policy(10, 0.2);
        assert_eq!(policy.backoff(1, 0.0).as_millis(), 80);
        assert_eq!(policy.backoff(1, 1.0).as_millis(), 120);
        assert_eq!(policy.backoff(10, 1.0).as_millis(), 1000);
    }

    #[test]
    fn more_crashes_than_max_restarts_in_the_window_gives_up() {
        let policy = policy(2, 0.0);
        let mut history = RestartHistory::default();
        let now = Instant::now();
        assert!(matches!(
            policy.decide(&mut history, RestartKind::Crash, now, 0.5),
            Decision::Retry { attempt: 1, .. }
        ));
        assert!(matches!(
            policy.decide(&mut history, RestartKind::Crash, now, 0.5),
            Decision::Retry { attempt: 2, .. }
        ));
        assert_eq!(
            policy.decide(&mut history, RestartKind::Crash, now, 0.5),
            Decision::GiveUp { crashes: 3 }
        );
    }

    #[test]
    fn disconnects_never_give_up_and_old_crashes_leave_the_window() {
        let policy = policy(1, 0.0);
        let mut history = RestartHistory::default();
        let start = Instant::now();
        for _ in 0..20 {
            assert!(matches!(
                policy.decide(&mut history, RestartKind::Disconnect, start, 0.5),
                Decision::Retry { .. }
            ));
        }
        let mut history = RestartHistory::default();
        policy.decide(&mut history, RestartKind::Crash, start, 0.5);
        let later = start + Duration::from_secs(61);
        assert!(matches!(
            policy.decide(&mut history, RestartKind::Crash, later, 0.5),
            Decision::Retry { attempt: 1, .. }
        ));
    }
}
