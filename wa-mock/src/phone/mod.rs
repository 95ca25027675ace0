//! Each account's primary phone, played by a whatsapp-rust client of the mock's
//! own: a real Signal device (device 0) that logs in to this server like any
//! other, so what it sends is encrypted and what it receives is decrypted by the
//! same library as wamux's engine. It runs on a runtime of its own.

mod inbox;
mod peer;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use anyhow::{Context, anyhow};
use whatsapp_rust::bot::{Bot, BotHandle};
use whatsapp_rust::transport::TokioWebSocketTransportFactory;
use whatsapp_rust::wacore::store::Device as SeededDevice;
use whatsapp_rust::wacore::store::InMemoryBackend;
use whatsapp_rust::wacore::store::traits::DeviceStore as _;
use whatsapp_rust::{Client, Jid, TokioRuntime};

pub use inbox::InboxEntry;
use inbox::{Inbox, InboxFeed};
pub use peer::protocol;

use crate::world::accounts::phone_signed_identity;
use whatsapp_rust::waproto::whatsapp as wa;

/// A change a phone makes to an earlier message.
pub enum PhoneChange {
    Edit(String),
    Revoke { author: Option<Jid> },
}

/// The version the phones announce (they never look one up).
const PHONE_VERSION: (u32, u32, u32) = (2, 3000, 1_042_742_319);
/// How long a phone may take to log in.
const LOGIN_TIMEOUT: Duration = Duration::from_secs(30);

/// The phones of all accounts, and the runtime their clients run on.
pub struct Phones {
    runtime: tokio::runtime::Handle,
    ws_url: String,
    phones: Mutex<HashMap<String, Arc<Phone>>>,
}

struct Phone {
    client: Arc<Client>,
    inbox: Arc<Inbox>,
    /// Keeps the client running; dropping it stops the phone.
    _running: Mutex<Option<BotHandle>>,
}

impl Phones {
    pub fn new(runtime: tokio::runtime::Handle, ws_url: String) -> Self {
        Self {
            runtime,
            ws_url,
            phones: Mutex::new(HashMap::new()),
        }
    }

    fn get(&self, phone: &str) -> Option<Arc<Phone>> {
        self.phones
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(phone)
            .cloned()
    }

    /// Starts the phone of a new account from the device the account was made
    /// with (its identity key is the account's), and waits until it is online.
    pub async fn start(
        &self,
        phone: &str,
        lid: &str,
        push_name: &str,
        mut seed: SeededDevice,
    ) -> anyhow::Result<()> {
        seed.pn = Some(Jid::pn(phone));
        seed.lid = Some(Jid::lid(lid));
        seed.push_name = push_name.to_owned();
        seed.account = Some(Arc::new(phone_signed_identity(&seed.identity_key)?));
        // The server already holds its signed pre-key; no one-time keys to upload.
        seed.server_has_prekeys = true;
        let ws_url = self.ws_url.clone();
        let started = self
            .runtime
            .spawn(async move { run_phone(seed, ws_url).await })
            .await
            .context("the phone's task failed")??;
        self.phones
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(phone.to_owned(), Arc::new(started));
        Ok(())
    }

    /// The phone writes a text to `to` (a person or a group); the message id.
    pub async fn send_text(&self, phone: &str, to: Jid, text: String) -> anyhow::Result<String> {
        let handle = self
            .get(phone)
            .ok_or_else(|| anyhow!("no phone for {phone}"))?;
        self.runtime
            .spawn(async move {
                handle
                    .client
                    .send_text(to, text)
                    .await
                    .map(|sent| sent.message_id)
                    .map_err(|err| anyhow!("the phone could not send: {err}"))
            })
            .await?
    }

    /// The phone changes the message `target` of chat `to`: `Edit` gives it a
    /// new text, `Revoke` deletes it for everyone (as its sender, or as a group
    /// admin when `author` names whose it is). The phone's client sends what it
    /// is told; whether the change is its to make is for the receiver to judge.
    pub async fn change(
        &self,
        phone: &str,
        to: Jid,
        target: String,
        change: PhoneChange,
    ) -> anyhow::Result<String> {
        use whatsapp_rust::RevokeType;
        let handle = self
            .get(phone)
            .ok_or_else(|| anyhow!("no phone for {phone}"))?;
        self.runtime
            .spawn(async move {
                let client = &handle.client;
                let sent = match change {
                    PhoneChange::Edit(text) => {
                        let text = wa::Message {
                            conversation: Some(text),
                            ..Default::default()
                        };
                        client
                            .edit_message(to, target.clone(), text)
                            .await
                            .map(|_| ())
                    }
                    PhoneChange::Revoke { author: None } => {
                        client
                            .revoke_message(to, target.clone(), RevokeType::Sender)
                            .await
                    }
                    PhoneChange::Revoke {
                        author: Some(original_sender),
                    } => {
                        let admin = RevokeType::Admin { original_sender };
                        client.revoke_message(to, target.clone(), admin).await
                    }
                };
                sent.map(|()| target)
                    .map_err(|err| anyhow!("the phone could not change the message: {err}"))
            })
            .await?
    }

    /// What the phone received and decrypted, oldest first.
    pub fn inbox(&self, phone: &str) -> Option<Vec<InboxEntry>> {
        self.get(phone).map(|handle| handle.inbox.entries())
    }

    /// A companion logged in for the first time: the phone shares its app-state
    /// keys and the chat history (`history`, see `crate::history`) with it, as a
    /// real phone does after linking.
    pub fn welcome(&self, phone: String, device: u16, history: wa::Message) {
        let Some(handle) = self.get(&phone) else {
            return;
        };
        self.runtime.spawn(async move {
            if let Err(err) = peer::welcome(&handle.client, &phone, device, history).await {
                tracing::warn!(
                    phone,
                    device,
                    "the phone could not welcome its new device: {err:#}"
                );
            }
        });
    }
}

async fn run_phone(seed: SeededDevice, ws_url: String) -> anyhow::Result<Phone> {
    let backend = Arc::new(InMemoryBackend::new());
    backend.save(&seed).await?;
    let inbox = Arc::new(Inbox::default());
    let bot = Bot::builder()
        .with_backend_arc(backend)
        .with_transport_factory(TokioWebSocketTransportFactory::new().with_url(ws_url))
        .with_runtime(TokioRuntime)
        .with_version(PHONE_VERSION)
        .with_event_handler(InboxFeed(inbox.clone()))
        .skip_history_sync()
        .build()
        .await?;
    let client = bot.client();
    // A phone in someone's hand: its receipts are not "inactive".
    client.set_force_active_delivery_receipts(true);
    let running = bot.spawn();
    client
        .wait_for_connected(LOGIN_TIMEOUT)
        .await
        .map_err(|err| anyhow!("the phone did not log in: {err}"))?;
    Ok(Phone {
        client,
        inbox,
        _running: Mutex::new(Some(running)),
    })
}
