//! Answers several services give, typed: what a handler renders and what an
//! `Idempotency-Key` replays.

use serde::Serialize;
use utoipa::ToSchema;

/// Something was done to a named thing.
#[derive(Serialize, ToSchema)]
pub struct Done {
    pub success: bool,
    /// What was done, for a person.
    pub message: String,
}

impl Done {
    pub fn new(message: String) -> Self {
        Self {
            success: true,
            message,
        }
    }
}

/// It worked.
#[derive(Serialize, ToSchema)]
pub struct Success {
    pub success: bool,
}

impl Success {
    pub const OK: Self = Self { success: true };
}

/// A message's WhatsApp id.
#[derive(Serialize, ToSchema)]
pub struct Sent {
    /// The WhatsApp message id (as history, receipts and webhooks name it).
    #[schema(example = "3EB0C258F6AA7F19E2F2C2")]
    pub id: String,
}

/// A send still in flight when the request's time ran out: it goes on, and
/// its `Idempotency-Key` stays bound to this id.
#[derive(Serialize, ToSchema)]
pub struct Sending {
    /// The WhatsApp message id it will have in the history, receipts and webhooks.
    #[schema(example = "3EB0C258F6AA7F19E2F2C2")]
    pub id: String,
    /// Always `sending`: its row and events tell how it ends.
    #[schema(example = "sending")]
    pub status: &'static str,
}

impl Sending {
    pub fn new(id: String) -> Self {
        Self {
            id,
            status: "sending",
        }
    }
}

/// How a send was answered: taken by WhatsApp (200), or still going (202).
#[derive(Serialize)]
#[serde(untagged)]
pub enum SendAnswer {
    Sent(Sent),
    Sending(Sending),
}

impl SendAnswer {
    pub fn status(&self) -> u16 {
        match self {
            Self::Sent(_) => 200,
            Self::Sending(_) => 202,
        }
    }
}

/// How many messages were marked read.
#[derive(Serialize, ToSchema)]
pub struct MarkedRead {
    pub read: usize,
}

/// The answer to a change of a message: a deletion says it worked, the other
/// changes name the message changed.
#[derive(Serialize)]
#[serde(untagged)]
pub enum Changed {
    Sent(Sent),
    Deleted(Success),
}

/// A person's LID beside their phone number; `phone` and `jid` are null while
/// WhatsApp has not told the number.
#[derive(Serialize, ToSchema)]
pub struct LidMapping {
    /// The LID, `…@lid`.
    #[schema(example = "200000007000001@lid")]
    pub lid: String,
    /// The phone number's digits.
    #[schema(example = "79001234567")]
    pub phone: Option<String>,
    /// The phone JID.
    #[schema(example = "79001234567@s.whatsapp.net")]
    pub jid: Option<String>,
}

impl LidMapping {
    /// From the LID's and the phone's digits or JIDs.
    pub fn of(lid: &str, phone: Option<&str>) -> Self {
        let digits = |jid: &str| jid.split('@').next().unwrap_or_default().to_owned();
        let phone = phone.map(digits);
        Self {
            lid: format!("{}@lid", digits(lid)),
            jid: phone.as_ref().map(|p| format!("{p}@s.whatsapp.net")),
            phone,
        }
    }
}
