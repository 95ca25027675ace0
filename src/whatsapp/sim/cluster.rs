//! The simulated network across a cluster: its sessions (in the database)
//! restore on any node, and what it carries to an instance connected on
//! another node travels there as a cluster signal, to be read by that node's
//! reader exactly as a local delivery is. Files stay on the media servers of
//! the sender's node, so a file sent across nodes arrives as a message whose
//! download fails (a limit of the simulator, not of the engine).

use std::time::Duration;

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use whatsapp_rust::types::presence::ReceiptType;
use whatsapp_rust::waproto::buffa::Message as _;
use whatsapp_rust::waproto::whatsapp as wa;

use super::SimNetwork;
use super::delivery::{delivery, receipt};
use crate::db;
use crate::db::signals::{self, Signal, Signals};
use crate::domain::phone::Jid;

/// What one node's simulated network hands another's.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Carried {
    Message {
        id: String,
        from: String,
        push_name: String,
        /// The WhatsApp `Message`, protobuf, base64.
        message: String,
        group: Option<String>,
        /// The sender's instance, for the delivery receipt (none for a change).
        receipt_to: Option<String>,
    },
    Receipt {
        ids: Vec<String>,
        chat: String,
        read: bool,
    },
}

impl SimNetwork {
    /// Takes part in a cluster: deliveries for instances here arrive from the
    /// other nodes' simulated networks.
    pub fn join_cluster(&self, signals: Signals) {
        let mut received = signals.subscribe();
        if self.inner.signals.set(signals).is_err() {
            return;
        }
        let network = self.clone();
        tokio::spawn(async move {
            while let Some(signal) = signals::next(&mut received).await {
                if let Signal::Sim { instance_id, event } = signal.as_ref() {
                    network.arrived(instance_id, event);
                }
            }
        });
    }

    /// Carries a message to `phone` when its instance is connected on another
    /// node (the caller found no instance connected as it here).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn send_across(
        &self,
        phone: &str,
        id: &str,
        from: &str,
        push_name: &str,
        message: &wa::Message,
        group: Option<&Jid>,
        receipt_to: Option<&str>,
    ) {
        let carried = Carried::Message {
            id: id.to_owned(),
            from: from.to_owned(),
            push_name: push_name.to_owned(),
            message: base64::engine::general_purpose::STANDARD.encode(message.encode_to_vec()),
            group: group.map(ToString::to_string),
            receipt_to: receipt_to.map(str::to_owned),
        };
        self.carry_to_phone(phone, carried);
    }

    /// A receipt for messages `ids` to the instance connected as `phone` elsewhere.
    pub(super) fn receipt_across(&self, phone: &str, ids: &[String], chat: &Jid, read: bool) {
        let carried = Carried::Receipt {
            ids: ids.to_vec(),
            chat: chat.to_string(),
            read,
        };
        self.carry_to_phone(phone, carried);
    }

    pub(super) fn in_cluster(&self) -> bool {
        self.inner.signals.get().is_some()
    }

    fn carry_to_phone(&self, phone: &str, carried: Carried) {
        let Some(signals) = self.inner.signals.get().cloned() else {
            return;
        };
        let network = self.clone();
        let phone = phone.to_owned();
        tokio::spawn(async move {
            let found = db::sim_sessions::find_by_phone(&network.inner.db, &phone).await;
            match (found, carried) {
                (Ok(Some(session)), carried) => {
                    send(&signals, &session.instance_id, &carried).await
                }
                // A phone outside the simulated network has it: its receipt comes back.
                (
                    Ok(None),
                    Carried::Message {
                        id,
                        receipt_to: Some(sender),
                        ..
                    },
                ) => {
                    let Ok(chat) = Jid::parse(&phone) else { return };
                    let delivered = Carried::Receipt {
                        ids: vec![id],
                        chat: chat.to_string(),
                        read: false,
                    };
                    let delay = Duration::from_millis(network.inner.settings.receipt_delay_ms);
                    tokio::time::sleep(delay).await;
                    if let Ok(event) = serde_json::to_string(&delivered) {
                        network.arrived(&sender, &event);
                    }
                }
                (Ok(None), _) => {}
                (Err(err), _) => {
                    tracing::warn!(error = %err, "simulated delivery: phone not looked up");
                }
            }
        });
    }

    /// Something another node's network carried here, for `instance_id`.
    fn arrived(&self, instance_id: &str, event: &str) {
        let Ok(carried) = serde_json::from_str::<Carried>(event) else {
            tracing::warn!(instance_id, "unreadable simulated delivery ignored");
            return;
        };
        let registry = self.registry();
        let Some(link) = registry.links.get(instance_id) else {
            return;
        };
        match carried {
            Carried::Message {
                id,
                from,
                push_name,
                message,
                group,
                receipt_to,
            } => {
                let Some((me, _)) = link.identity.clone() else {
                    return;
                };
                if link.blocked.contains(&from) {
                    return;
                }
                let decoded = base64::engine::general_purpose::STANDARD
                    .decode(&message)
                    .ok()
                    .and_then(|bytes| wa::Message::decode_from_slice(&bytes).ok());
                let (Some(message), Ok(sender)) = (decoded, Jid::parse(&from)) else {
                    return;
                };
                let group = group.and_then(|group| Jid::parse(&group).ok());
                if let Ok(event) = delivery(&id, &sender, &push_name, message, group.as_ref()) {
                    link.reader.read(&event);
                }
                let Some(sender_instance) = receipt_to else {
                    return;
                };
                let (Some(signals), Ok(chat)) =
                    (self.inner.signals.get().cloned(), Jid::parse(&me))
                else {
                    return;
                };
                // The sender's client hears of it from the chat with us (or the group).
                let chat = group.unwrap_or(chat);
                let delivered = Carried::Receipt {
                    ids: vec![id],
                    chat: chat.to_string(),
                    read: false,
                };
                let delay = Duration::from_millis(self.inner.settings.receipt_delay_ms);
                tokio::spawn(async move {
                    tokio::time::sleep(delay).await;
                    send(&signals, &sender_instance, &delivered).await;
                });
            }
            Carried::Receipt { ids, chat, read } => {
                let kind = if read {
                    ReceiptType::Read
                } else {
                    ReceiptType::Delivered
                };
                if let Ok(chat) = Jid::parse(&chat)
                    && let Ok(event) = receipt(&ids, &chat, kind)
                {
                    link.reader.read(&event);
                }
            }
        }
    }
}

async fn send(signals: &Signals, instance_id: &str, carried: &Carried) {
    let Ok(event) = serde_json::to_string(carried) else {
        return;
    };
    let signal = Signal::Sim {
        instance_id: instance_id.to_owned(),
        event,
    };
    if let Err(err) = signals.send(&signal).await {
        tracing::warn!(instance_id, error = %err, "simulated delivery to another node failed");
    }
}
