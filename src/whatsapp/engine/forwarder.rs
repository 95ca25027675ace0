//! The engine's event handler: forwards events to the instance actor, inline and
//! in order, and notes what the attempt's end report needs.
//!
//! The client's own event bus owns the forwarder, so the forwarder must never own
//! the client: it sees it through a `Weak` (a strong handle here was the cycle
//! that kept every ended client, its store and its tasks alive for good).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};

use futures_util::future::BoxFuture;
use whatsapp_rust::Client;
use whatsapp_rust::download::Downloadable;
use whatsapp_rust::types::events::{ConnectFailureReason, Event, EventHandler};

use super::durability::KeepBeforeAck;
use super::version::{Version, WebVersion};
use crate::whatsapp::model::{self, MediaSource, Reader, Reading};

/// How long listing the groups after connecting may take.
const GROUP_LISTING_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
use crate::whatsapp::{EventSink, Halt, SessionEnd, WaEvent};

/// Where an attempt's client can be reached while it lives, without keeping it alive.
pub type ClientSlot = Arc<OnceLock<Weak<Client>>>;

pub fn live_client(slot: &ClientSlot) -> Option<Arc<Client>> {
    slot.get().and_then(Weak::upgrade)
}

/// What the forwarder learned, read when the client's run loop ends.
#[derive(Default)]
pub struct Tracker {
    pub connected: AtomicBool,
    pub paired: AtomicBool,
    /// A terminal event (logged out, QR exhausted, conflict) was already sent.
    pub ended: AtomicBool,
    pub last_disconnect: Mutex<Option<String>>,
    /// WhatsApp rate-limited the connection (`<stream:error code="429">`).
    pub rate_limited: AtomicBool,
    /// Keeps the engine forwarding raw stanzas: a 429 raises no event of its own.
    pub raw_stanzas: Mutex<Option<whatsapp_rust::RawNodeLease>>,
    /// What a panic in one of the client's tasks said: the first one.
    crash: Mutex<Option<String>>,
    /// Wakes the attempt when a task panicked.
    pub crash_signal: tokio::sync::Notify,
}

impl Tracker {
    /// A task of the client panicked: the attempt ends as a crash.
    pub fn crashed(&self, reason: String) {
        tracing::error!(%reason, "a WhatsApp engine task panicked");
        let mut crash = self
            .crash
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if crash.is_none() {
            *crash = Some(reason);
        }
        self.crash_signal.notify_one();
    }

    pub fn take_crash(&self) -> Option<String> {
        self.crash
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
    }

    pub fn remember_disconnect(&self, reason: String) {
        *self
            .last_disconnect
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(reason);
    }

    pub fn take_last_disconnect(&self) -> Option<String> {
        self.last_disconnect
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
    }
}

/// Counts engine clients that still exist. A forwarder lives exactly as long as
/// its client (the client's event bus holds it), so each forwarder holds one count.
#[derive(Default)]
pub struct LiveClients(AtomicUsize);

impl LiveClients {
    pub fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

struct LiveClient(Arc<LiveClients>);

impl LiveClient {
    fn new(live: Arc<LiveClients>) -> Self {
        live.0.fetch_add(1, Ordering::SeqCst);
        Self(live)
    }
}

impl Drop for LiveClient {
    fn drop(&mut self) {
        self.0.0.fetch_sub(1, Ordering::SeqCst);
    }
}

pub struct Forwarder {
    sink: EventSink,
    tracker: Arc<Tracker>,
    client: ClientSlot,
    web_version: Arc<WebVersion>,
    /// The version this attempt announced.
    version: Version,
    reader: Arc<Reader>,
    /// The engine's runtime, where the forwarder's own requests run.
    runtime: tokio::runtime::Handle,
    _live: LiveClient,
}

/// What the forwarder does with received messages.
#[derive(Clone)]
pub struct Received {
    pub reading: Reading,
    /// The engine's runtime, where downloads run.
    pub runtime: tokio::runtime::Handle,
}

/// Media downloaded from WhatsApp's servers by the attempt's client.
struct ClientMedia {
    client: ClientSlot,
    runtime: tokio::runtime::Handle,
}

impl MediaSource for ClientMedia {
    fn download(&self, part: Box<dyn Downloadable>) -> BoxFuture<'static, Result<Vec<u8>, String>> {
        let client = self.client.clone();
        let download = self.runtime.spawn(async move {
            let client = live_client(&client).ok_or("the session ended before the download")?;
            client
                .download(part.as_ref())
                .await
                .map_err(|err| err.to_string())
        });
        // Given up (a timeout, a stop): the download on the engine's runtime goes too.
        let abort = AbortOnDrop(download.abort_handle());
        Box::pin(async move {
            let _abort = abort;
            download
                .await
                .unwrap_or_else(|_| Err("the download was cancelled".to_owned()))
        })
    }
}

