//! What happens to messages after they are sent: reactions, edits, deletions
//! and poll votes — received from others or made by this instance — change the
//! stored message and are announced; presence updates are announced.

use actix::prelude::*;

use super::authorship::{self, Written};
use super::{ApplyChange, InstanceActor, SendMessageError};
use crate::db;
use crate::db::messages::Amendment;
use crate::db::recorder::WriteOp;
use crate::domain::instance::InstanceStatus;
use crate::domain::kinds::MessageDetails;
use crate::domain::phone::Jid;
use crate::domain::text::storable;
use crate::domain::time::now_millis;
use crate::events::{
    Event, MessageDeletedEvent, MessageEditedEvent, MessageReactionEvent, PollVoteEvent,
    PresenceEvent,
};
use crate::whatsapp::{
    ChangeKind, EncryptedVote, MessageChange, OwnChange, PresenceState, WaSession, model,
};

/// How long a group admin's deletion waits for the group's members.
const GROUP_LOOKUP: std::time::Duration = std::time::Duration::from_secs(10);

/// A reaction, an edit, a deletion or a vote on an earlier message.
#[derive(Debug, Clone)]
struct ChangeEvent {
    /// The message changed.
    message_id: String,
    chat: Jid,
    /// Who changed it.
    from: Jid,
    /// Their LID, when known.
    from_lid: Option<Jid>,
    from_me: bool,
    change: ChangeDone,
}

#[derive(Debug, Clone)]
enum ChangeDone {
    /// `emoji` empty: taken back.
    Reaction {
        emoji: String,
    },
    Edited {
        body: String,
    },
    Deleted,
    Voted {
        options: Vec<String>,
    },
}

impl ChangeEvent {
    fn into_event(self) -> Event {
        let Self {
            message_id,
            chat,
            from,
            from_lid,
            from_me,
            change,
        } = self;
        match change {
            ChangeDone::Reaction { emoji } => Event::MessageReaction(MessageReactionEvent {
                message_id,
                chat,
                from,
                from_lid,
                emoji,
                from_me,
            }),
            ChangeDone::Edited { body } => Event::MessageEdited(MessageEditedEvent {
                message_id,
                chat,
                from,
                from_lid,
                body,
                from_me,
            }),
            ChangeDone::Deleted => Event::MessageDeleted(MessageDeletedEvent {
                message_id,
                chat,
                from,
                from_lid,
                from_me,
            }),
            ChangeDone::Voted { options } => Event::PollVote(PollVoteEvent {
                message_id,
                chat,
                voter: from,
                options,
            }),
        }
    }
}

impl InstanceActor {
    /// The JID this instance speaks as, once linked.
    pub(super) fn own_jid(&self) -> Option<Jid> {
        self.phone
            .as_deref()
            .and_then(|phone| Jid::parse(phone).ok())
    }

    pub(super) fn connected_session(
        &self,
    ) -> Result<std::sync::Arc<dyn WaSession>, SendMessageError> {
        match &self.session {
            Some(session) if self.status == InstanceStatus::Connected => Ok(session.clone()),
            _ => Err(SendMessageError::NotConnected),
        }
    }

    /// Stores what was done and announces it.
    fn changed(&mut self, event: ChangeEvent) {
        let amendment = match &event.change {
            ChangeDone::Reaction { emoji } => Amendment::Reaction {
                from: event.from.to_string(),
                emoji: emoji.clone(),
            },
            ChangeDone::Edited { body } => Amendment::Edit {
                body: body.clone(),
                at: now_millis(),
            },
            ChangeDone::Deleted => Amendment::Revoke,
            ChangeDone::Voted { options } => Amendment::Vote {
                voter: event.from.to_string(),
                options: options.clone(),
            },
        };
        self.deps.recorder.record(WriteOp::Amend {
            instance_id: self.id.clone(),
            message_id: event.message_id.clone(),
            amendment,
        });
        if matches!(event.change, ChangeDone::Deleted) {
            self.remove_media_of(&event.message_id);
        }
        self.publish(event.into_event());
    }

