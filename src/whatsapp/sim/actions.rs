//! How the simulated network carries what is not a message: read receipts,
//! typing and online states, number lookups, profiles and block lists. Each
//! reaches the other simulated phone as the engine's own `Event`, read by the
//! same `Reader` the engine's events go through.

use std::sync::Arc;

use whatsapp_rust::chrono::Utc;
use whatsapp_rust::types::events::{ChatPresenceUpdate, Event, PresenceUpdate};
use whatsapp_rust::types::message::MessageSource;
use whatsapp_rust::types::presence::{ChatPresence, ChatPresenceMedia, ReceiptType};

use super::SimNetwork;
use super::delivery::receipt;
use crate::db;
use crate::domain::phone::Jid;
use crate::whatsapp::model::{self, Reader};
use crate::whatsapp::{Availability, ChatState, LidEntry, NumberCheck, Profile, ReadMark, WaError};

impl SimNetwork {
    /// The phone JID a connected instance speaks as.
    pub(super) fn own_jid(&self, instance_id: &str, token: u64) -> Result<Jid, WaError> {
        let registry = self.registry();
        let (phone, _) = registry
            .links
            .get(instance_id)
            .filter(|link| link.token == token)
            .and_then(|link| link.identity.clone())
            .ok_or(WaError::NotConnected)?;
        Jid::parse(&phone).map_err(|_| WaError::NotConnected)
    }

    /// The reader of the instance connected as `person`'s phone, if any.
    fn reader_of(&self, person: &Jid) -> Option<Arc<Reader>> {
        let registry = self.registry();
        let instance = registry.phones.get(person.user())?;
        registry
            .links
            .get(instance)
            .map(|link| Arc::clone(&link.reader))
    }

    /// Read receipts go to whoever wrote the messages.
    pub(super) fn mark_read(
        &self,
        instance_id: &str,
        token: u64,
        chat: &Jid,
        marks: Vec<ReadMark>,
    ) -> Result<(), WaError> {
        let me = self.own_jid(instance_id, token)?;
        let mut by_sender: Vec<(Jid, Vec<String>)> = Vec::new();
        for mark in marks {
            match by_sender.iter_mut().find(|(s, _)| *s == mark.sender) {
                Some((_, ids)) => ids.push(mark.message_id),
                None => by_sender.push((mark.sender, vec![mark.message_id])),
            }
        }
        for (sender, ids) in by_sender {
            // The writer's client sees the receipt come from the chat with us
            // (or from the group).
            let their_chat = if chat.is_group() { chat } else { &me };
            match self.reader_of(&sender) {
                Some(reader) => {
                    reader.read(&receipt(&ids, their_chat, ReceiptType::Read)?);
                }
                None if self.in_cluster() => {
                    self.receipt_across(sender.user(), &ids, their_chat, true);
                }
                None => {}
            }
        }
        Ok(())
    }

    /// "Typing…" reaches the person the chat is with.
    pub(super) fn chat_state(
        &self,
        instance_id: &str,
        token: u64,
        chat: &Jid,
        state: ChatState,
    ) -> Result<(), WaError> {
        let me = model::engine_jid(&self.own_jid(instance_id, token)?)?;
        let (state, media) = match state {
            ChatState::Composing => (ChatPresence::Composing, ChatPresenceMedia::Text),
            ChatState::Recording => (ChatPresence::Composing, ChatPresenceMedia::Audio),
            ChatState::Paused => (ChatPresence::Paused, ChatPresenceMedia::Text),
        };
        if let Some(reader) = self.reader_of(chat) {
            let update = ChatPresenceUpdate::builder()
                .source(MessageSource {
                    chat: me.clone(),
                    sender: me,
                    ..Default::default()
                })
                .state(state)
                .media(media)
                .build();
            reader.read(&Event::ChatPresence(update));
        }
        Ok(())
    }

    /// Online or away reaches every other connected phone: on the simulated
    /// network everyone is everyone's contact.
    pub(super) fn set_presence(
        &self,
        instance_id: &str,
        token: u64,
        availability: Availability,
    ) -> Result<(), WaError> {
        let me = model::engine_jid(&self.own_jid(instance_id, token)?)?;
        let update = Event::Presence(
            PresenceUpdate::builder()
                .from(me)
                .unavailable(availability == Availability::Unavailable)
                .maybe_last_seen(Some(Utc::now()))
                .build(),
        );
        let readers: Vec<Arc<Reader>> = {
            let registry = self.registry();
            registry
                .links
                .iter()
                .filter(|(id, link)| id.as_str() != instance_id && link.identity.is_some())
                .map(|(_, link)| Arc::clone(&link.reader))
                .collect()
        };
        for reader in readers {
            reader.read(&update);
        }
        Ok(())
    }