struct AbortOnDrop(tokio::task::AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Forwarder {
    pub fn new(
        sink: EventSink,
        tracker: Arc<Tracker>,
        client: ClientSlot,
        web_version: Arc<WebVersion>,
        version: Version,
        live: Arc<LiveClients>,
        received: Received,
    ) -> Self {
        let media = ClientMedia {
            client: client.clone(),
            runtime: received.runtime.clone(),
        };
        Self {
            runtime: received.runtime,
            reader: Arc::new(Reader::new(sink.clone(), received.reading, Arc::new(media))),
            sink,
            tracker,
            client,
            web_version,
            version,
            _live: LiveClient::new(live),
        }
    }

    /// The hook that holds WhatsApp's acks until the instance kept what arrived.
    pub fn keep_before_ack(&self) -> KeepBeforeAck {
        KeepBeforeAck::new(self.reader.clone(), self.sink.clone())
    }

    fn end(&self, end: SessionEnd) {
        if !self.tracker.ended.swap(true, Ordering::SeqCst) {
            self.sink.emit(WaEvent::Ended(end));
        }
    }

    /// Names the account's groups once connected: WhatsApp tells of a group's
    /// subject only when it changes, so a chat would otherwise stay unnamed.
    fn list_groups(&self) {
        let (slot, sink) = (self.client.clone(), self.sink.clone());
        self.runtime.spawn(async move {
            let Some(client) = live_client(&slot) else {
                return;
            };
            let groups = client.groups();
            let listed = tokio::time::timeout(GROUP_LISTING_TIMEOUT, groups.get_participating());
            match listed.await {
                Ok(Ok(groups)) => {
                    let named = groups
                        .iter()
                        .map(|(jid, group)| (jid, group.subject.as_str()));
                    for contact in model::group_contacts(named) {
                        sink.emit(WaEvent::Contact(contact));
                    }
                }
                Ok(Err(err)) => tracing::warn!(error = %err, "listing the groups failed"),
                Err(_) => tracing::warn!("listing the groups timed out"),
            }
        });
    }

    fn client_outdated(&self) {
        let announced = super::version::dotted(self.version);
        if self.web_version.is_configured() {
            self.end(SessionEnd::Halted(Halt::Outdated { version: announced }));
        } else {
            // A fresh lookup may fix it: retried like any disconnect.
            self.web_version.outdated(self.version);
            self.end(SessionEnd::Disconnected {
                reason: format!("WhatsApp refused version {announced} as outdated"),
            });
        }
    }
}

impl EventHandler for Forwarder {
    fn handle_event(&self, event: Arc<Event>) {
        // Caught here, a panic would otherwise kill whichever engine task
        // dispatches events, and the session would hang or read as a disconnect.
        let handled = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            if let Event::RawNode(node) = event.as_ref() {
                self.watch_stream_errors(node);
            } else if !self.reader.read(&event) {
                self.connection(&event);
            }
        }));
        if let Err(panic) = handled {
            let reason = crate::whatsapp::panic_message(panic.as_ref());
            self.tracker
                .crashed(format!("the event forwarder panicked: {reason}"));
        }
    }
}

/// A refusal the engine does not retry (`should_reconnect` false), other than
/// those with events of their own: a logout (401, 403, 406), a ban (402) and
/// an outdated client (405).
fn is_final(reason: ConnectFailureReason) -> bool {
    use ConnectFailureReason::{ClientOutdated, TempBanned};
    !reason.should_reconnect()
        && !reason.is_logged_out()
        && !matches!(reason, TempBanned | ClientOutdated)
}

