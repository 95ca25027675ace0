//! What the API asks of an instance's session: reconnect, log out, shut
//! down, and a pairing code to link by phone number.

use std::time::{Duration, Instant};

use actix::prelude::*;
use serde_json::json;

use super::supervision::ResetRestarts;
use super::{InstanceActor, Logout, PairingCodeError, Reconnect, RequestPairingCode, Shutdown};
use crate::db::activity::ActivityAction;
use crate::domain::instance::InstanceStatus;

impl Handler<Reconnect> for InstanceActor {
    type Result = ();

    fn handle(&mut self, _: Reconnect, ctx: &mut Self::Context) {
        self.activity(
            ActivityAction::ReconnectRequested,
            json!({"from": self.status}),
        );
        self.deps.supervisor.reset.do_send(ResetRestarts {
            instance_id: self.id.clone(),
        });
        self.qr_cycles = 0;
        self.start_session(ctx);
    }
}

impl Handler<Logout> for InstanceActor {
    type Result = ResponseActFuture<Self, ()>;

    fn handle(&mut self, _: Logout, ctx: &mut Self::Context) -> Self::Result {
        self.cancel_pending_start(ctx);
        let session = self.session.take();
        self.generation += 1;
        Box::pin(
            async move {
                if let Some(session) = session {
                    session.logout().await;
                }
            }
            .into_actor(self)
            .map(|(), actor, _| actor.logged_out("api", "logged out through the API")),
        )
    }
}

impl Handler<Shutdown> for InstanceActor {
    type Result = ResponseActFuture<Self, ()>;

    fn handle(&mut self, msg: Shutdown, ctx: &mut Self::Context) -> Self::Result {
        self.cancel_pending_start(ctx);
        self.generation += 1;
        self.qr = None;
        let session = self.session.take();
        let wipe = msg.wipe_session.then(|| self.deps.backend.wipe(&self.id));
        let id = self.id.clone();
        Box::pin(
            async move {
                if let Some(session) = session {
                    session.shutdown().await;
                }
                if let Some(wipe) = wipe
                    && let Err(err) = wipe.await
                {
                    tracing::error!(instance_id = %id, error = %err, "session store not wiped");
                }
            }
            .into_actor(self)
            .map(|(), _, ctx| ctx.stop()),
        )
    }
}

impl Handler<RequestPairingCode> for InstanceActor {
    type Result = ResponseActFuture<Self, Result<String, PairingCodeError>>;

    fn handle(&mut self, msg: RequestPairingCode, _: &mut Self::Context) -> Self::Result {
        let session = match &self.session {
            Some(session) if self.status == InstanceStatus::Qr => session.clone(),
            _ => {
                let refused = Err(PairingCodeError::NotPairable(self.status));
                return Box::pin(actix::fut::ready(refused));
            }
        };
        let phone = msg.phone.user().to_owned();
        let asked = session.pair_with_code(&phone);
        Box::pin(asked.into_actor(self).map(move |code, actor, _| {
            let code = code.map_err(PairingCodeError::from)?;
            let lifetime = Duration::from_millis(actor.deps.settings.pairing_code_lifetime_ms);
            actor.pairing_code_until = Some(Instant::now() + lifetime);
            actor.activity(ActivityAction::PairingCode, json!({"phone": phone}));
            Ok(code)
        }))
    }
}
