//! The session state machine: connecting -> qr -> connected -> disconnected ->
//! connecting ..., and the rests `logged_out` and `failed`.

use std::time::{Duration, Instant};

use actix::prelude::*;
use serde_json::json;

use super::InstanceActor;
use super::retry_log::Loudness;
use super::supervision::DecideRestart;
use crate::actors::policy::{Decision, RestartKind};
use crate::db::activity::ActivityAction;
use crate::domain::instance::InstanceStatus;
use crate::events::{ConnectionClosedEvent, ConnectionOpenedEvent, Event, QrReceivedEvent};
use crate::whatsapp::{EventSink, Halt, SessionEnd, SessionEvent, WaEvent};

impl InstanceActor {
    pub(super) fn start_session(&mut self, ctx: &mut Context<Self>) {
        self.cancel_pending_start(ctx);
        self.end_session();
        self.generation += 1;
        self.pairing_code_until = None;
        let sink = EventSink::new(ctx.address().recipient(), self.generation);
        self.session = Some(self.deps.backend.start(&self.id, sink));
        self.activity(ActivityAction::Connecting, json!({}));
        self.set_status(InstanceStatus::Connecting);
    }

    /// Ends the current session, if any, without waiting for it.
    pub(super) fn end_session(&mut self) {
        self.qr = None;
        if let Some(session) = self.session.take() {
            actix::spawn(session.shutdown());
        }
    }

    pub(super) fn cancel_pending_start(&mut self, ctx: &mut Context<Self>) {
        if let Some(handle) = self.pending_start.take() {
            ctx.cancel_future(handle);
        }
    }

    pub(super) fn schedule_restart(
        &mut self,
        delay: Duration,
        attempt: u32,
        reason: &str,
        ctx: &mut Context<Self>,
    ) {
        self.deps.metrics.session_restarts.inc();
        let backoff_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
        self.activity(
            ActivityAction::SessionRestarted,
            json!({"attempt": attempt, "backoffMs": backoff_ms, "reason": reason}),
        );
        self.set_status(InstanceStatus::Disconnected);
        self.cancel_pending_start(ctx);
        self.pending_start = Some(ctx.run_later(delay, |actor, ctx| {
            actor.pending_start = None;
            actor.start_session(ctx);
        }));
    }

    pub(super) fn on_session_end(&mut self, end: SessionEnd, ctx: &mut Context<Self>) {
        self.session = None;
        self.qr = None;
        match end {
            SessionEnd::QrExhausted => {
                self.qr_cycles += 1;
                if self.qr_cycles < self.deps.settings.qr_max_cycles {
                    self.activity(ActivityAction::QrExpired, json!({"cycle": self.qr_cycles}));
                    self.start_session(ctx);
                } else {
                    self.activity(ActivityAction::QrTimeout, json!({"cycles": self.qr_cycles}));
                    self.set_status(InstanceStatus::Disconnected);
                    tracing::info!(instance_id = %self.id, "QR never scanned; resting until reconnect");
                }
            }
            SessionEnd::RestartNow => self.start_session(ctx),
            SessionEnd::LoggedOut { reason } => self.logged_out("phone", &reason),
            SessionEnd::Disconnected { reason } => {
                self.after_failure(RestartKind::Disconnect, reason, ctx)
            }
            SessionEnd::RateLimited { reason } => {
                self.after_failure(RestartKind::RateLimited, reason, ctx)
            }
            SessionEnd::Failed { reason } => self.after_failure(RestartKind::Crash, reason, ctx),
            SessionEnd::Halted(halt) => self.halted(&halt),
        }
    }

    /// The QR codes ran out with a pairing code still out: the session waits,
    /// without a QR to show, until the code expires, then ends as if the QR
    /// cycle had (a new cycle, or rest after `qr_max_cycles`).
    fn wait_for_pairing_code(&mut self, ctx: &mut Context<Self>) {
        self.qr = None;
        self.set_status(InstanceStatus::Qr);
        let left = self
            .pairing_code_until
            .map(|until| until.saturating_duration_since(Instant::now()))
            .unwrap_or_default();
        let generation = self.generation;
        ctx.run_later(left, move |actor, ctx| {
            if actor.generation == generation && actor.status == InstanceStatus::Qr {
                actor.end_session();
                actor.on_session_end(SessionEnd::QrExhausted, ctx);
            }
        });
    }