impl Forwarder {
    /// A rate limit (429) is the one stream error the engine keeps to itself:
    /// the attempt's end then asks the supervisor for the longer backoff.
    fn watch_stream_errors(&self, node: &whatsapp_rust::OwnedNodeRef) {
        let node = node.get();
        if node.tag.as_ref() != "stream:error" {
            return;
        }
        if node
            .get_attr("code")
            .is_some_and(|code| code.as_str() == "429")
        {
            self.tracker.rate_limited.store(true, Ordering::SeqCst);
        }
    }

    /// The connection's own events: linking, connecting, and how it ended.
    fn connection(&self, event: &Event) {
        match event {
            Event::PairingQrCode(qr) => self.sink.emit(WaEvent::Qr {
                code: qr.code.clone(),
            }),
            // `disconnected: false`: the engine kept the socket for a pairing
            // code in flight (it lives 180 s, longer than the QR codes).
            Event::PairingQrCodesExhausted(exhausted) if !exhausted.disconnected => {
                self.sink.emit(WaEvent::QrCodesOut);
            }
            Event::PairingQrCodesExhausted(_) => self.end(SessionEnd::QrExhausted),
            Event::PairingCode(code) => self.sink.emit(WaEvent::PairingCode {
                code: code.code.clone(),
            }),
            Event::PairError(failed) => self.sink.emit(WaEvent::PairingFailed {
                reason: format!("linking failed: {}", failed.error),
            }),
            Event::PairingCodeError(failed) => self.sink.emit(WaEvent::PairingFailed {
                reason: format!("the pairing code was refused: {}", failed.error),
            }),
            Event::PairingCodeRefresh(refresh) if refresh.force_manual => {
                self.sink.emit(WaEvent::PairingFailed {
                    reason: "the pairing code expired: request a new one".to_owned(),
                });
            }
            Event::QrScannedWithoutMultidevice(_) => self.sink.emit(WaEvent::PairingFailed {
                reason: "the phone that scanned cannot link devices: update WhatsApp on it"
                    .to_owned(),
            }),
            Event::PairSuccess(paired) => {
                self.tracker.paired.store(true, Ordering::SeqCst);
                // The account's own display name, once the store has it; the
                // business name is another thing (and empty for most accounts).
                let push_name = live_client(&self.client)
                    .map(|client| client.push_name())
                    .unwrap_or_default();
                self.sink.emit(WaEvent::Paired {
                    phone: paired.id.user.to_string(),
                    push_name,
                });
            }
            Event::Connected(_) => {
                self.tracker.connected.store(true, Ordering::SeqCst);
                let phone = live_client(&self.client)
                    .and_then(|client| client.pn())
                    .map(|jid| jid.user.to_string());
                self.sink.emit(WaEvent::Connected { phone });
                self.list_groups();
            }
            Event::Disconnected(disconnected) => {
                self.tracker
                    .remember_disconnect(format!("connection lost: {}", disconnected.reason));
            }
            Event::ConnectFailure(failure) if is_final(failure.reason) => {
                let reason = failure
                    .message
                    .clone()
                    .unwrap_or_else(|| format!("{:?}", failure.reason));
                self.end(SessionEnd::Halted(Halt::Refused {
                    code: failure.reason.code(),
                    reason,
                }));
            }
            Event::ConnectFailure(failure) => {
                self.tracker.remember_disconnect(format!(
                    "WhatsApp refused the connection: {:?}",
                    failure.reason
                ));
            }
            Event::LoggedOut(logged_out) => self.end(SessionEnd::LoggedOut {
                reason: format!("logged out by WhatsApp: {:?}", logged_out.reason),
            }),
            Event::StreamReplaced(_) => self.end(SessionEnd::Halted(Halt::Replaced)),
            Event::TemporaryBan(ban) => self.end(SessionEnd::Halted(Halt::Banned {
                code: ban.code.code(),
                reason: ban.code.to_string(),
                expires_in_secs: u64::try_from(ban.expire.num_seconds()).unwrap_or(0),
            })),
            Event::ClientOutdated(_) => self.client_outdated(),
            _ => {}
        }
    }
}
