//! Test-only pauses that open the windows a crash test kills the server in.
//! Only builds with the `mock-whatsapp` feature (tests and benchmarks) read
//! them; a release build has none.

use std::time::Duration;

/// Where a received message can be held.
#[derive(Debug, Clone, Copy)]
pub enum FaultHold {
    /// `WAMUX_FAULT_HOLD_BEFORE_KEEP_MS`: delivered by WhatsApp and decrypted,
    /// not yet stored by the instance.
    BeforeKeep,
    /// `WAMUX_FAULT_HOLD_BEFORE_ACK_MS`: stored and in the webhook outbox, not
    /// yet acked to WhatsApp.
    BeforeAck,
}

#[cfg(feature = "mock-whatsapp")]
pub fn fault_hold(point: FaultHold) -> Option<Duration> {
    use std::sync::OnceLock;
    static HOLDS: OnceLock<[Option<Duration>; 2]> = OnceLock::new();
    let holds = HOLDS.get_or_init(|| {
        let read = |name: &str| {
            std::env::var(name)
                .ok()
                .and_then(|ms| ms.parse().ok())
                .map(Duration::from_millis)
        };
        [
            read("WAMUX_FAULT_HOLD_BEFORE_KEEP_MS"),
            read("WAMUX_FAULT_HOLD_BEFORE_ACK_MS"),
        ]
    });
    holds[point as usize]
}

#[cfg(not(feature = "mock-whatsapp"))]
pub fn fault_hold(_point: FaultHold) -> Option<Duration> {
    None
}