    /// No restart: the status says `failed`, the activity entry says why and
    /// what to do, and `reconnect` starts afresh once the cause is dealt with.
    fn halted(&mut self, halt: &Halt) {
        let reason = halt.reason();
        if self.status == InstanceStatus::Connected {
            self.activity(
                ActivityAction::ConnectionClosed,
                json!({"reason": reason, "willReconnect": false}),
            );
            self.publish(Event::ConnectionClosed(ConnectionClosedEvent {
                reason: reason.clone(),
                will_reconnect: false,
            }));
        }
        let (action, details) = match halt {
            Halt::Replaced => (ActivityAction::SessionReplaced, json!({"reason": reason})),
            Halt::Banned {
                code,
                expires_in_secs,
                ..
            } => (
                ActivityAction::TemporarilyBanned,
                json!({"reason": reason, "code": code, "expiresInSecs": expires_in_secs}),
            ),
            Halt::Outdated { version } => (
                ActivityAction::ClientOutdated,
                json!({"reason": reason, "version": version}),
            ),
            Halt::Refused { code, .. } => (
                ActivityAction::ConnectRefused,
                json!({"reason": reason, "code": code}),
            ),
        };
        tracing::warn!(instance_id = %self.id, reason, "WhatsApp stopped the session; no restart until reconnect");
        self.activity(action, details);
        self.set_status(InstanceStatus::Failed);
    }

    fn after_failure(&mut self, kind: RestartKind, reason: String, ctx: &mut Context<Self>) {
        // The status changes once the decision is in, after connection_closed
        // (no other message is handled meanwhile).
        let was_connected = self.status == InstanceStatus::Connected;
        let decision = DecideRestart {
            instance_id: self.id.clone(),
            kind,
        };
        let fallback = Decision::Retry {
            attempt: 1,
            backoff: Duration::from_millis(self.deps.settings.backoff_initial_ms),
        };
        let asked = self
            .deps
            .supervisor
            .decide
            .send(decision)
            .into_actor(self)
            .map(move |decision, actor, ctx| {
                let decision = decision.unwrap_or(fallback);
                let will_reconnect = matches!(decision, Decision::Retry { .. });
                if was_connected {
                    actor.activity(
                        ActivityAction::ConnectionClosed,
                        json!({"reason": reason, "willReconnect": will_reconnect}),
                    );
                    actor.publish(Event::ConnectionClosed(ConnectionClosedEvent {
                        reason: reason.clone(),
                        will_reconnect,
                    }));
                }
                match decision {
                    Decision::Retry { attempt, backoff } => {
                        actor.log_retry(attempt, backoff, &reason);
                        actor.schedule_restart(backoff, attempt, &reason, ctx);
                    }
                    Decision::GiveUp { crashes } => actor.give_up(crashes, &reason),
                }
            });
        // Nothing else is handled until the decision is in: no half-restarted states.
        ctx.wait(asked);
    }

    /// One line when a streak of failures starts or changes reason, then one a
    /// minute at most: an instance cut off from WhatsApp must not fill the log.
    fn log_retry(&mut self, attempt: u32, backoff: Duration, reason: &str) {
        let backoff_ms = u64::try_from(backoff.as_millis()).unwrap_or(u64::MAX);
        let id = &self.id;
        match self.retry_log.failed(reason, Instant::now()) {
            Loudness::Changed => {
                tracing::warn!(instance_id = %id, attempt, backoff_ms, reason, "session down; retrying with backoff");
            }
            Loudness::Summary { attempts } => {
                tracing::warn!(instance_id = %id, attempts_since_last_line = attempts, backoff_ms, reason, "session still down; retrying");
            }
            Loudness::Quiet => {
                tracing::debug!(instance_id = %id, attempt, backoff_ms, reason, "restarting session");
            }
        }
    }

    fn give_up(&mut self, crashes: u32, reason: &str) {
        self.deps.metrics.supervisor_give_ups.inc();
        tracing::error!(instance_id = %self.id, crashes, reason, "supervisor gave up on the session");
        self.activity(
            ActivityAction::SupervisorGaveUp,
            json!({
                "crashes": crashes,
                "maxRestarts": self.deps.settings.max_restarts,
                "windowSecs": self.deps.settings.restart_window_secs,
                "reason": reason,
            }),
        );
        self.set_status(InstanceStatus::Failed);
    }