    /// Deleted for everyone, a message's file goes too: looked up once the
    /// deletion is written, removed from the media folder.
    fn remove_media_of(&self, message_id: &str) {
        let (db, recorder) = (self.deps.db.clone(), self.deps.recorder.clone());
        let (media_dir, instance_id) = (self.deps.media_dir.clone(), self.id.clone());
        let message_id = message_id.to_owned();
        tokio::spawn(async move {
            recorder.flush().await;
            let Ok(Some(row)) = db::messages::find(&db, &instance_id, &message_id).await else {
                return;
            };
            let Some(path) = row.media_path.filter(|p| row.revoked && !p.contains("..")) else {
                return;
            };
            if let Err(err) = tokio::fs::remove_file(media_dir.join(path)).await {
                tracing::warn!(instance_id, error = %err, "a deleted message's media was not removed");
            }
        });
    }

    pub(super) fn on_change(&mut self, change: MessageChange, ctx: &mut Context<Self>) {
        let MessageChange {
            target_id,
            chat,
            from,
            from_me,
            kind,
            ..
        } = change;
        let (chat, _) = self.people.named(&chat);
        let (from, from_lid) = self.people.named(&from);
        let done = match kind {
            ChangeKind::Reaction { emoji } => ChangeDone::Reaction {
                emoji: storable(&emoji),
            },
            ChangeKind::Edit { body } => {
                let change = ChangeDone::Edited {
                    body: storable(&body),
                };
                let event = ChangeEvent {
                    message_id: target_id,
                    chat,
                    from,
                    from_lid: from_lid.clone(),
                    from_me,
                    change,
                };
                return self.apply_if_allowed(event, ctx);
            }
            ChangeKind::Revoke => {
                let event = ChangeEvent {
                    message_id: target_id,
                    chat,
                    from,
                    from_lid: from_lid.clone(),
                    from_me,
                    change: ChangeDone::Deleted,
                };
                return self.apply_if_allowed(event, ctx);
            }
            ChangeKind::Vote(vote) => {
                let event = ChangeEvent {
                    message_id: target_id,
                    chat,
                    from,
                    from_lid: from_lid.clone(),
                    from_me,
                    change: ChangeDone::Voted {
                        options: Vec::new(),
                    },
                };
                return self.open_vote(event, vote, ctx);
            }
        };
        self.changed(ChangeEvent {
            message_id: target_id,
            chat,
            from,
            from_lid,
            from_me,
            change: done,
        });
    }

    /// An edit or a deletion applies only when its sender may make it
    /// (`authorship`): judged on the stored message once everything before it
    /// is written, the mailbox waiting so later events keep their order. A
    /// change to a message never stored is announced as WhatsApp told it.
    fn apply_if_allowed(&mut self, event: ChangeEvent, ctx: &mut Context<Self>) {
        let (db, recorder) = (self.deps.db.clone(), self.deps.recorder.clone());
        let instance_id = self.id.clone();
        let session = self.session.clone();
        let me = self.own_jid().filter(|_| event.from_me);
        let (target, from, from_me) = (event.message_id.clone(), event.from.clone(), event.from_me);
        let from_lid = event.from_lid.clone();
        let deletion = matches!(event.change, ChangeDone::Deleted);
        let judge = async move {
            recorder.flush().await;
            let row = match db::messages::find(&db, &instance_id, &target).await {
                Ok(Some(row)) => row,
                Ok(None) => return true,
                Err(err) => {
                    tracing::warn!(instance_id, error = %err, "a change's message could not be read; not applied");
                    return false;
                }
            };
            let written = Written {
                from_me: row.from_me,
                chat: &row.remote_jid,
                author: row.author.as_deref(),
                sender_lid: row.sender_lid.as_deref(),
            };
            let by = std::iter::once(&from).chain(from_lid.as_ref());
            if by
                .into_iter()
                .any(|who| authorship::wrote(&written, who, from_me))
            {
                return true;
            }
            let Some(session) = session.filter(|_| deletion && row.remote_jid.ends_with("@g.us"))
            else {
                return false;
            };
            let Ok(group) = Jid::parse(&row.remote_jid) else {
                return false;
            };
            let info = tokio::time::timeout(GROUP_LOOKUP, session.group(&group)).await;
            matches!(info, Ok(Ok(info)) if authorship::is_admin(&info, &from, me.as_ref()))
        };
        ctx.wait(judge.into_actor(self).map(move |allowed, actor, _| {
            if allowed {
                actor.changed(event);
            } else {
                tracing::debug!(instance_id = %actor.id, "an edit or deletion by someone other than the message's author was ignored");
            }
        }));
    }