    /// A number is on the simulated WhatsApp when a simulated phone with it
    /// linked an instance.
    pub(super) async fn check_numbers(
        &self,
        phones: Vec<Jid>,
    ) -> Result<Vec<NumberCheck>, WaError> {
        let users: Vec<&str> = phones.iter().map(Jid::user).collect();
        let paired = db::sim_sessions::paired_phones(&self.inner.db, &users)
            .await
            .map_err(|err| WaError::Session(format!("the number check failed: {err}")))?;
        Ok(phones
            .into_iter()
            .map(|phone| {
                let exists = paired.contains(phone.user());
                NumberCheck {
                    jid: exists.then(|| phone.clone()),
                    phone,
                    exists,
                }
            })
            .collect())
    }

    /// A simulated account's LID and number, named by either: every account
    /// the network knows (a linked phone) has the LID `2` followed by its
    /// number padded to 15 digits.
    pub(super) async fn lid_entry(&self, person: &Jid) -> Result<Option<LidEntry>, WaError> {
        let phone = if person.is_lid() {
            match sim_phone_of_lid(person.user()) {
                Some(phone) => phone,
                None => return Ok(None),
            }
        } else {
            person.user().to_owned()
        };
        let paired = db::sim_sessions::paired_phones(&self.inner.db, &[phone.as_str()])
            .await
            .map_err(|err| WaError::Session(format!("the LID lookup failed: {err}")))?;
        Ok(paired.contains(&phone).then(|| LidEntry {
            lid: sim_lid(&phone),
            phone,
        }))
    }

    /// What a simulated phone shows: the name given when it linked.
    pub(super) async fn profile(&self, person: &Jid) -> Result<Profile, WaError> {
        let paired = db::sim_sessions::find_by_phone(&self.inner.db, person.user())
            .await
            .map_err(|err| WaError::Session(format!("the profile could not be read: {err}")))?;
        Ok(Profile {
            name: paired.map(|p| p.push_name).filter(|name| !name.is_empty()),
            about: None,
            picture_url: None,
        })
    }

    /// Blocks or unblocks `person` for the instance's phone, kept with its pairing.
    pub(super) async fn set_blocked(
        &self,
        instance_id: &str,
        token: u64,
        person: &Jid,
        blocked: bool,
    ) -> Result<(), WaError> {
        let list = {
            let mut registry = self.registry();
            let link = registry
                .links
                .get_mut(instance_id)
                .filter(|link| link.token == token && link.identity.is_some())
                .ok_or(WaError::NotConnected)?;
            if blocked {
                link.blocked.insert(person.user().to_owned());
            } else {
                link.blocked.remove(person.user());
            }
            link.blocked.clone()
        };
        db::sim_sessions::set_blocked(&self.inner.db, instance_id, &list)
            .await
            .map_err(|err| WaError::Session(format!("the block list was not saved: {err}")))
    }
}

/// A simulated account's LID: `2`, then its number padded to 15 digits.
fn sim_lid(phone: &str) -> String {
    format!("2{phone:0>15}")
}

/// The number behind a simulated LID (numbers never start with 0).
fn sim_phone_of_lid(lid: &str) -> Option<String> {
    let padded = lid.strip_prefix('2').filter(|rest| rest.len() == 15)?;
    let phone = padded.trim_start_matches('0');
    (!phone.is_empty()).then(|| phone.to_owned())
}

#[cfg(test)]
mod lid_tests {
    #[test]
    fn a_simulated_lid_names_its_number_and_nothing_else() {
        let lid = super::sim_lid("79001234567");
        assert_eq!(lid, "2000079001234567");
        assert_eq!(
            super::sim_phone_of_lid(&lid).as_deref(),
            Some("79001234567")
        );
        assert_eq!(super::sim_phone_of_lid("79001234567"), None);
        assert_eq!(super::sim_phone_of_lid("2000000000000000"), None);
    }
}
