//! An event on the wire — `{"event", "data", "timestamp"}`, `data` holding
//! `instanceId` and the payload — and which instance settings let it out.

use serde::Serialize;

use super::{Event, InstanceEvent};
use crate::db::instances::WebhookSettings;
use crate::domain::time::iso_millis;
use crate::whatsapp::ReceiptStatus;

/// The body a webhook delivery posts and an event-stream frame carries.
#[derive(Serialize)]
pub struct Envelope<'a> {
    pub event: &'static str,
    pub data: Data<'a>,
    pub timestamp: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Data<'a> {
    pub instance_id: &'a str,
    #[serde(flatten)]
    pub payload: &'a Event,
}

impl InstanceEvent {
    pub fn envelope(&self) -> Envelope<'_> {
        Envelope {
            event: self.event.name(),
            data: Data {
                instance_id: &self.instance_id,
                payload: &self.event,
            },
            timestamp: iso_millis(self.at),
        }
    }

    /// The envelope as JSON text.
    pub fn body(&self) -> String {
        // Strings, numbers and string-keyed maps only: serializing cannot fail.
        serde_json::to_string(&self.envelope()).unwrap_or_default()
    }
}

impl Event {
    /// Whether an instance's webhook flags let this event out. Connection and
    /// QR events always go when webhooks are on.
    pub fn wanted_by(&self, settings: &WebhookSettings) -> bool {
        match self {
            Self::MessageReceived(_) => settings.notify_received,
            Self::MessageSent(_) | Self::MessageFailed(_) => settings.notify_sent,
            Self::MessageStatus(status) => match status.status {
                ReceiptStatus::Delivered => settings.notify_delivery,
                ReceiptStatus::Read => settings.notify_read,
            },
            Self::MessageReaction(_)
            | Self::MessageEdited(_)
            | Self::MessageDeleted(_)
            | Self::PollVote(_) => settings.notify_received,
            Self::Presence(_) => settings.notify_presence,
            Self::GroupParticipants(_) | Self::GroupUpdated(_) => settings.notify_groups,
            Self::ConnectionOpened(_)
            | Self::ConnectionClosed(_)
            | Self::QrReceived(_)
            | Self::AccountRestricted(_) => true,
        }
    }

    /// The instance's connection: the events other nodes of a cluster are told.
    pub fn is_connection(&self) -> bool {
        matches!(
            self,
            Self::ConnectionOpened(_) | Self::ConnectionClosed(_) | Self::QrReceived(_)
        )
    }
}
