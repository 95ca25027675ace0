//! Messages, receipts and contacts reported by the session.

use actix::prelude::*;

use super::InstanceActor;
use crate::whatsapp::{InboundMessage, ReceiptStatus, WaContact};

impl InstanceActor {
    pub(super) fn on_message(&mut self, message: InboundMessage, _ctx: &mut Context<Self>) {
        tracing::debug!(instance_id = %self.id, message_id = %message.id, "message received");
    }

    pub(super) fn on_receipt(
        &mut self,
        message_ids: Vec<String>,
        _chat: String,
        status: ReceiptStatus,
    ) {
        tracing::debug!(instance_id = %self.id, count = message_ids.len(), status = status.as_str(), "receipt");
    }

    pub(super) fn on_contact(&mut self, contact: WaContact) {
        tracing::debug!(instance_id = %self.id, is_group = contact.is_group, "contact update");
    }
}
