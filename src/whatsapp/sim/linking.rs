//! A simulated session before it is linked: the QR cycle, a pairing code,
//! and the scan (or typed code) that pairs it.

use std::time::Duration;

use tokio::sync::mpsc;

use super::faults::fault;
use super::{Command, SimError, SimNetwork};
use crate::db;
use crate::whatsapp::{EventSink, SessionEnd, WaEvent};

/// WhatsApp shows six QR codes per pairing attempt before giving up.
const QR_CODES_PER_CYCLE: u32 = 6;

pub(super) enum QrOutcome {
    Paired { phone: String, push_name: String },
    Over(Option<SessionEnd>),
}

pub(super) async fn qr_cycle(
    network: &SimNetwork,
    instance_id: &str,
    commands: &mut mpsc::UnboundedReceiver<Box<Command>>,
    sink: &EventSink,
) -> QrOutcome {
    let settings = &network.inner.settings;
    let refresh = Duration::from_millis(settings.qr_refresh_ms);
    let auto_pair =
        (settings.auto_pair_ms > 0).then(|| Duration::from_millis(settings.auto_pair_ms));
    let auto_pair_at = auto_pair.map(|delay| tokio::time::Instant::now() + delay);
    let reference = crate::auth::api_key::random_token(18);
    let mut code_out = false;
    for n in 1..=QR_CODES_PER_CYCLE {
        sink.emit(WaEvent::Qr {
            code: qr_code(&reference, n),
        });
        let next_code = tokio::time::sleep(refresh);
        tokio::pin!(next_code);
        loop {
            let auto_pair_now = async {
                match auto_pair_at {
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                () = &mut next_code => break,
                () = auto_pair_now => {
                    let phone = auto_phone(instance_id);
                    if let Err(err) = pair(network, instance_id, &phone, "").await {
                        return QrOutcome::Over(Some(SessionEnd::Failed { reason: err.to_string() }));
                    }
                    return QrOutcome::Paired { phone, push_name: String::new() };
                }
                command = commands.recv() => {
                    let command = command.map(|c| *c);
                    code_out |= matches!(command, Some(Command::PairCode { .. }));
                    if let Some(outcome) = while_unpaired(network, instance_id, command).await {
                        return outcome;
                    }
                }
            }
        }
    }
    if !code_out {
        return QrOutcome::Over(Some(SessionEnd::QrExhausted));
    }
    // Like the engine: with a pairing code out, the session stays up after the
    // last QR code, and the instance decides when the code has expired.
    sink.emit(WaEvent::QrCodesOut);
    loop {
        let command = commands.recv().await.map(|c| *c);
        if let Some(outcome) = while_unpaired(network, instance_id, command).await {
            return outcome;
        }
    }
}

/// A command to a session waiting to be linked; `Some` when it ends the wait.
async fn while_unpaired(
    network: &SimNetwork,
    instance_id: &str,
    command: Option<Command>,
) -> Option<QrOutcome> {
    match command {
        Some(Command::Scan {
            phone,
            push_name,
            reply,
        }) => {
            let paired = pair(network, instance_id, &phone, &push_name).await;
            let ok = paired.is_ok();
            let _ = reply.send(paired);
            ok.then_some(QrOutcome::Paired { phone, push_name })
        }
        Some(Command::PairCode { reply }) => {
            // The phone enters it; the simulated phone "enters" it by scanning.
            let _ = reply.send(Ok(pairing_code()));
            None
        }
        Some(Command::Fault(kind)) => {
            Some(QrOutcome::Over(fault(network, instance_id, kind).await))
        }
        Some(Command::Stop) | None => Some(QrOutcome::Over(None)),
    }
}

/// Eight characters as WhatsApp shows them, `ABCD-EFGH` (no 0/O or 1/I).
fn pairing_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 8];
    rand::fill(&mut bytes);
    let code: String = bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect();
    format!("{}-{}", &code[..4], &code[4..])
}

/// Stores the pairing: the simulated equivalent of the engine's session file.
async fn pair(
    network: &SimNetwork,
    instance_id: &str,
    phone: &str,
    push_name: &str,
) -> Result<(), SimError> {
    if network.phone_taken(instance_id, phone) {
        return Err(SimError::PhoneInUse);
    }
    db::sim_sessions::save(&network.inner.db, instance_id, phone, push_name)
        .await
        .map_err(|e| SimError::Store(e.to_string()))
}

/// `2@<ref>,<noise key>,<identity key>,<adv secret>,<n>`, like a real pairing QR.
fn qr_code(reference: &str, n: u32) -> String {
    let key = || crate::auth::api_key::random_token(32);
    format!("2@{reference},{},{},{},{n}", key(), key(), key())
}

/// A stable phone number for an auto-paired instance (benchmarks).
fn auto_phone(instance_id: &str) -> String {
    let digits: String = instance_id
        .chars()
        .filter(char::is_ascii_hexdigit)
        .rev()
        .take(11)
        .map(|c| char::from(b'0' + (c.to_digit(16).unwrap_or(0) % 10) as u8))
        .collect();
    format!("1555{digits}")
}
