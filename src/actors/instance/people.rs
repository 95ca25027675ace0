//! One person, one chat (`docs/EXTENSIONS.md`, "People: phone numbers and
//! LIDs"): the instance names a person by phone number wherever it knows it —
//! from what WhatsApp sent beside a LID, or from the session's LID map — and
//! carries the LID beside. What it kept under a LID before it knew the number
//! moves to the number (`db::lid_merge`).

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use actix::prelude::*;

use super::InstanceActor;
use super::record::MessageRecord;
use crate::db::recorder::WriteOp;
use crate::domain::phone::Jid;
use crate::whatsapp::LidEntry;

/// Pairs an actor keeps in memory; past it, it starts again (the session and
/// the contacts still know them).
const MAX_KNOWN_LIDS: usize = 4096;
/// LIDs still kept as chats or authors that are asked again at each connect.
const MAX_LIDS_ASKED_AT_CONNECT: u64 = 500;
/// How long the session's LID map may take to answer one LID.
const LOOKUP_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Default)]
pub(super) struct LidBook {
    phone_by_lid: HashMap<Jid, Jid>,
    lid_by_phone: HashMap<Jid, Jid>,
    /// LIDs asked of this session, so a busy chat is not asked per message.
    asked: HashSet<Jid>,
}

impl LidBook {
    /// True when the pair is new to the book.
    fn learn(&mut self, lid: Jid, phone: Jid) -> bool {
        if self.phone_by_lid.get(&lid) == Some(&phone) {
            return false;
        }
        if self.phone_by_lid.len() >= MAX_KNOWN_LIDS {
            self.phone_by_lid.clear();
            self.lid_by_phone.clear();
        }
        self.lid_by_phone.insert(phone.clone(), lid.clone());
        self.phone_by_lid.insert(lid, phone);
        true
    }

    /// A person by phone number when known, and their LID when known.
    pub fn named(&self, jid: &Jid) -> (Jid, Option<Jid>) {
        if jid.is_lid() {
            let phone = self.phone_by_lid.get(jid).unwrap_or(jid);
            (phone.clone(), Some(jid.clone()))
        } else {
            (jid.clone(), self.lid_by_phone.get(jid).cloned())
        }
    }

    /// A LID whose number is unknown and not yet asked of this session.
    fn first_ask(&mut self, jid: &Jid) -> bool {
        if self.asked.len() >= MAX_KNOWN_LIDS {
            self.asked.clear();
        }
        jid.is_lid() && !self.phone_by_lid.contains_key(jid) && self.asked.insert(jid.clone())
    }
}

/// A LID and the number behind it, as the session's map answered.
fn pair_of(entry: LidEntry) -> Option<(Jid, Jid)> {
    let lid = Jid::parse_lid(&entry.lid)?;
    let phone = Jid::of_phone(&entry.phone)?;
    Some((lid, phone))
}

impl InstanceActor {
    /// WhatsApp named `phone` and `lid` together: the pair is kept, and what
    /// was kept under the LID moves to the number.
    pub(super) fn learn_lid(&mut self, lid: Jid, phone: Jid) {
        // The account's own pair (on what its phone sends) is no contact of its own.
        let own = self.own_jid().is_some_and(|own| own == phone);
        if !lid.is_lid() || phone.is_lid() || phone.is_group() || own {
            return;
        }
        if self.people.learn(lid.clone(), phone.clone()) {
            self.forget_contact(&lid);
            self.deps.recorder.record(WriteOp::MergeLid {
                instance_id: self.id.clone(),
                lid,
                phone,
            });
        }
    }

    /// The message's chat and sender by number where known, the sender's LID beside.
    pub(super) fn name_people_of(&self, record: &mut MessageRecord) {
        let (chat, _) = self.people.named(&record.chat);
        let (sender, sender_lid) = self.people.named(&record.sender);
        record.chat = chat;
        record.sender = sender;
        if !record.from_me && record.sender_lid.is_none() {
            record.sender_lid = sender_lid;
        }
    }

