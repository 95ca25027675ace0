//! Received messages are stored and announced in the order WhatsApp gave
//! them, while their media downloads (and the lookups of the numbers behind
//! LIDs) run beside the mailbox: a send, a status read or a group call is
//! answered meanwhile. What arrives behind one (another message, a change to
//! one, the confirmation that lets the session ack them) waits in line for it.

use std::collections::VecDeque;

use actix::prelude::*;

use super::InstanceActor;
use super::durable::ConfirmKept;
use super::record::MessageRecord;
use crate::db::recorder::WriteOp;
use crate::whatsapp::MessageChange;

pub(super) enum InLine {
    /// A download or a lookup runs; its ticket matches its end.
    Waiting(u64),
    /// A message ready to be stored and announced.
    Message(Box<MessageRecord>),
    Change(Box<MessageChange>),
    Confirm(ConfirmKept),
}

#[derive(Default)]
pub(super) struct InboundLine {
    waiting: VecDeque<InLine>,
    next_ticket: u64,
}

impl InboundLine {
    /// Nothing is waiting for a download: what arrives is handled at once.
    pub fn is_clear(&self) -> bool {
        self.waiting.is_empty()
    }

    /// A place in line for a download or a lookup that starts now.
    pub fn ticket(&mut self) -> u64 {
        let ticket = self.next_ticket;
        self.next_ticket += 1;
        self.waiting.push_back(InLine::Waiting(ticket));
        ticket
    }

    pub fn park(&mut self, item: InLine) {
        self.waiting.push_back(item);
    }

    /// `ticket` ended: what it brought (a downloaded message) takes its place
    /// in line, or the place goes (a lookup).
    fn ended(&mut self, ticket: u64, brought: Option<InLine>) {
        let place = self
            .waiting
            .iter()
            .position(|item| matches!(item, InLine::Waiting(t) if *t == ticket));
        match (place, brought) {
            (Some(place), Some(item)) => self.waiting[place] = item,
            (Some(place), None) => {
                self.waiting.remove(place);
            }
            (None, _) => {}
        }
    }

    /// The first in line, unless it still waits.
    fn next_ready(&mut self) -> Option<InLine> {
        match self.waiting.front() {
            None | Some(InLine::Waiting(_)) => None,
            Some(_) => self.waiting.pop_front(),
        }
    }
}

impl InstanceActor {
    /// Stores and announces a received message, in line behind any download.
    pub(super) fn keep_in_line(&mut self, record: MessageRecord) {
        if self.inbound.is_clear() {
            self.store_received(record);
        } else {
            self.inbound.park(InLine::Message(Box::new(record)));
        }
    }

    pub(super) fn change_in_line(&mut self, change: MessageChange, ctx: &mut Context<Self>) {
        self.ask_number_of(&change.chat, true, ctx);
        self.ask_number_of(&change.from, true, ctx);
        if self.inbound.is_clear() {
            self.on_change(change, ctx);
        } else {
            self.inbound.park(InLine::Change(Box::new(change)));
        }
    }

    pub(super) fn confirm_in_line(&mut self, confirm: ConfirmKept, ctx: &mut Context<Self>) {
        if self.inbound.is_clear() {
            self.confirm_kept(confirm, ctx);
        } else {
            self.inbound.park(InLine::Confirm(confirm));
        }
    }

    /// `ticket` is over (a file written or not, a number looked up or not):
    /// what it brought and whatever waited behind it go out, up to the next
    /// one still running.
    pub(super) fn waited(&mut self, ticket: u64, brought: Option<InLine>, ctx: &mut Context<Self>) {
        self.inbound.ended(ticket, brought);
        while let Some(item) = self.inbound.next_ready() {
            match item {
                InLine::Message(record) => self.store_received(*record),
                InLine::Change(change) => self.on_change(*change, ctx),
                InLine::Confirm(confirm) => self.confirm_kept(confirm, ctx),
                // `next_ready` stops before one.
                InLine::Waiting(_) => {}
            }
        }
    }

    /// Named by number where the instance knows it (`people`), written and announced.
    fn store_received(&mut self, mut record: MessageRecord) {
        self.name_people_of(&mut record);
        if !record.from_me {
            self.learn_contact(&record.sender, &record.push_name, false);
        }
        if record.chat != record.sender || record.from_me {
            self.learn_contact(&record.chat, "", record.chat.is_group());
        }
        self.deps
            .recorder
            .record(WriteOp::Message(Box::new(record.row())));
        self.publish(record.event());
    }
}
