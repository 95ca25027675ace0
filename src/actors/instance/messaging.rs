//! Sending and receiving: every message is kept, receipts move sent messages
//! forward, and contacts are learned from whatever the session reports.

use actix::prelude::*;
use serde_json::json;

use super::inbound_line::InLine;
use super::record::MessageRecord;
use super::{Flush, InstanceActor, SendMessage, SendMessageError};
use crate::config::{FaultHold, fault_hold};
use crate::db::activity::ActivityAction;
use crate::db::contacts::ContactUpsert;
use crate::db::recorder::WriteOp;
use crate::domain::instance::InstanceStatus;
use crate::domain::phone::Jid;
use crate::domain::text::storable;
use crate::events::{Event, MessageStatusEvent};
use crate::whatsapp::{ImportedHistory, InboundMessage, ReceiptStatus, WaContact, WaError};

/// Contacts an actor remembers having written, so a busy chat is not rewritten per message.
const MAX_KNOWN_CONTACTS: usize = 4096;

/// What WhatsApp delivers is kept, NUL characters replaced (PostgreSQL refuses them).
fn storable_message(mut message: InboundMessage) -> InboundMessage {
    message.body = storable(&message.body);
    message.push_name = storable(&message.push_name);
    if let Some(media) = message.media.as_mut() {
        media.mimetype = storable(&media.mimetype);
        media.filename = media.filename.as_deref().map(storable);
    }
    message
}

impl From<WaError> for SendMessageError {
    fn from(err: WaError) -> Self {
        match err {
            WaError::NotConnected => Self::NotConnected,
            WaError::Rejected(reason) => Self::Rejected(reason),
            WaError::Session(reason) => Self::Failed(reason),
            WaError::GroupNotFound(reason) => Self::GroupNotFound(reason),
            WaError::NotGroupAdmin(reason) => Self::NotGroupAdmin(reason),
        }
    }
}

/// Why a received message's file is missing.
enum MediaNotStored {
    Download(String),
    Write(std::io::Error),
}

impl InstanceActor {
    pub(super) fn on_message(&mut self, message: InboundMessage, ctx: &mut Context<Self>) {
        if let Some(hold) = fault_hold(FaultHold::BeforeKeep) {
            let held = tokio::time::sleep(hold).into_actor(self);
            ctx.wait(held.map(move |(), actor, ctx| actor.keep_message(message, ctx)));
            return;
        }
        self.keep_message(message, ctx);
    }

    fn keep_message(&mut self, message: InboundMessage, ctx: &mut Context<Self>) {
        let message = storable_message(message);
        let row_id = uuid::Uuid::now_v7().to_string();
        if let Some(lid) = message.sender_lid.clone() {
            self.learn_lid(lid, message.sender.clone());
        }
        // What is named only by a LID waits for the session's map (in line).
        self.ask_number_of(&message.chat, true, ctx);
        self.ask_number_of(&message.sender, true, ctx);
        let fetch = message.media.as_ref().and_then(|m| m.fetch.clone());
        let message_id = message.id.clone();
        let path = fetch.as_ref().map(|_| format!("{}/{row_id}", self.id));
        let mut record = MessageRecord::reported(&self.id, message, row_id, path.clone());
        if record.from_me {
            self.deps.metrics.messages_sent.inc();
        } else {
            self.deps.metrics.messages_received.inc();
        }
        match (fetch, path) {
            (Some(fetch), Some(path)) => {
                // The download and the file first, then the row that points at
                // it. The download runs beside the mailbox (bounded in time and
                // size); later received messages wait in line behind it.
                let ticket = self.inbound.ticket();
                let file = self.deps.media_dir.join(&path);
                let store = async move {
                    let bytes = fetch.take().await.map_err(MediaNotStored::Download)?;
                    let write = async {
                        if let Some(dir) = file.parent() {
                            tokio::fs::create_dir_all(dir).await?;
                        }
                        tokio::fs::write(&file, &bytes).await
                    };
                    write.await.map_err(MediaNotStored::Write)
                };
                ctx.spawn(store.into_actor(self).map(move |stored, actor, ctx| {
                    if let Err(failure) = stored {
                        actor.media_not_stored(&message_id, &failure);
                        if let Some(media) = record.media.as_mut() {
                            media.path = None;
                        }
                    }
                    actor.waited(ticket, Some(InLine::Message(Box::new(record))), ctx);
                }));
            }
            _ => self.keep_in_line(record),
        }
    }

    /// Earlier chats from a history sync: kept in the history (a message
    /// already stored, live or from an earlier chunk, stays as it is), never
    /// announced to webhooks or counted as traffic.
    pub(super) fn on_history(&mut self, history: ImportedHistory, ctx: &mut Context<Self>) {
        let (messages, contacts) = (history.messages.len(), history.contacts.len());
        for contact in history.contacts {
            self.on_contact(contact, ctx);
        }
        for message in history.messages {
            let message = storable_message(message);
            if let Some(lid) = message.sender_lid.clone() {
                self.learn_lid(lid, message.sender.clone());
            }
            // Not in line: a chat kept under a LID moves once its number is known.
            self.ask_number_of(&message.chat, false, ctx);
            self.ask_number_of(&message.sender, false, ctx);
            let row_id = uuid::Uuid::now_v7().to_string();
            let mut record = MessageRecord::reported(&self.id, message, row_id, None);
            self.name_people_of(&mut record);
            if !record.from_me {
                self.learn_contact(&record.sender, &record.push_name, false);
            }
            self.learn_contact(&record.chat, "", record.chat.is_group());
            self.deps
                .recorder
                .record(WriteOp::Message(Box::new(record.row())));
        }
        self.activity(
            ActivityAction::HistoryImported,
            json!({"messages": messages, "contacts": contacts}),
        );
    }

