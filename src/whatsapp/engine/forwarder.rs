//! The engine's event handler: forwards events to the instance actor, inline and
//! in order, and notes what the attempt's end report needs.
//!
//! The client's own event bus owns the forwarder, so the forwarder must never own
//! the client: it sees it through a `Weak` (a strong handle here was the cycle
//! that kept every ended client, its store and its tasks alive for good).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};

use whatsapp_rust::Client;
use whatsapp_rust::types::events::{Event, EventHandler};
use whatsapp_rust::types::presence::ReceiptType;

use super::classify::classify;
use super::convert;
use super::version::{Version, WebVersion};
use crate::domain::phone::Jid;
use crate::whatsapp::{EventSink, Halt, MediaFetch, ReceiptStatus, SessionEnd, WaContact, WaEvent};

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
}

impl Tracker {
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
    received: Received,
    _live: LiveClient,
}

/// What the forwarder does with received messages.
#[derive(Clone)]
pub struct Received {
    /// `whatsapp.status_updates`: status stories stored as messages.
    pub status_updates: bool,
    /// `whatsapp.max_media_bytes`: larger media is not downloaded.
    pub max_media_bytes: u64,
    /// `whatsapp.media_fetch_timeout_ms`: a download's deadline.
    pub download_timeout: std::time::Duration,
    /// The engine's runtime, where downloads run.
    pub runtime: tokio::runtime::Handle,
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
        Self {
            sink,
            tracker,
            client,
            web_version,
            version,
            received,
            _live: LiveClient::new(live),
        }
    }

    fn end(&self, end: SessionEnd) {
        if !self.tracker.ended.swap(true, Ordering::SeqCst) {
            self.sink.emit(WaEvent::Ended(end));
        }
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

    fn message(
        &self,
        message: &whatsapp_rust::waproto::whatsapp::Message,
        info: &whatsapp_rust::types::message::MessageInfo,
    ) {
        match classify(message, info, self.received.status_updates) {
            Ok(mut inbound) => {
                if let Some(media) = inbound.media.as_mut() {
                    media.fetch = Some(self.download(message, media.size));
                }
                self.sink.emit(WaEvent::Message(inbound));
            }
            Err(why) => tracing::debug!(?why, "not a message; not stored"),
        }
    }

    /// The message's media, downloaded on the engine's runtime by this
    /// attempt's client, when the instance stores the message.
    fn download(
        &self,
        message: &whatsapp_rust::waproto::whatsapp::Message,
        size: u64,
    ) -> MediaFetch {
        let Some(part) = convert::downloadable(message) else {
            return MediaFetch::failing("the message carries no downloadable media".into());
        };
        let max = self.received.max_media_bytes;
        if size > max {
            return MediaFetch::failing(format!(
                "the media ({size} bytes) is larger than whatsapp.max_media_bytes ({max})"
            ));
        }
        let client = self.client.clone();
        let timeout = self.received.download_timeout;
        let download = self.received.runtime.spawn(async move {
            let client = live_client(&client).ok_or("the session ended before the download")?;
            let bytes = tokio::time::timeout(timeout, client.download(part.as_ref()))
                .await
                .map_err(|_| format!("the download took longer than {} ms", timeout.as_millis()))?
                .map_err(|err| format!("the download failed: {err}"))?;
            if bytes.len() as u64 > max {
                return Err(format!(
                    "the media is larger than whatsapp.max_media_bytes ({max})"
                ));
            }
            Ok(bytes::Bytes::from(bytes))
        });
        MediaFetch::new(async move {
            download
                .await
                .unwrap_or_else(|_| Err("the download was cancelled".to_owned()))
        })
    }

    fn receipt(&self, receipt: &whatsapp_rust::types::events::Receipt) {
        let status = match receipt.r#type {
            ReceiptType::Delivered => ReceiptStatus::Delivered,
            ReceiptType::Read | ReceiptType::Played => ReceiptStatus::Read,
            _ => return,
        };
        let Some(chat) = convert::ours(&receipt.source.chat) else {
            return;
        };
        self.sink.emit(WaEvent::Receipt {
            message_ids: receipt.message_ids.clone(),
            chat,
            status,
        });
    }

    fn contact(&self, update: &whatsapp_rust::types::events::ContactUpdate) {
        let action = &update.action;
        let jid = action
            .pn_jid
            .as_deref()
            .and_then(Jid::from_whatsapp)
            .or_else(|| convert::ours(&update.jid));
        let Some(jid) = jid else {
            return;
        };
        let name = action
            .full_name
            .clone()
            .or_else(|| action.first_name.clone())
            .unwrap_or_default();
        self.sink.emit(WaEvent::Contact(WaContact {
            jid,
            name,
            is_group: false,
        }));
    }

    /// A contact renamed themselves: the name people see in chats.
    fn push_name(&self, update: &whatsapp_rust::types::events::PushNameUpdate) {
        let source = &update.message.source;
        // The update names a LID when the sender is addressed by one; the phone
        // JID, when known, travels beside it.
        let jid = source
            .sender_alt
            .as_ref()
            .filter(|_| update.jid.is_lid())
            .unwrap_or(&update.jid);
        if let Some(jid) = convert::ours(jid) {
            self.sink.emit(WaEvent::Contact(WaContact {
                jid,
                name: update.new_push_name.clone(),
                is_group: false,
            }));
        }
    }

    fn group(&self, update: &whatsapp_rust::types::events::GroupUpdate) {
        use whatsapp_rust::wacore::stanza::groups::GroupNotificationAction;
        let name = match &update.action {
            GroupNotificationAction::Subject { subject, .. } => subject.clone(),
            _ => String::new(),
        };
        if let Some(jid) = convert::ours(&update.group_jid) {
            self.sink.emit(WaEvent::Contact(WaContact {
                jid,
                name,
                is_group: true,
            }));
        }
    }
}

impl EventHandler for Forwarder {
    fn handle_event(&self, event: Arc<Event>) {
        match &*event {
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
            }
            Event::Disconnected(disconnected) => {
                self.tracker
                    .remember_disconnect(format!("connection lost: {}", disconnected.reason));
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
            Event::Messages(batch) => {
                for message in batch.iter() {
                    self.message(&message.message, &message.info);
                }
            }
            Event::Receipt(receipt) => self.receipt(receipt),
            Event::ContactUpdate(update) => self.contact(update),
            Event::PushNameUpdate(update) => self.push_name(update),
            Event::GroupUpdate(update) => self.group(update),
            _ => {}
        }
    }
}
