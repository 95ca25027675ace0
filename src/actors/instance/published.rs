//! The connection status an instance actor publishes for readers that should not
//! queue behind its mailbox: the status route integrators poll, and instance
//! lists. Only the actor writes it, in the same step that changes its state, so a
//! read after a change sees the change; the actor stays the one owner.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Mutex, PoisonError};

use super::StatusView;
use crate::domain::instance::InstanceStatus;

const HAS_QR: u8 = 0x80;

#[derive(Debug)]
pub struct PublishedStatus(AtomicU8, Mutex<Option<Box<str>>>);

impl PublishedStatus {
    pub fn new(status: InstanceStatus) -> Self {
        let published = Self(AtomicU8::new(0), Mutex::new(None));
        published.publish(status, false);
        published
    }

    /// Why pairing failed, shown while the status stays `qr`.
    pub(super) fn pairing_failed(&self, reason: &str) {
        *self.1.lock().unwrap_or_else(PoisonError::into_inner) = Some(reason.into());
    }

    pub(super) fn publish(&self, status: InstanceStatus, has_qr: bool) {
        if status != InstanceStatus::Qr {
            *self.1.lock().unwrap_or_else(PoisonError::into_inner) = None;
        }
        let index = InstanceStatus::ALL
            .iter()
            .position(|known| *known == status)
            .unwrap_or(3);
        let index = u8::try_from(index).unwrap_or(3);
        self.0
            .store(index | if has_qr { HAS_QR } else { 0 }, Ordering::Release);
    }

    pub fn view(&self) -> StatusView {
        let packed = self.0.load(Ordering::Acquire);
        let status = InstanceStatus::ALL
            .get(usize::from(packed & !HAS_QR))
            .copied()
            .unwrap_or(InstanceStatus::Disconnected);
        let error = (status == InstanceStatus::Qr)
            .then(|| {
                self.1
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .clone()
            })
            .flatten();
        StatusView {
            ready: status == InstanceStatus::Connected,
            status,
            has_qr: packed & HAS_QR != 0,
            error: error.map(String::from),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_and_the_qr_flag_read_back() {
        let published = PublishedStatus::new(InstanceStatus::Connecting);
        for &status in InstanceStatus::ALL {
            for has_qr in [false, true] {
                published.publish(status, has_qr);
                let view = published.view();
                assert_eq!((view.status, view.has_qr), (status, has_qr));
                assert_eq!(view.ready, status == InstanceStatus::Connected);
            }
        }
    }

    #[test]
    fn a_pairing_failure_shows_while_in_qr_and_goes_with_it() {
        let published = PublishedStatus::new(InstanceStatus::Qr);
        published.pairing_failed("the scan failed");
        assert_eq!(published.view().error.as_deref(), Some("the scan failed"));
        published.publish(InstanceStatus::Qr, true);
        assert!(published.view().error.is_some(), "a new QR keeps it");
        published.publish(InstanceStatus::Connected, false);
        published.publish(InstanceStatus::Qr, true);
        assert_eq!(published.view().error, None);
    }
}
