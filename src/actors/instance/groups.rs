//! Groups at the instance: what happened in a group is announced, and the
//! group's name in the instance's chats follows it; the app reaches the
//! session's group calls through `GroupSession`.

use actix::prelude::*;

use super::{GroupSession, InstanceActor, SendMessageError};
use crate::actors::events::EventKind;
use crate::whatsapp::{GroupChange, GroupNotice, WaContact, WaSession};

impl InstanceActor {
    pub(super) fn on_group(&mut self, notice: GroupNotice, ctx: &mut Context<Self>) {
        if matches!(notice.change, GroupChange::Members { .. }) {
            // Added to a group (or its members changed): WhatsApp's notice
            // does not carry the subject, so the chat is named from the group.
            self.name_group(notice.group.clone(), ctx);
        }
        self.publish(EventKind::Group(Box::new(notice)));
    }

    /// Refreshes the group's name among the instance's chats from WhatsApp.
    pub(super) fn name_group(&mut self, group: crate::domain::phone::Jid, ctx: &mut Context<Self>) {
        let Ok(session) = self.connected_session() else {
            return;
        };
        let asked = async move { session.group(&group).await };
        ctx.spawn(asked.into_actor(self).map(|answer, actor, _| {
            // A group the account just left answers "not found": its chat keeps its name.
            if let Ok(info) = answer {
                actor.on_contact(WaContact {
                    jid: info.id,
                    name: info.subject,
                    is_group: true,
                });
            }
        }));
    }
}

impl Handler<GroupSession> for InstanceActor {
    type Result = Result<std::sync::Arc<dyn WaSession>, SendMessageError>;

    fn handle(&mut self, _: GroupSession, _: &mut Self::Context) -> Self::Result {
        self.connected_session()
    }
}
