//! The network's faults, played on a session whether linked or not.

use super::{FaultKind, SimNetwork};
use crate::db;
use crate::whatsapp::{Halt, SessionEnd};

pub(super) async fn fault(
    network: &SimNetwork,
    instance_id: &str,
    kind: FaultKind,
) -> Option<SessionEnd> {
    match kind {
        FaultKind::Disconnect => Some(SessionEnd::Disconnected {
            reason: "connection lost (simulated network fault)".into(),
        }),
        FaultKind::Crash => panic!("simulated session crash"),
        FaultKind::Logout => {
            if let Err(err) = db::sim_sessions::delete(&network.inner.db, instance_id).await {
                tracing::warn!(instance_id, error = %err, "sim could not forget the pairing");
            }
            Some(SessionEnd::LoggedOut {
                reason: "logged out from the phone".into(),
            })
        }
        FaultKind::Replaced => Some(SessionEnd::Halted(Halt::Replaced)),
        FaultKind::Ban => {
            // The engine's own reason, so both backends word a ban alike.
            let code = whatsapp_rust::types::events::TempBanReason::SentToTooManyPeople;
            Some(SessionEnd::Halted(Halt::Banned {
                code: code.code(),
                reason: code.to_string(),
                expires_in_secs: 24 * 60 * 60,
            }))
        }
        FaultKind::Outdated => Some(SessionEnd::Halted(Halt::Outdated {
            version: SIMULATED_VERSION.to_owned(),
        })),
        // Armed on the link by `SimNetwork::fault`, never sent to a session.
        FaultKind::Nack | FaultKind::Slow => None,
    }
}

/// The version the simulated client announces, for `outdated` faults.
const SIMULATED_VERSION: &str = "2.3000.0";