    /// The message is stored without its file (`GET …/media` answers 404
    /// `media_not_stored`); a failed download says why in the activity log.
    fn media_not_stored(&self, message_id: &str, failure: &MediaNotStored) {
        match failure {
            MediaNotStored::Download(reason) => {
                tracing::warn!(instance_id = %self.id, message_id, reason, "received media not downloaded");
                self.activity(
                    ActivityAction::MediaDownloadFailed,
                    json!({"messageId": message_id, "reason": reason}),
                );
            }
            MediaNotStored::Write(err) => {
                tracing::error!(instance_id = %self.id, error = %err, "received media not stored");
            }
        }
    }

    /// The contact is written again the next time it is learned (a merge removed it).
    pub(super) fn forget_contact(&mut self, jid: &Jid) {
        self.known_contacts.remove(jid);
    }

    /// Records a contact, unless this actor already recorded it with that name.
    pub(super) fn learn_contact(&mut self, jid: &Jid, name: &str, is_group: bool) {
        match self.known_contacts.get(jid) {
            Some(known) if name.is_empty() || known == name => return,
            _ => {}
        }
        if self.known_contacts.len() >= MAX_KNOWN_CONTACTS {
            self.known_contacts.clear();
        }
        self.known_contacts.insert(jid.clone(), name.to_owned());
        self.deps.recorder.record(WriteOp::Contact(ContactUpsert {
            instance_id: self.id.clone(),
            jid: jid.clone(),
            name: name.to_owned(),
            is_group,
        }));
    }

    /// A receipt moves sent messages forward. Their rows exist already: a send
    /// is written, with its WhatsApp id, before it leaves.
    pub(super) fn on_receipt(
        &mut self,
        message_ids: Vec<String>,
        chat: Jid,
        status: ReceiptStatus,
        ctx: &mut Context<Self>,
    ) {
        self.ask_number_of(&chat, false, ctx);
        let (chat, chat_lid) = self.people.named(&chat);
        for message_id in &message_ids {
            self.publish(Event::MessageStatus(MessageStatusEvent {
                message_id: message_id.clone(),
                status,
                from: chat.clone(),
                from_lid: chat_lid.clone(),
                from_me: true,
            }));
        }
        self.deps.recorder.record(WriteOp::Receipt {
            instance_id: self.id.clone(),
            message_ids,
            status: status.into(),
        });
    }

    /// A name WhatsApp told; a person named by a known LID is their number's contact.
    pub(super) fn on_contact(&mut self, contact: WaContact, ctx: &mut Context<Self>) {
        self.ask_number_of(&contact.jid, false, ctx);
        let (jid, _) = self.people.named(&contact.jid);
        self.learn_contact(&jid, &storable(&contact.name), contact.is_group);
    }
}

impl Handler<SendMessage> for InstanceActor {
    type Result = ResponseActFuture<Self, Result<String, SendMessageError>>;

    /// Writes the message as pending, with its WhatsApp id, before it leaves,
    /// and answers only once WhatsApp took it and that is written down: an
    /// answered send is never lost, and a receipt always finds its row.
    fn handle(&mut self, msg: SendMessage, ctx: &mut Self::Context) -> Self::Result {
        let session = match &self.session {
            Some(session) if self.status == InstanceStatus::Connected => session.clone(),
            _ => return Box::pin(actix::fut::ready(Err(SendMessageError::NotConnected))),
        };
        let to = msg.to;
        let message_id = msg.message_id;
        let mut record =
            MessageRecord::sending(&self.id, message_id.clone(), to.clone(), &msg.content);
        // Sent where the caller said; kept in the chat of the person's number.
        let (chat, _) = self.people.named(&to);
        record.sender = chat.clone();
        record.chat = chat;
        let row = record.row();
        let recorder = self.deps.recorder.clone();
        let row_id = row.id.clone();
        let instance_id = self.id.clone();
        let content = msg.content;
        // Queued now, so a merge the lookup below leads to is written after it.
        let committed = recorder.commit(WriteOp::Message(Box::new(row)));
        self.ask_number_of(&to, false, ctx);
        let work = async move {
            let storage = |err: sea_orm::DbErr| SendMessageError::Storage(err.to_string());
            committed.await.map_err(storage)?;
            let sent = session.send(&message_id, &to, content).await;
            match sent {
                Ok(()) => {
                    recorder
                        .commit(WriteOp::MarkSent {
                            instance_id,
                            row_id,
                        })
                        .await
                        .map_err(storage)?;
                    Ok(message_id)
                }
                Err(err) => {
                    recorder.record(WriteOp::MarkFailed {
                        instance_id,
                        row_id,
                    });
                    Err(SendMessageError::from(err))
                }
            }
        };
        Box::pin(work.into_actor(self).map(move |result, actor, _| {
            if result.as_ref().is_ok_and(|id| !actor.was_refused(id)) {
                actor.learn_contact(&record.chat, "", record.chat.is_group());
                actor.deps.metrics.messages_sent.inc();
                actor.publish(record.event());
            }
            result
        }))
    }
}

impl Handler<Flush> for InstanceActor {
    type Result = ResponseFuture<()>;

    /// Answers once everything this instance did before is written.
    fn handle(&mut self, _: Flush, _: &mut Self::Context) -> Self::Result {
        let recorder = self.deps.recorder.clone();
        Box::pin(async move { recorder.flush().await })
    }
}
