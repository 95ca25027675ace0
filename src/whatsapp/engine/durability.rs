//! At-least-once receiving: the engine acks a received message to WhatsApp
//! only after the instance has kept it (its row and its webhook outbox entry
//! committed). A crash before that leaves the message unacked, and WhatsApp
//! delivers it again at the next login, where the instance recognises it.

use std::sync::Arc;
use std::time::Duration;

use whatsapp_rust::types::events::InboundMessage;
use whatsapp_rust::{Client, InboundDurabilityHook};

use crate::config::{FaultHold, fault_hold};
use crate::whatsapp::model::Reader;
use crate::whatsapp::{DurableInbound, EventSink, KeptNotice, WaEvent};

/// How long the receive pipeline waits for the instance: past it the batch
/// stays unacked (WhatsApp delivers it again), and receiving goes on.
const KEEP_TIMEOUT: Duration = Duration::from_secs(60);

pub struct KeepBeforeAck {
    reader: Arc<Reader>,
    sink: EventSink,
}

impl KeepBeforeAck {
    pub fn new(reader: Arc<Reader>, sink: EventSink) -> Self {
        Self { reader, sink }
    }

    async fn keep(&self, batch: &[InboundMessage]) -> anyhow::Result<()> {
        let events: Vec<WaEvent> = batch
            .iter()
            .filter_map(|entry| self.reader.inbound_event(&entry.message, &entry.info))
            .collect();
        if events.is_empty() {
            return Ok(());
        }
        let (kept, answered) = KeptNotice::new();
        self.sink.emit(WaEvent::Durable(DurableInbound {
            events,
            from_offline_queue: batch.iter().any(|entry| entry.info.is_offline),
            kept,
        }));
        match tokio::time::timeout(KEEP_TIMEOUT, answered).await {
            Ok(Ok(true)) => {}
            Ok(Ok(false) | Err(_)) => anyhow::bail!("the instance did not keep the messages"),
            Err(_) => anyhow::bail!("the instance did not keep the messages in time"),
        }
        if let Some(hold) = fault_hold(FaultHold::BeforeAck) {
            tokio::time::sleep(hold).await;
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl InboundDurabilityHook for KeepBeforeAck {
    async fn on_messages(
        &self,
        _client: Arc<Client>,
        batch: &[InboundMessage],
    ) -> anyhow::Result<()> {
        self.keep(batch).await
    }
}
