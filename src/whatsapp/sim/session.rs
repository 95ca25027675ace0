//! One simulated session: linked first (see `linking`), then connected until a
//! fault or a stop.

use tokio::sync::mpsc;

use super::faults::fault;
use super::linking::{QrOutcome, qr_cycle};
use super::{Command, SimError, SimNetwork};
use crate::db;
use crate::whatsapp::{EventSink, SessionEnd, WaEvent};

pub struct SimSession {
    pub(super) network: SimNetwork,
    pub(super) instance_id: String,
    pub(super) token: u64,
    pub(super) control: mpsc::UnboundedSender<Box<Command>>,
}

impl SimSession {
    pub(super) fn new(
        network: SimNetwork,
        instance_id: String,
        token: u64,
        control: mpsc::UnboundedSender<Box<Command>>,
    ) -> Self {
        Self {
            network,
            instance_id,
            token,
            control,
        }
    }
}

/// Unregisters the session however its task ends (a panic included).
struct Registration {
    network: SimNetwork,
    instance_id: String,
    token: u64,
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.network.unregister(&self.instance_id, self.token);
    }
}

pub(super) async fn run(
    network: SimNetwork,
    instance_id: String,
    token: u64,
    mut commands: mpsc::UnboundedReceiver<Box<Command>>,
    sink: EventSink,
) {
    let _registration = Registration {
        network: network.clone(),
        instance_id: instance_id.clone(),
        token,
    };
    // Database futures are large; boxed, they are freed once done instead of
    // sizing the idle session's state for good. Likewise the QR cycle.
    let permit = network.inner.store_reads.acquire().await;
    let stored = Box::pin(db::sim_sessions::find(&network.inner.db, &instance_id))
        .await
        .map(|stored| stored.map(Box::new));
    drop(permit);
    let stored = match stored {
        Ok(stored) => stored,
        Err(err) => {
            let reason = format!("session store unavailable: {err}");
            sink.emit(WaEvent::Ended(SessionEnd::Disconnected { reason }));
            return;
        }
    };
    // Only the stored pairing has a block list; a new one starts empty. Read
    // here, not before the QR cycle: the idle task's state stays small.
    let (phone, push_name, linked_now, blocked) = match stored {
        Some(stored) => {
            let blocked = db::sim_sessions::blocked(&stored);
            (stored.phone, stored.push_name, false, blocked)
        }
        None => match Box::pin(qr_cycle(&network, &instance_id, &mut commands, &sink)).await {
            QrOutcome::Paired { phone, push_name } => {
                sink.emit(WaEvent::Paired {
                    phone: phone.clone(),
                    push_name: push_name.clone(),
                });
                (phone, push_name, true, Default::default())
            }
            QrOutcome::Over(end) => {
                if let Some(end) = end {
                    sink.emit(WaEvent::Ended(end));
                }
                return;
            }
        },
    };
    if !network.connect(&instance_id, token, &phone, &push_name, blocked) {
        let reason = "another instance is connected as the same phone".to_owned();
        sink.emit(WaEvent::Ended(SessionEnd::Failed { reason }));
        return;
    }
    sink.emit(WaEvent::Connected {
        phone: Some(phone.clone()),
    });
    Box::pin(network.name_groups(&phone, &sink)).await;
    if linked_now {
        network.sync_history(&instance_id, token);
    }
    while let Some(command) = commands.recv().await {
        match *command {
            Command::Scan { reply, .. } => {
                let _ = reply.send(Err(SimError::NoQrPending));
            }
            Command::PairCode { reply } => {
                let _ = reply.send(Err(SimError::AlreadyPaired));
            }
            Command::Fault(kind) => {
                if let Some(end) = Box::pin(fault(&network, &instance_id, kind)).await {
                    sink.emit(WaEvent::Ended(end));
                }
                return;
            }
            Command::Stop => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix::prelude::*;

    struct Sink;
    impl Actor for Sink {
        type Context = Context<Self>;
    }
    impl Handler<crate::whatsapp::SessionEvent> for Sink {
        type Result = ();
        fn handle(&mut self, _: crate::whatsapp::SessionEvent, _: &mut Self::Context) {}
    }

    /// An idle session lives for days: its task must not keep the state of the
    /// (large) database and QR futures it once awaited.
    #[actix_web::test]
    async fn an_idle_session_task_stays_small() {
        let network = SimNetwork::new(
            sea_orm::DatabaseConnection::default(),
            Default::default(),
            crate::whatsapp::model::Reading::from(&crate::config::WhatsappSettings::default()),
        );
        let (_control, commands) = mpsc::unbounded_channel();
        let sink = EventSink::new(Sink.start().recipient(), 1);
        let task = run(network, "x".into(), 1, commands, sink.clone());
        let task_size = std::mem::size_of_val(&task);
        let guarded = crate::whatsapp::run_guarded(Box::pin(task), sink);
        assert!(task_size <= 512, "session task state is {task_size} bytes");
        assert!(std::mem::size_of_val(&guarded) <= 256);
    }
}
