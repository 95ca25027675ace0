//! Uploads in flight: how many are received at once (server-wide and per user,
//! past either 429), how long a client may take (408), and how many of their
//! bytes are in memory at once: one media limit's worth server-wide, while the
//! rest wait in their temporary files.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use prometheus::IntGauge;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use crate::config::LimitSettings;
use crate::error::ApiError;

/// How soon a refused upload may try again.
const RETRY_AFTER_SECS: u64 = 1;

pub struct UploadGate {
    server: Arc<Semaphore>,
    per_user: Arc<Mutex<HashMap<String, u32>>>,
    per_user_max: u32,
    /// Permits are KiB of file held in memory.
    memory: Arc<Semaphore>,
    memory_kib: u32,
    idle: Duration,
    whole: Duration,
    /// `wamux_uploads_in_flight`.
    in_flight: IntGauge,
}

/// An upload's place among those in flight, given back when dropped.
pub struct UploadPass {
    _server: OwnedSemaphorePermit,
    user_id: String,
    per_user: Arc<Mutex<HashMap<String, u32>>>,
    in_flight: IntGauge,
}

/// When an upload's body must have arrived, and how long it may pause.
#[derive(Clone, Copy)]
pub struct BodyClock {
    deadline: Instant,
    idle: Duration,
}

fn counts(map: &Mutex<HashMap<String, u32>>) -> MutexGuard<'_, HashMap<String, u32>> {
    map.lock().unwrap_or_else(PoisonError::into_inner)
}

fn kib(bytes: usize) -> u32 {
    u32::try_from(bytes.div_ceil(1024)).unwrap_or(u32::MAX)
}

impl UploadGate {
    /// `max_file_bytes`: the largest file the server takes, which one upload at
    /// a time may always hold in memory.
    pub fn new(limits: &LimitSettings, max_file_bytes: usize, in_flight: IntGauge) -> Self {
        let memory_kib =
            kib(max_file_bytes).clamp(1, u32::try_from(Semaphore::MAX_PERMITS).unwrap_or(u32::MAX));
        Self {
            server: Arc::new(Semaphore::new(limits.uploads_in_flight as usize)),
            per_user: Arc::default(),
            per_user_max: limits.uploads_in_flight_per_user,
            memory: Arc::new(Semaphore::new(memory_kib as usize)),
            memory_kib,
            idle: Duration::from_secs(limits.upload_idle_timeout_secs),
            whole: Duration::from_secs(limits.upload_timeout_secs),
            in_flight,
        }
    }

    /// A place for the caller's upload, or 429 when the server or the caller
    /// has as many in flight as it may.
    pub fn enter(&self, user_id: &str) -> Result<(UploadPass, BodyClock), ApiError> {
        let server = self
            .server
            .clone()
            .try_acquire_owned()
            .map_err(|_| ApiError::rate_limited(RETRY_AFTER_SECS))?;
        let mut counts = counts(&self.per_user);
        let mine = counts.entry(user_id.to_owned()).or_default();
        if *mine >= self.per_user_max {
            return Err(ApiError::rate_limited(RETRY_AFTER_SECS));
        }
        *mine += 1;
        self.in_flight.inc();
        let pass = UploadPass {
            _server: server,
            user_id: user_id.to_owned(),
            per_user: self.per_user.clone(),
            in_flight: self.in_flight.clone(),
        };
        let clock = BodyClock {
            deadline: Instant::now() + self.whole,
            idle: self.idle,
        };
        Ok((pass, clock))
    }

    /// Waits until `bytes` of file may be held in memory; they may while the
    /// permit lives.
    pub async fn hold_in_memory(&self, bytes: usize) -> Result<OwnedSemaphorePermit, ApiError> {
        self.memory
            .clone()
            .acquire_many_owned(kib(bytes).min(self.memory_kib))
            .await
            .map_err(ApiError::internal)
    }
}

impl Drop for UploadPass {
    fn drop(&mut self) {
        self.in_flight.dec();
        let mut counts = counts(&self.per_user);
        if let Some(mine) = counts.get_mut(&self.user_id) {
            *mine = mine.saturating_sub(1);
            if *mine == 0 {
                counts.remove(&self.user_id);
            }
        }
    }
}

impl BodyClock {
    /// `read`, unless the client pauses past the idle limit or the whole body
    /// is late: then 408.
    pub async fn within<T>(&self, read: impl Future<Output = T>) -> Result<T, ApiError> {
        let until = self.deadline.min(Instant::now() + self.idle);
        tokio::time::timeout_at(until, read)
            .await
            .map_err(|_| ApiError::request_timeout())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn gate(server: u32, per_user: u32) -> UploadGate {
        let limits = LimitSettings {
            uploads_in_flight: server,
            uploads_in_flight_per_user: per_user,
            upload_idle_timeout_secs: 1,
            upload_timeout_secs: 2,
            ..LimitSettings::default()
        };
        let gauge = IntGauge::new("uploads", "uploads").unwrap();
        UploadGate::new(&limits, 10 * 1024, gauge)
    }

    #[test]
    fn uploads_in_flight_are_bounded_per_user_and_per_server() {
        let gate = gate(3, 2);
        let first = gate.enter("ann").unwrap();
        let _second = gate.enter("ann").unwrap();
        assert!(gate.enter("ann").is_err(), "past the caller's own limit");
        let _bob = gate.enter("bob").unwrap();
        assert!(gate.enter("cid").is_err(), "past the server's limit");
        drop(first);
        assert!(
            gate.enter("ann").is_ok(),
            "a finished upload gives its place back"
        );
    }

    #[tokio::test]
    async fn memory_is_held_by_one_upload_worth_at_a_time() {
        let gate = gate(10, 10);
        let whole = gate.hold_in_memory(10 * 1024).await.unwrap();
        let waiting = gate.hold_in_memory(1);
        tokio::pin!(waiting);
        assert!(
            tokio::time::timeout(Duration::from_millis(50), &mut waiting)
                .await
                .is_err()
        );
        drop(whole);
        assert!(waiting.await.is_ok());
        // A file larger than the budget still gets through, alone.
        assert!(gate.hold_in_memory(1 << 30).await.is_ok());
    }

    #[tokio::test]
    async fn a_pause_past_the_idle_limit_is_a_408() {
        let clock = BodyClock {
            deadline: Instant::now() + Duration::from_secs(60),
            idle: Duration::from_millis(20),
        };
        let stalled = clock.within(std::future::pending::<()>()).await;
        assert_eq!(
            stalled.unwrap_err().code(),
            crate::error::ErrorCode::RequestTimeout
        );
        assert!(clock.within(async { 7 }).await.is_ok());
        let late = BodyClock {
            deadline: Instant::now(),
            idle: Duration::from_secs(60),
        };
        assert!(late.within(std::future::pending::<()>()).await.is_err());
    }
}
