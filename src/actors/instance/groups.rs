//! Groups at the instance: what happened in a group is announced, and the
//! group's name in the instance's chats follows it. The services reach the
//! session (group calls and the other calls that change nothing here) through
//! `OnSession`.

use actix::prelude::*;

use super::{InstanceActor, OnSession};
use crate::whatsapp::{GroupChange, GroupNotice, MemberAction, WaContact, WaError};

impl InstanceActor {
    pub(super) fn on_group(&mut self, notice: GroupNotice, ctx: &mut Context<Self>) {
        if self.needs_group_name(&notice) {
            self.name_group(notice.group.clone(), ctx);
        }
        self.publish(notice.into());
    }

    /// A member notice carries no subject: the group is asked for it when the
    /// instance was just added, or does not know the group's name yet. Not on
    /// every join and leave of a busy group: WhatsApp rate-limits its queries.
    fn needs_group_name(&self, notice: &GroupNotice) -> bool {
        let GroupChange::Members {
            action,
            participants,
        } = &notice.change
        else {
            return false;
        };
        let added_me = *action == MemberAction::Add
            && self
                .own_jid()
                .is_some_and(|me| participants.iter().any(|p| p.user() == me.user()));
        let named = self
            .known_contacts
            .get(&notice.group)
            .is_some_and(|name| !name.is_empty());
        added_me || !named
    }

    /// Refreshes the group's name among the instance's chats from WhatsApp.
    pub(super) fn name_group(&mut self, group: crate::domain::phone::Jid, ctx: &mut Context<Self>) {
        let Ok(session) = self.connected_session() else {
            return;
        };
        // A name learned while WhatsApp answers (a rename's notice) is newer than
        // the answer: the answer then changes nothing.
        let known_when_asked = self.known_contacts.get(&group).cloned();
        let asked_for = group.clone();
        let asked = async move { session.group(&group).await };
        ctx.spawn(asked.into_actor(self).map(move |answer, actor, ctx| {
            if actor.known_contacts.get(&asked_for) != known_when_asked.as_ref() {
                return;
            }
            // A group the account just left answers "not found": its chat keeps its name.
            if let Ok(info) = answer {
                actor.on_contact(
                    WaContact {
                        jid: info.id,
                        name: info.subject,
                        is_group: true,
                    },
                    ctx,
                );
            }
        }));
    }
}

impl<T: Send + 'static> Handler<OnSession<T>> for InstanceActor {
    type Result = ResponseFuture<Result<T, WaError>>;

    fn handle(&mut self, OnSession(call): OnSession<T>, _: &mut Self::Context) -> Self::Result {
        match self.connected_session() {
            Ok(session) => call(session),
            Err(_) => Box::pin(std::future::ready(Err(WaError::NotConnected))),
        }
    }
}
