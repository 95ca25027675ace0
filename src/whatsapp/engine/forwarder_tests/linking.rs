//! The connection's own events: linking by QR or code, connecting, and every
//! way a connection ends, each with the exact boundary event or end report.

use std::sync::Arc;
use std::time::Duration;

use whatsapp_rust::Jid as WaJid;
use whatsapp_rust::types::events::{
    ConnectFailure, ConnectFailureReason, Connected, Disconnected, Event, LoggedOut, PairSuccess,
    PairingCode, PairingQrCode,
};
use whatsapp_rust::wacore::net::DisconnectReason;

use super::{ends, forwarded, forwarded_tracked};
use crate::whatsapp::engine::forwarder::Tracker;
use crate::whatsapp::engine::session::end_of;
use crate::whatsapp::{Halt, SessionEnd, WaEvent};

#[actix_web::test]
async fn a_qr_code_and_a_pairing_code_are_shown_as_given() {
    let events = forwarded(
        false,
        vec![
            Event::PairingQrCode(
                PairingQrCode::builder()
                    .code("2@ref,noise,identity,adv,1".into())
                    .timeout(Duration::from_secs(60))
                    .build(),
            ),
            Event::PairingCode(
                PairingCode::builder()
                    .code("ABCD-EFGH".into())
                    .timeout(Duration::from_secs(180))
                    .build(),
            ),
        ],
    )
    .await;
    let [WaEvent::Qr { code: qr }, WaEvent::PairingCode { code }] = events.as_slice() else {
        panic!("a QR and a pairing code expected: {events:?}");
    };
    assert_eq!(
        (qr.as_str(), code.as_str()),
        ("2@ref,noise,identity,adv,1", "ABCD-EFGH")
    );
}

#[actix_web::test]
async fn a_pair_success_names_the_phone_and_restarts_at_once() {
    let tracker = Arc::new(Tracker::default());
    let paired = PairSuccess::builder()
        .id(WaJid::pn_device("79001234567", 12))
        .lid(WaJid::lid("100000012345678"))
        .business_name("Shop".into())
        .platform("android".into())
        .build();
    let events = forwarded_tracked(&tracker, false, false, vec![Event::PairSuccess(paired)]).await;
    let [WaEvent::Paired { phone, push_name }] = events.as_slice() else {
        panic!("one Paired expected: {events:?}");
    };
    assert_eq!(phone, "79001234567");
    // The account's push name comes from the client's store (none here), never
    // from the business name.
    assert_eq!(push_name, "");
    // WhatsApp closes the stream after pairing: the attempt starts again at once.
    assert_eq!(end_of(&tracker), SessionEnd::RestartNow);
}

#[actix_web::test]
async fn connected_then_lost_reports_the_reason_for_a_retry() {
    let tracker = Arc::new(Tracker::default());
    let events = forwarded_tracked(
        &tracker,
        false,
        false,
        vec![
            Event::Connected(Connected::builder().build()),
            Event::Disconnected(
                Disconnected::builder()
                    .reason(DisconnectReason::ReadError("reset by peer".into()))
                    .build(),
            ),
        ],
    )
    .await;
    // No client is left to name the phone; the instance keeps the paired one.
    assert!(
        matches!(events.as_slice(), [WaEvent::Connected { phone: None }]),
        "{events:?}"
    );
    let SessionEnd::Disconnected { reason } = end_of(&tracker) else {
        panic!("a lost connection is retried");
    };
    assert!(reason.starts_with("connection lost:"), "{reason}");
    assert!(reason.contains("reset by peer"), "{reason}");
}

#[actix_web::test]
async fn a_refusal_the_engine_retries_is_retried_with_the_refusal() {
    let tracker = Arc::new(Tracker::default());
    let failure = ConnectFailure::builder()
        .reason(ConnectFailureReason::ServiceUnavailable)
        .build();
    let events =
        forwarded_tracked(&tracker, false, false, vec![Event::ConnectFailure(failure)]).await;
    assert!(events.is_empty(), "{events:?}");
    let SessionEnd::Disconnected { reason } = end_of(&tracker) else {
        panic!("a 503 is retried");
    };
    assert!(
        reason.starts_with("WhatsApp refused the connection"),
        "{reason}"
    );
}

/// 400, 409, 413/414, 415, 418, 501 and unknown codes are final, as the
/// engine has them: retrying forever would only be refused again.
#[actix_web::test]
async fn a_final_refusal_halts_with_its_code() {
    for (reason, code) in [
        (ConnectFailureReason::Generic, 400),
        (ConnectFailureReason::BadUserAgent, 409),
        (ConnectFailureReason::Unknown(499), 499),
    ] {
        let failure = ConnectFailure::builder()
            .reason(reason)
            .message("refused here".to_owned())
            .build();
        let events = forwarded(false, vec![Event::ConnectFailure(failure)]).await;
        assert_eq!(
            ends(&events),
            [SessionEnd::Halted(Halt::Refused {
                code,
                reason: "refused here".into()
            })]
        );
    }
}

#[actix_web::test]
async fn a_logout_ends_the_session_as_logged_out() {
    let logged_out = LoggedOut::builder()
        .on_connect(false)
        .reason(ConnectFailureReason::LoggedOut)
        .build();
    let events = forwarded(false, vec![Event::LoggedOut(logged_out)]).await;
    let ended = ends(&events);
    let [SessionEnd::LoggedOut { reason }] = ended.as_slice() else {
        panic!("a logout expected: {events:?}");
    };
    assert!(reason.starts_with("logged out by WhatsApp"), "{reason}");
}

/// A failed scan or code is reported (activity, the status's `error`) and the
/// session stays up for the next attempt; an automatic code refresh is none.
#[actix_web::test]
async fn pairing_failures_are_reported_and_keep_the_session() {
    use whatsapp_rust::types::events::{PairingCodeRefresh, QrScannedWithoutMultidevice};
    let refresh = |force_manual| {
        Event::PairingCodeRefresh(
            PairingCodeRefresh::builder()
                .force_manual(force_manual)
                .build(),
        )
    };
    let events = forwarded(
        false,
        vec![
            Event::QrScannedWithoutMultidevice(QrScannedWithoutMultidevice::builder().build()),
            refresh(true),
            refresh(false),
        ],
    )
    .await;
    let reasons: Vec<String> = events
        .iter()
        .filter_map(|event| match event {
            WaEvent::PairingFailed { reason } => Some(reason.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(reasons.len(), 2, "{events:?}");
    assert!(reasons[0].contains("cannot link devices"), "{reasons:?}");
    assert!(reasons[1].contains("expired"), "{reasons:?}");
    assert!(ends(&events).is_empty());
}
