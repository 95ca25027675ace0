//! Received messages are stored and announced in the order WhatsApp gave
//! them, while their media downloads run beside the mailbox: a send, a status
//! read or a group call is answered during a slow download. What arrives
//! behind a download (another message, a change to one, the confirmation that
//! lets the session ack them) waits in line for it.

use std::collections::VecDeque;

use actix::prelude::*;

use super::InstanceActor;
use super::durable::ConfirmKept;
use crate::db::messages::NewMessage;
use crate::db::recorder::WriteOp;
use crate::events::Event;
use crate::whatsapp::MessageChange;

pub(super) enum InLine {
    /// A media message whose download runs; its ticket matches its end.
    Downloading(u64),
    /// A message ready to be stored and announced.
    Message(Box<(NewMessage, Event)>),
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

    /// A place in line for a download that starts now.
    pub fn ticket(&mut self) -> u64 {
        let ticket = self.next_ticket;
        self.next_ticket += 1;
        self.waiting.push_back(InLine::Downloading(ticket));
        ticket
    }

    pub fn park(&mut self, item: InLine) {
        self.waiting.push_back(item);
    }

    /// The download `ticket` ended: its message takes its place in line.
    fn downloaded(&mut self, ticket: u64, message: InLine) {
        let place = self
            .waiting
            .iter_mut()
            .find(|item| matches!(item, InLine::Downloading(t) if *t == ticket));
        if let Some(place) = place {
            *place = message;
        }
    }

    /// The first in line, unless it still downloads.
    fn next_ready(&mut self) -> Option<InLine> {
        match self.waiting.front() {
            None | Some(InLine::Downloading(_)) => None,
            Some(_) => self.waiting.pop_front(),
        }
    }
}

impl InstanceActor {
    /// Stores and announces a received message, in line behind any download.
    pub(super) fn keep_in_line(&mut self, row: NewMessage, event: Event) {
        if self.inbound.is_clear() {
            self.store_received(row, event);
        } else {
            self.inbound.park(InLine::Message(Box::new((row, event))));
        }
    }

    pub(super) fn change_in_line(&mut self, change: MessageChange, ctx: &mut Context<Self>) {
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

    /// Download `ticket` is over (its file written or not): its message and
    /// whatever waited behind it go out, up to the next running download.
    pub(super) fn downloaded(
        &mut self,
        ticket: u64,
        row: NewMessage,
        event: Event,
        ctx: &mut Context<Self>,
    ) {
        self.inbound
            .downloaded(ticket, InLine::Message(Box::new((row, event))));
        while let Some(item) = self.inbound.next_ready() {
            match item {
                InLine::Message(message) => {
                    let (row, event) = *message;
                    self.store_received(row, event);
                }
                InLine::Change(change) => self.on_change(*change, ctx),
                InLine::Confirm(confirm) => self.confirm_kept(confirm, ctx),
                InLine::Downloading(_) => {}
            }
        }
    }

    fn store_received(&mut self, row: NewMessage, event: Event) {
        self.deps.recorder.record(WriteOp::Message(Box::new(row)));
        self.publish(event);
    }
}
