//! The simulated network's controls (only with `whatsapp.backend = "sim"`): the
//! phone that scans, the people who write, the faults of the network.

use super::Deps;
use super::access::{Caller, ask, live_instance, visible_instance, webhooks_durable};
use crate::actors::instance::Flush;
use crate::domain::phone::Jid;
use crate::error::{ApiError, ErrorCode};
use crate::whatsapp::sim::{FaultKind, NextSend, PastMessage, SimError, SimInbound, SimNetwork};

pub struct Sim<'a> {
    deps: &'a Deps,
    network: &'a SimNetwork,
}

fn sim_error(err: SimError) -> ApiError {
    let message = err.to_string();
    let code = match err {
        SimError::NoSession => ErrorCode::NoSession,
        SimError::NoQrPending => ErrorCode::NoQrPending,
        SimError::NotConnected => ErrorCode::InstanceNotConnected,
        SimError::PhoneInUse => ErrorCode::PhoneInUse,
        SimError::AlreadyPaired => ErrorCode::AlreadyPaired,
        SimError::Store(_) => return ApiError::unavailable("the session store is unavailable"),
    };
    ApiError::new(code, message)
}

impl<'a> Sim<'a> {
    pub(super) fn new(deps: &'a Deps) -> Option<Self> {
        deps.sim.as_ref().map(|network| Self { deps, network })
    }

    /// A phone scans the instance's pending QR code.
    pub async fn scan(
        &self,
        caller: &Caller,
        instance_id: &str,
        phone: &Jid,
        push_name: &str,
        history: Vec<PastMessage>,
    ) -> Result<(), ApiError> {
        let instance = visible_instance(self.deps, caller, instance_id).await?;
        self.network
            .scan(&instance.id, phone, push_name, history)
            .await
            .map_err(sim_error)
    }

    pub async fn fault(
        &self,
        caller: &Caller,
        instance_id: &str,
        kind: FaultKind,
        next: NextSend,
    ) -> Result<(), ApiError> {
        let instance = visible_instance(self.deps, caller, instance_id).await?;
        self.network
            .fault(&instance.id, kind, next)
            .map_err(sim_error)
    }

    /// Someone writes to the instance; answers the message's WhatsApp id once it
    /// is stored and its webhook is in the outbox.
    pub async fn inbound(
        &self,
        caller: &Caller,
        instance_id: &str,
        from: &Jid,
        push_name: &str,
        inbound: SimInbound,
    ) -> Result<String, ApiError> {
        let addr = live_instance(self.deps, caller, instance_id)?;
        let id = self
            .network
            .inject_inbound(instance_id, from, push_name, inbound)
            .await
            .map_err(sim_error)?;
        ask(self.deps, &addr, Flush).await?;
        webhooks_durable(self.deps).await?;
        Ok(id)
    }
}