    /// Asks the session for the number behind `jid` when it is an unknown LID.
    /// `in_line`: what arrives next waits for the answer, so a received
    /// message is stored and announced under the number from the start.
    pub(super) fn ask_number_of(&mut self, jid: &Jid, in_line: bool, ctx: &mut Context<Self>) {
        if !self.people.first_ask(jid) {
            return;
        }
        let Some(session) = self.session.clone() else {
            return;
        };
        let ticket = in_line.then(|| self.inbound.ticket());
        let lookup = tokio::time::timeout(LOOKUP_TIMEOUT, session.lid_entry(jid));
        ctx.spawn(lookup.into_actor(self).map(move |answer, actor, ctx| {
            match answer {
                Ok(Ok(Some(entry))) => {
                    if let Some((lid, phone)) = pair_of(entry) {
                        actor.learn_lid(lid, phone);
                    }
                }
                Ok(Ok(None)) => {}
                Ok(Err(err)) => {
                    tracing::debug!(instance_id = %actor.id, error = %err, "LID not looked up");
                }
                Err(_) => tracing::debug!(instance_id = %actor.id, "LID lookup timed out"),
            }
            if let Some(ticket) = ticket {
                actor.waited(ticket, None, ctx);
            }
        }));
    }

    /// Once connected, the LIDs still kept as chats or authors are asked again:
    /// the session may have learned their numbers meanwhile (a history sync, a
    /// message from them to another device).
    pub(super) fn ask_numbers_kept_as_lids(&mut self, ctx: &mut Context<Self>) {
        self.people.asked.clear();
        let (db, instance_id) = (self.deps.db.clone(), self.id.clone());
        let kept = async move {
            crate::db::contacts::kept_as_lids(&db, &instance_id, MAX_LIDS_ASKED_AT_CONNECT).await
        };
        ctx.spawn(kept.into_actor(self).map(|kept, actor, ctx| match kept {
            Ok(lids) => {
                for lid in lids {
                    match actor.people.phone_by_lid.get(&lid).cloned() {
                        // Known, yet still kept under the LID (a name told
                        // under it before): moved now.
                        Some(phone) => actor.deps.recorder.record(WriteOp::MergeLid {
                            instance_id: actor.id.clone(),
                            lid,
                            phone,
                        }),
                        None => actor.ask_number_of(&lid, false, ctx),
                    }
                }
            }
            Err(err) => {
                tracing::warn!(instance_id = %actor.id, error = %err, "LIDs kept as chats not read");
            }
        }));
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used)]

    use super::*;

    fn lid(digits: &str) -> Jid {
        Jid::parse_lid(digits).expect("a LID")
    }

    fn phone(digits: &str) -> Jid {
        Jid::of_phone(digits).expect("a phone")
    }

    #[test]
    fn a_known_lid_names_its_number_and_a_number_its_lid() {
        let mut book = LidBook::default();
        let (dave_lid, dave) = (lid("100000012345678"), phone("15550011004"));
        assert_eq!(
            book.named(&dave_lid),
            (dave_lid.clone(), Some(dave_lid.clone()))
        );
        assert_eq!(book.named(&dave), (dave.clone(), None));
        assert!(book.learn(dave_lid.clone(), dave.clone()));
        assert!(!book.learn(dave_lid.clone(), dave.clone()), "not new twice");
        assert_eq!(
            book.named(&dave_lid),
            (dave.clone(), Some(dave_lid.clone()))
        );
        assert_eq!(book.named(&dave), (dave.clone(), Some(dave_lid)));
    }

    #[test]
    fn only_unknown_lids_are_asked_and_each_once() {
        let mut book = LidBook::default();
        let (known, unknown) = (lid("100000000000001"), lid("100000000000002"));
        book.learn(known.clone(), phone("15550011004"));
        assert!(!book.first_ask(&known));
        assert!(!book.first_ask(&phone("15550011005")));
        assert!(book.first_ask(&unknown));
        assert!(!book.first_ask(&unknown), "asked once");
    }

    #[test]
    fn a_full_book_starts_again_rather_than_growing() {
        let mut book = LidBook::default();
        for n in 0..=MAX_KNOWN_LIDS as u64 {
            let digits = format!("1{n:014}");
            book.learn(lid(&digits), phone(&format!("1555{n:07}")));
        }
        assert!(book.phone_by_lid.len() <= MAX_KNOWN_LIDS);
        assert_eq!(book.phone_by_lid.len(), book.lid_by_phone.len());
    }
}
