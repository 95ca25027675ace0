//! The group calls of a simulated session: each runs as the session's
//! connected account on the network's groups.

use futures_util::future::BoxFuture;

use super::stored::info;
use crate::domain::phone::Jid;
use crate::whatsapp::sim::SimNetwork;
use crate::whatsapp::sim::session::SimSession;
use crate::whatsapp::{
    GroupInfo, GroupSettings, GroupSummary, MemberAction, MemberResult, NewGroup, WaError, WaGroups,
};

/// Runs `call` as the connected account of the session.
fn as_me<T: Send + 'static, F>(
    session: &SimSession,
    call: impl FnOnce(SimNetwork, Jid) -> F,
) -> BoxFuture<'static, Result<T, WaError>>
where
    F: Future<Output = Result<T, WaError>> + Send + 'static,
{
    match session.network.own_jid(&session.instance_id, session.token) {
        Ok(me) => Box::pin(call(session.network.clone(), me)),
        Err(err) => Box::pin(std::future::ready(Err(err))),
    }
}

impl WaGroups for SimSession {
    fn groups(&self) -> BoxFuture<'static, Result<Vec<GroupSummary>, WaError>> {
        as_me(self, |network, me| async move { network.list(me).await })
    }

    fn group(&self, id: &Jid) -> BoxFuture<'static, Result<GroupInfo, WaError>> {
        let id = id.clone();
        as_me(self, |network, me| async move {
            let (stored, _) = network.member_view(&id, &me).await?;
            info(&stored)
        })
    }

    fn create_group(&self, group: NewGroup) -> BoxFuture<'static, Result<GroupInfo, WaError>> {
        as_me(self, |network, me| async move {
            network.create(me, group).await
        })
    }

    fn change_group(
        &self,
        id: &Jid,
        settings: GroupSettings,
    ) -> BoxFuture<'static, Result<(), WaError>> {
        let id = id.clone();
        as_me(self, |network, me| async move {
            network.change(me, id, settings).await
        })
    }

    fn change_members(
        &self,
        id: &Jid,
        action: MemberAction,
        people: Vec<Jid>,
    ) -> BoxFuture<'static, Result<Vec<MemberResult>, WaError>> {
        let id = id.clone();
        as_me(self, |network, me| async move {
            network.members(me, id, action, people).await
        })
    }

    fn invite_code(&self, id: &Jid, reset: bool) -> BoxFuture<'static, Result<String, WaError>> {
        let id = id.clone();
        as_me(self, |network, me| async move {
            network.invite(me, id, reset).await
        })
    }

    fn join_group(&self, code: &str) -> BoxFuture<'static, Result<Jid, WaError>> {
        let code = code.to_owned();
        as_me(
            self,
            |network, me| async move { network.join(me, code).await },
        )
    }

    fn leave_group(&self, id: &Jid) -> BoxFuture<'static, Result<(), WaError>> {
        let id = id.clone();
        as_me(
            self,
            |network, me| async move { network.leave(me, id).await },
        )
    }
}