    pub(super) fn logged_out(&mut self, by: &str, reason: &str) {
        self.end_session();
        let was_logged_out = self.status == InstanceStatus::LoggedOut;
        self.phone = None;
        let wipe = self.deps.backend.wipe(&self.id);
        let id = self.id.clone();
        actix::spawn(async move {
            if let Err(err) = wipe.await {
                tracing::error!(instance_id = %id, error = %err, "session store not wiped");
            }
        });
        if !was_logged_out {
            self.activity(
                ActivityAction::LoggedOut,
                json!({"by": by, "reason": reason}),
            );
            self.publish(Event::ConnectionClosed(ConnectionClosedEvent {
                reason: "logout".into(),
                will_reconnect: false,
            }));
        }
        self.set_status(InstanceStatus::LoggedOut);
    }

    pub(super) fn publish(&self, event: Event) {
        self.deps.events.publish(&self.id, event);
    }

    fn on_connected(&mut self, phone: Option<String>) {
        if phone.is_some() {
            self.phone = phone;
        }
        self.qr = None;
        self.qr_cycles = 0;
        if let Some(failed_attempts) = self.retry_log.recovered() {
            tracing::info!(instance_id = %self.id, failed_attempts, "session connected again");
        }
        self.activity(
            ActivityAction::ConnectionOpened,
            json!({"phone": self.phone}),
        );
        self.publish(Event::ConnectionOpened(ConnectionOpenedEvent {}));
        self.set_status(InstanceStatus::Connected);
    }
}

impl Handler<SessionEvent> for InstanceActor {
    type Result = ();

    fn handle(&mut self, event: SessionEvent, ctx: &mut Self::Context) {
        if event.generation != self.generation {
            return;
        }
        match event.event {
            WaEvent::Qr { code } => {
                if self.deps.qr_terminal
                    && let Some(drawing) = crate::qr::terminal(&code)
                {
                    // For the operator at the console; not a log line.
                    println!(
                        "QR code for instance {} (WhatsApp > Linked devices):\n{drawing}",
                        self.id
                    );
                }
                self.qr = Some(code.clone());
                self.activity(ActivityAction::QrReceived, json!({}));
                self.publish(Event::QrReceived(QrReceivedEvent { qr_code: code }));
                self.set_status(InstanceStatus::Qr);
            }
            WaEvent::PairingCode { .. } => {}
            WaEvent::PairingFailed { reason } => {
                tracing::warn!(instance_id = %self.id, reason, "pairing failed");
                self.activity(ActivityAction::PairingFailed, json!({"reason": reason}));
                self.exit.published.pairing_failed(&reason);
            }
            WaEvent::QrCodesOut => self.wait_for_pairing_code(ctx),
            WaEvent::Paired { phone, push_name } => {
                self.phone = Some(phone.clone());
                self.activity(
                    ActivityAction::Paired,
                    json!({"phone": phone, "pushName": push_name}),
                );
            }
            WaEvent::Connected { phone } => {
                self.on_connected(phone);
                self.ask_numbers_kept_as_lids(ctx);
            }
            WaEvent::Message(message) => self.on_message(*message, ctx),
            WaEvent::Change(change) => self.change_in_line(*change, ctx),
            WaEvent::Presence { chat, from, state } => self.on_presence(chat, from, state, ctx),
            WaEvent::Receipt {
                message_ids,
                chat,
                status,
            } => self.on_receipt(message_ids, chat, status, ctx),
            WaEvent::Contact(contact) => self.on_contact(contact, ctx),
            WaEvent::Group(notice) => self.on_group(*notice, ctx),
            WaEvent::History(history) => self.on_history(*history, ctx),
            WaEvent::Durable(batch) => self.on_durable(event.generation, batch, ctx),
            WaEvent::SendRefused {
                message_id,
                chat,
                code,
            } => self.on_send_refused(message_id, chat, code, ctx),
            WaEvent::SessionMoved(moved) => self.on_session_moved(moved),
            WaEvent::Ended(end) => self.on_session_end(end, ctx),
        }
    }
}