    /// A vote is opened with its poll's secret, which is stored with the
    /// poll: looked up once everything before it is written, the mailbox
    /// waiting so later events keep their order.
    fn open_vote(&mut self, event: ChangeEvent, vote: EncryptedVote, ctx: &mut Context<Self>) {
        let (db, recorder) = (self.deps.db.clone(), self.deps.recorder.clone());
        let instance_id = self.id.clone();
        let own = self.own_jid();
        let poll_id = event.message_id.clone();
        let open = async move {
            recorder.flush().await;
            let poll = db::messages::find(&db, &instance_id, &poll_id)
                .await
                .ok()??;
            let secret = hex::decode(poll.message_secret.as_deref()?).ok()?;
            let options = MessageDetails::from_json(poll.details.as_deref())
                .poll?
                .options;
            let mut creators: Vec<String> = Vec::new();
            if poll.from_me {
                creators.extend(own.map(|jid| jid.to_string()));
            } else {
                creators.extend(poll.author.clone());
                creators.push(poll.remote_jid.clone());
                creators.extend(poll.sender_lid.clone());
            }
            model::open_vote(&vote, &secret, &poll_id, &creators, &options)
        };
        ctx.wait(open.into_actor(self).map(move |opened, actor, _| match opened {
            Some(options) => actor.changed(ChangeEvent {
                change: ChangeDone::Voted { options },
                ..event
            }),
            None => tracing::warn!(instance_id = %actor.id, "a poll vote could not be opened; poll unknown"),
        }));
    }

    pub(super) fn on_presence(
        &mut self,
        chat: Jid,
        from: Jid,
        state: PresenceState,
        ctx: &mut Context<Self>,
    ) {
        self.ask_number_of(&from, false, ctx);
        let (chat, _) = self.people.named(&chat);
        let (from, from_lid) = self.people.named(&from);
        self.publish(Event::Presence(PresenceEvent {
            chat,
            from,
            from_lid,
            state,
        }));
    }
}

impl Handler<ApplyChange> for InstanceActor {
    type Result = ResponseActFuture<Self, Result<(), SendMessageError>>;

    fn handle(&mut self, msg: ApplyChange, _: &mut Self::Context) -> Self::Result {
        let (Ok(session), Some(me)) = (self.connected_session(), self.own_jid()) else {
            return Box::pin(actix::fut::ready(Err(SendMessageError::NotConnected)));
        };
        let ApplyChange { chat, change } = msg;
        let message_id = change.message_id().to_owned();
        let done = match &change {
            OwnChange::React { emoji, .. } => ChangeDone::Reaction {
                emoji: emoji.clone(),
            },
            OwnChange::Edit { text, .. } => ChangeDone::Edited { body: text.clone() },
            OwnChange::Revoke { .. } => ChangeDone::Deleted,
            OwnChange::Vote { options, .. } => ChangeDone::Voted {
                options: options.clone(),
            },
        };
        let sent = session.change(&chat, change);
        Box::pin(sent.into_actor(self).map(move |sent, actor, _| {
            sent.map_err(SendMessageError::from)?;
            actor.changed(ChangeEvent {
                message_id,
                chat,
                from: me,
                from_lid: None,
                from_me: true,
                change: done,
            });
            Ok(())
        }))
    }
}
