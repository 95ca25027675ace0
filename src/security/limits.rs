//! Rate limits of `[limits]`, answered with 429 and `Retry-After`.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::Instant;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::config::LimitSettings;
use crate::error::ApiError;

pub struct RateLimits {
    login_by_address: Option<DefaultKeyedRateLimiter<IpAddr>>,
    login_by_email: Option<DefaultKeyedRateLimiter<String>>,
    per_user: Option<DefaultKeyedRateLimiter<String>>,
    auth_failures: Option<DefaultKeyedRateLimiter<IpAddr>>,
    /// Addresses past their failures, and until when they are refused.
    blocked: Mutex<HashMap<IpAddr, Instant>>,
}

/// Past this many blocked addresses the oldest blocks are forgotten first.
const MAX_BLOCKED: usize = 100_000;

fn check<K: Clone + Hash + Eq>(
    limiter: Option<&DefaultKeyedRateLimiter<K>>,
    key: &K,
) -> Result<(), ApiError> {
    let Some(limiter) = limiter else {
        return Ok(());
    };
    limiter.check_key(key).map_err(|not_until| {
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        ApiError::rate_limited(wait.as_secs() + u64::from(wait.subsec_nanos() > 0))
    })
}

impl RateLimits {
    pub fn new(settings: &LimitSettings) -> Self {
        let login = NonZeroU32::new(settings.login_attempts_per_minute).map(Quota::per_minute);
        let per_user = NonZeroU32::new(settings.requests_per_second).map(|rate| {
            let burst = NonZeroU32::new(settings.burst).unwrap_or(rate);
            Quota::per_second(rate).allow_burst(burst)
        });
        let failures = NonZeroU32::new(settings.auth_failures_per_minute).map(Quota::per_minute);
        Self {
            login_by_address: login.map(RateLimiter::keyed),
            login_by_email: login.map(RateLimiter::keyed),
            per_user: per_user.map(RateLimiter::keyed),
            auth_failures: failures.map(RateLimiter::keyed),
            blocked: Mutex::new(HashMap::new()),
        }
    }

    fn blocked(&self) -> std::sync::MutexGuard<'_, HashMap<IpAddr, Instant>> {
        self.blocked
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Refuses a credentialed request from an address past its failures, before
    /// its credentials are looked at: right or wrong, the answer is the same.
    pub fn credentials_from(&self, address: Option<IpAddr>) -> Result<(), ApiError> {
        let Some(address) = address else {
            return Ok(());
        };
        match self.blocked().get(&address) {
            Some(until) if *until > Instant::now() => Err(ApiError::rate_limited(
                until.saturating_duration_since(Instant::now()).as_secs() + 1,
            )),
            _ => Ok(()),
        }
    }

    /// Counts wrong credentials from `address`; `Err` (429) once it is past its
    /// allowance, which also refuses its next requests for a while.
    pub fn credentials_failed(&self, address: Option<IpAddr>) -> Result<(), ApiError> {
        let (Some(address), Some(limiter)) = (address, self.auth_failures.as_ref()) else {
            return Ok(());
        };
        let Err(not_until) = limiter.check_key(&address) else {
            return Ok(());
        };
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        let wait = wait.max(std::time::Duration::from_secs(1));
        let mut blocked = self.blocked();
        if blocked.len() >= MAX_BLOCKED {
            let now = Instant::now();
            blocked.retain(|_, until| *until > now);
        }
        blocked.insert(address, Instant::now() + wait);
        Err(ApiError::rate_limited(
            wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
        ))
    }

    /// One login attempt from `address` for `email`.
    pub fn login(&self, address: Option<IpAddr>, email: &str) -> Result<(), ApiError> {
        if let Some(address) = address {
            check(self.login_by_address.as_ref(), &address)?;
        }
        check(self.login_by_email.as_ref(), &email.trim().to_lowercase())
    }

    /// One request by an authenticated user.
    pub fn request(&self, user_id: &str) -> Result<(), ApiError> {
        check(self.per_user.as_ref(), &user_id.to_owned())
    }

    /// Forgets keys that are back to a full allowance (keeps memory bounded).
    pub fn forget_idle(&self) {
        for limiter in [&self.login_by_email, &self.per_user].into_iter().flatten() {
            limiter.retain_recent();
        }
        for limiter in [&self.login_by_address, &self.auth_failures]
            .into_iter()
            .flatten()
        {
            limiter.retain_recent();
        }
        let now = Instant::now();
        self.blocked().retain(|_, until| *until > now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn login_attempts_are_limited_per_email_and_per_address() {
        let limits = RateLimits::new(&LimitSettings {
            login_attempts_per_minute: 2,
            ..LimitSettings::default()
        });
        let home = Some(IpAddr::from([192, 0, 2, 1]));
        let elsewhere = Some(IpAddr::from([192, 0, 2, 2]));
        assert!(limits.login(home, "a@example.com").is_ok());
        assert!(limits.login(home, "b@example.com").is_ok());
        assert_eq!(
            limits.login(home, "c@example.com").map_err(|e| e.code()),
            Err(ErrorCode::RateLimited)
        );
        assert!(limits.login(elsewhere, "A@example.com").is_ok());
        let refused = limits.login(Some(IpAddr::from([192, 0, 2, 3])), "a@example.com");
        assert!(refused.is_err_and(|e| e.retry_after_secs().is_some_and(|secs| secs > 0)));
    }

    #[test]
    fn zero_turns_a_limit_off() {
        let limits = RateLimits::new(&LimitSettings {
            login_attempts_per_minute: 0,
            auth_failures_per_minute: 0,
            requests_per_second: 0,
            burst: 0,
            ..LimitSettings::default()
        });
        let home = Some(IpAddr::from([192, 0, 2, 1]));
        for _ in 0..1000 {
            assert!(limits.login(None, "a@example.com").is_ok());
            assert!(limits.request("user").is_ok());
            assert!(limits.credentials_failed(home).is_ok());
        }
    }

    #[test]
    fn an_address_past_its_failures_is_refused_before_its_credentials_are_looked_at() {
        let limits = RateLimits::new(&LimitSettings {
            auth_failures_per_minute: 3,
            ..LimitSettings::default()
        });
        let guesser = Some(IpAddr::from([203, 0, 113, 9]));
        let neighbour = Some(IpAddr::from([203, 0, 113, 10]));
        for _ in 0..3 {
            assert!(limits.credentials_from(guesser).is_ok());
            assert!(limits.credentials_failed(guesser).is_ok());
        }
        let refused = limits.credentials_failed(guesser);
        assert!(refused.is_err_and(|e| e.code() == ErrorCode::RateLimited));
        // Every later request from it is refused first, whatever it presents.
        let blocked = limits.credentials_from(guesser);
        assert!(blocked.is_err_and(|e| e.retry_after_secs().is_some_and(|secs| secs > 0)));
        assert!(limits.credentials_from(neighbour).is_ok());
    }
}
