//! Signals between nodes through PostgreSQL `LISTEN/NOTIFY` on one channel:
//! a change to a user, a lease given to a node or released, an instance's
//! connection events, and the simulated network's deliveries between instances
//! on different nodes. A listener that
//! lost its connection (and so perhaps some signals) says `Resync`, and every
//! subscriber then acts as if it had missed anything.

use std::sync::Arc;
use std::time::Duration;

use sea_orm::DatabaseConnection;
use sea_orm::sqlx::postgres::PgListener;
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

const CHANNEL: &str = "wamux_cluster";
/// PostgreSQL refuses a NOTIFY payload of 8,000 bytes or more.
pub const MAX_PAYLOAD_BYTES: usize = 7_900;
const BACKLOG: usize = 4096;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Signal {
    /// Deactivated, deleted, key rotated, role changed: forget cached callers.
    UserChanged { user_id: String },
    /// A new instance's lease was given to `node_id`.
    LeaseAssigned {
        node_id: String,
        instance_id: String,
    },
    /// `node_id` released leases: they are free to take now.
    LeasesReleased { node_id: String },
    /// The simulated network carries something to an instance held elsewhere.
    Sim { instance_id: String, event: String },
    /// An instance's connection or QR event on `node_id` (its SSE frame), for the
    /// user-wide event streams open on the other nodes.
    Status {
        node_id: String,
        instance_id: String,
        frame: String,
    },
    /// Not sent: the listener reconnected and may have missed signals.
    Resync,
}

/// Sends signals and hands the ones received to subscribers.
#[derive(Clone)]
pub struct Signals {
    db: DatabaseConnection,
    received: broadcast::Sender<Arc<Signal>>,
}

#[derive(Debug, thiserror::Error)]
pub enum SignalError {
    #[error("signal too large for NOTIFY ({0} bytes)")]
    TooLarge(usize),
    #[error("signal not encoded: {0}")]
    Encode(#[from] serde_json::Error),
    #[error("signal not sent: {0}")]
    Db(#[from] sea_orm::DbErr),
}

impl Signals {
    /// Starts listening (the first connection is made before this answers, so
    /// no signal sent after start-up is missed).
    pub async fn listen(db: DatabaseConnection) -> anyhow::Result<Self> {
        let (received, _) = broadcast::channel(BACKLOG);
        let mut listener = PgListener::connect_with(db.get_postgres_connection_pool()).await?;
        listener.listen(CHANNEL).await?;
        let signals = Self { db, received };
        let sender = signals.received.clone();
        tokio::spawn(async move { receive(listener, sender).await });
        Ok(signals)
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Signal>> {
        self.received.subscribe()
    }

    pub async fn send(&self, signal: &Signal) -> Result<(), SignalError> {
        let payload = serde_json::to_string(signal)?;
        if payload.len() > MAX_PAYLOAD_BYTES {
            return Err(SignalError::TooLarge(payload.len()));
        }
        super::cluster::notify(&self.db, CHANNEL, &payload).await?;
        Ok(())
    }
}

async fn receive(mut listener: PgListener, sender: broadcast::Sender<Arc<Signal>>) {
    loop {
        match listener.try_recv().await {
            Ok(Some(notification)) => {
                match serde_json::from_str::<Signal>(notification.payload()) {
                    Ok(signal) => {
                        let _ = sender.send(Arc::new(signal));
                    }
                    Err(err) => tracing::warn!(error = %err, "unreadable cluster signal ignored"),
                }
            }
            // The connection dropped; the next call reconnects and listens again.
            Ok(None) => {
                tracing::warn!("cluster signals: connection lost, reconnecting");
                let _ = sender.send(Arc::new(Signal::Resync));
            }
            Err(err) => {
                tracing::warn!(error = %err, "cluster signals: listening failed, retrying");
                let _ = sender.send(Arc::new(Signal::Resync));
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

/// The next signal for a subscriber; a subscriber that fell behind gets `Resync`.
pub async fn next(receiver: &mut broadcast::Receiver<Arc<Signal>>) -> Option<Arc<Signal>> {
    match receiver.recv().await {
        Ok(signal) => Some(signal),
        Err(broadcast::error::RecvError::Lagged(_)) => Some(Arc::new(Signal::Resync)),
        Err(broadcast::error::RecvError::Closed) => None,
    }
}
