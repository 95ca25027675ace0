//! The engine's WebSocket transport, with the reason a connection could not be
//! opened kept for the attempt's end report (the engine only logs it).

use std::sync::Arc;

use whatsapp_rust::transport::{
    TokioWebSocketTransportFactory, Transport, TransportEvent, TransportFactory,
};

use super::forwarder::Tracker;

pub struct ReportingTransport {
    inner: TokioWebSocketTransportFactory,
    tracker: Arc<Tracker>,
}

impl ReportingTransport {
    pub fn new(ws_url: Option<&str>, tracker: Arc<Tracker>) -> Self {
        let inner = match ws_url {
            Some(url) => TokioWebSocketTransportFactory::new().with_url(url.to_owned()),
            None => TokioWebSocketTransportFactory::new(),
        };
        Self { inner, tracker }
    }
}

#[whatsapp_rust::async_trait]
impl TransportFactory for ReportingTransport {
    async fn create_transport(
        &self,
    ) -> Result<
        (
            Arc<dyn Transport>,
            whatsapp_rust::async_channel::Receiver<TransportEvent>,
        ),
        anyhow::Error,
    > {
        let created = self.inner.create_transport().await;
        if let Err(err) = &created {
            self.tracker
                .remember_disconnect(format!("could not reach WhatsApp: {err}"));
        }
        created
    }
}
