//! How loudly a retrying instance logs: a streak of failed attempts is told once
//! when it starts and again when its reason changes, then in at most one summary
//! line a minute; each attempt is still in the activity log and at `debug`.

use std::time::{Duration, Instant};

const SUMMARY_EVERY: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Loudness {
    /// A new streak, or a new reason: say it.
    Changed,
    /// The streak goes on: a summary of the attempts since the last line.
    Summary { attempts: u32 },
    /// Nothing new.
    Quiet,
}

#[derive(Debug, Default)]
pub struct RetryLog {
    streak: Option<Streak>,
}

#[derive(Debug)]
struct Streak {
    reason: String,
    attempts: u32,
    unreported: u32,
    last_line: Instant,
}

impl RetryLog {
    /// An attempt failed for `reason`.
    pub fn failed(&mut self, reason: &str, now: Instant) -> Loudness {
        match &mut self.streak {
            Some(streak) if streak.reason == reason => {
                streak.attempts += 1;
                streak.unreported += 1;
                if now.duration_since(streak.last_line) < SUMMARY_EVERY {
                    return Loudness::Quiet;
                }
                let attempts = std::mem::take(&mut streak.unreported);
                streak.last_line = now;
                Loudness::Summary { attempts }
            }
            _ => {
                let attempts = self.streak.as_ref().map_or(0, |s| s.attempts) + 1;
                self.streak = Some(Streak {
                    reason: reason.to_owned(),
                    attempts,
                    unreported: 0,
                    last_line: now,
                });
                Loudness::Changed
            }
        }
    }

    /// The session connected: the failed attempts of the streak that ended, if any.
    pub fn recovered(&mut self) -> Option<u32> {
        self.streak.take().map(|streak| streak.attempts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_streak_is_told_once_then_summarised_at_most_once_a_minute() {
        let mut log = RetryLog::default();
        let start = Instant::now();
        assert_eq!(log.failed("refused", start), Loudness::Changed);
        for second in 1..60 {
            let now = start + Duration::from_secs(second);
            assert_eq!(log.failed("refused", now), Loudness::Quiet);
        }
        let minute = start + Duration::from_secs(60);
        assert_eq!(
            log.failed("refused", minute),
            Loudness::Summary { attempts: 60 }
        );
        assert_eq!(
            log.failed("refused", minute + Duration::from_secs(1)),
            Loudness::Quiet
        );
        assert_eq!(log.recovered(), Some(62));
        assert_eq!(log.recovered(), None);
    }

    #[test]
    fn a_new_reason_is_told_at_once() {
        let mut log = RetryLog::default();
        let now = Instant::now();
        assert_eq!(log.failed("refused", now), Loudness::Changed);
        assert_eq!(log.failed("refused", now), Loudness::Quiet);
        assert_eq!(log.failed("timed out", now), Loudness::Changed);
        assert_eq!(log.recovered(), Some(3));
        assert_eq!(log.failed("timed out", now), Loudness::Changed);
    }
}
