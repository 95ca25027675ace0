//! Writes that must keep their order (an instance's status, its activity log)
//! go through a queue. Whatever piles up while a batch commits goes into the
//! next transaction together, so a burst costs a few commits, not one per row.
//! On SQLite there is one queue (one writer). On PostgreSQL there are several,
//! each on its own connection, and an instance's writes always take the same
//! one: every instance keeps its order, and different instances' commits
//! overlap instead of waiting for each other.

use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, TransactionTrait};
use tokio::sync::{mpsc, oneshot};

use crate::db;
use crate::domain::instance::InstanceStatus;

const MAX_BATCH: usize = 512;

#[derive(Debug)]
pub enum WriteOp {
    Status {
        instance_id: String,
        status: InstanceStatus,
        phone: Option<String>,
        /// In a cluster: refused unless this node still holds the lease at this epoch.
        fence: Option<crate::cluster::Fence>,
    },
    Activity {
        instance_id: String,
        action: db::activity::ActivityAction,
        details: serde_json::Value,
        at: i64,
    },
    Message(Box<db::messages::NewMessage>),
    MarkSent {
        instance_id: String,
        row_id: String,
    },
    MarkFailed {
        instance_id: String,
        row_id: String,
    },
    /// WhatsApp refused a sent message after taking it (a nack).
    Refused {
        instance_id: String,
        message_id: String,
        code: u16,
        reason: String,
    },
    Receipt {
        instance_id: String,
        message_ids: Vec<String>,
        status: db::messages::MessageStatus,
    },
    Contact(db::contacts::ContactUpsert),
    /// `lid` is `phone`'s: what was kept under the LID moves to the number.
    MergeLid {
        instance_id: String,
        lid: crate::domain::phone::Jid,
        phone: crate::domain::phone::Jid,
    },
    /// A reaction, edit, deletion or vote changes a stored message.
    Amend {
        instance_id: String,
        message_id: String,
        amendment: db::messages::Amendment,
    },
    Delivery(Box<entity::webhook_deliveries::Model>),
    DeliveryFailed {
        instance_id: String,
        id: String,
        attempts: i32,
        next_attempt_at: i64,
        error: String,
        status: Option<u16>,
        gave_up: bool,
    },
    DeliverySucceeded {
        instance_id: String,
        id: String,
        attempts: i32,
        status: u16,
    },
}

impl WriteOp {
    async fn apply(&self, conn: &impl ConnectionTrait) -> Result<(), DbErr> {
        match self {
            Self::Status {
                instance_id,
                status,
                phone,
                fence,
            } => {
                db::instances::set_status(
                    conn,
                    instance_id,
                    *status,
                    phone.as_deref(),
                    fence.as_ref(),
                )
                .await
            }
            Self::Activity {
                instance_id,
                action,
                details,
                at,
            } => db::activity::insert_at(conn, instance_id, *action, details, *at).await,
            Self::Message(message) => db::messages::insert(conn, message).await,
            Self::MarkSent { row_id, .. } => db::bulk::mark_sent(conn, &[row_id.as_str()]).await,
            Self::MarkFailed { row_id, .. } => db::messages::mark_failed(conn, row_id).await,
            Self::Refused {
                instance_id,
                message_id,
                code,
                reason,
            } => db::messages::refuse(conn, instance_id, message_id, *code, reason).await,
            Self::Receipt {
                instance_id,
                message_ids,
                status,
            } => db::messages::apply_receipt(conn, instance_id, message_ids, *status).await,
            Self::Contact(contact) => db::contacts::upsert(conn, contact).await,
            Self::MergeLid {
                instance_id,
                lid,
                phone,
            } => db::lid_merge::merge_lid(conn, instance_id, lid, phone).await,
            Self::Amend {
                instance_id,
                message_id,
                amendment,
            } => db::messages::amend(conn, instance_id, message_id, amendment).await,
            Self::Delivery(delivery) => db::webhooks::insert(conn, delivery).await,
            Self::DeliveryFailed {
                id,
                instance_id: _,
                attempts,
                next_attempt_at,
                error,
                status,
                gave_up,
            } => {
                db::webhooks::record_failure(
                    conn,
                    id,
                    *attempts,
                    *next_attempt_at,
                    error,
                    *status,
                    *gave_up,
                )
                .await
            }
            Self::DeliverySucceeded {
                id,
                instance_id: _,
                attempts,
                status,
            } => db::webhooks::mark_delivered(conn, id, *attempts, *status).await,
        }
    }
}

/// Told when a write is committed (or failed), for callers that wait.
type Done = Option<oneshot::Sender<Result<(), DbErr>>>;

enum Job {
    Write {
        op: WriteOp,
        done: Done,
    },
    /// Answered once everything queued before it is written.
    Flush(oneshot::Sender<()>),
}

impl WriteOp {
    /// The instance whose order the write keeps.
    fn instance_id(&self) -> &str {
        match self {
            Self::Status { instance_id, .. }
            | Self::Activity { instance_id, .. }
            | Self::MarkSent { instance_id, .. }
            | Self::MarkFailed { instance_id, .. }
            | Self::Refused { instance_id, .. }
            | Self::Receipt { instance_id, .. }
            | Self::Amend { instance_id, .. }
            | Self::MergeLid { instance_id, .. }
            | Self::DeliveryFailed { instance_id, .. }
            | Self::DeliverySucceeded { instance_id, .. } => instance_id,
            Self::Message(message) => &message.instance_id,
            Self::Contact(contact) => &contact.instance_id,
            Self::Delivery(delivery) => &delivery.instance_id,
        }
    }
}

#[derive(Clone)]
pub struct Recorder {
    queues: std::sync::Arc<[mpsc::UnboundedSender<Job>]>,
}

impl Recorder {
    /// One queue on `db` (SQLite: its one writer connection).
    pub fn spawn(db: DatabaseConnection) -> Self {
        Self::spawn_queues(db, 1)
    }

    /// `queues` queues sharing `db`'s pool (PostgreSQL: one connection each).
    pub fn spawn_queues(db: DatabaseConnection, queues: usize) -> Self {
        let queues = (0..queues.max(1))
            .map(|_| {
                let (jobs, queue) = mpsc::unbounded_channel();
                tokio::spawn(run(db.clone(), queue));
                jobs
            })
            .collect();
        Self { queues }
    }

    fn queue_of(&self, op: &WriteOp) -> &mpsc::UnboundedSender<Job> {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        op.instance_id().hash(&mut hasher);
        let index = usize::try_from(hasher.finish()).unwrap_or_default() % self.queues.len();
        &self.queues[index]
    }

    /// Queues a write; it lands in order with the instance's others.
    pub fn record(&self, op: WriteOp) {
        if self
            .queue_of(&op)
            .send(Job::Write { op, done: None })
            .is_err()
        {
            tracing::error!("recorder stopped; a write was dropped");
        }
    }

    /// Queues a write now, and resolves once it is committed.
    pub fn commit(&self, op: WriteOp) -> impl Future<Output = Result<(), DbErr>> + 'static {
        let (done, committed) = oneshot::channel();
        let queued = self
            .queue_of(&op)
            .send(Job::Write {
                op,
                done: Some(done),
            })
            .is_ok();
        async move {
            let stopped = || DbErr::Custom("recorder stopped".into());
            if !queued {
                return Err(stopped());
            }
            committed.await.map_err(|_| stopped())?
        }
    }

    /// Resolves once everything queued before this call is written.
    pub fn flush(&self) -> impl Future<Output = ()> + 'static {
        let flushed: Vec<_> = self
            .queues
            .iter()
            .filter_map(|queue| {
                let (done, flushed) = oneshot::channel();
                queue.send(Job::Flush(done)).is_ok().then_some(flushed)
            })
            .collect();
        async move {
            for queue in flushed {
                let _ = queue.await;
            }
        }
    }
}

async fn run(db: DatabaseConnection, mut queue: mpsc::UnboundedReceiver<Job>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let mut writes = Vec::with_capacity(batch.len());
        let mut flushes = Vec::new();
        for job in batch.drain(..) {
            match job {
                Job::Write { op, done } => writes.push((op, done)),
                Job::Flush(done) => flushes.push(done),
            }
        }
        write_batch(&db, writes).await;
        for done in flushes {
            let _ = done.send(());
        }
    }
}

async fn write_batch(db: &DatabaseConnection, writes: Vec<(WriteOp, Done)>) {
    if writes.is_empty() {
        return;
    }
    if writes.len() > 1 && in_one_transaction(db, &writes).await.is_ok() {
        for (_, done) in writes {
            if let Some(done) = done {
                let _ = done.send(Ok(()));
            }
        }
        return;
    }
    // One by one, so that one bad row does not take the others down with it.
    for (op, done) in writes {
        let result = op.apply(db).await;
        if let Err(err) = &result {
            tracing::error!(error = %err, "write failed");
        }
        if let Some(done) = done {
            let _ = done.send(result);
        }
    }
}

async fn in_one_transaction(
    db: &DatabaseConnection,
    writes: &[(WriteOp, Done)],
) -> Result<(), DbErr> {
    let txn = db.begin().await?;
    apply_grouped(&txn, writes.iter().map(|(op, _)| op)).await?;
    txn.commit().await
}

/// Applies writes grouped by kind, one statement per kind where it can. The
/// kinds go in an order that keeps every dependency between them: a message is
/// inserted before it is marked sent, marked sent before a receipt moves it on,
/// a delivery is inserted before its outcome is written.
async fn apply_grouped<'a>(
    conn: &impl ConnectionTrait,
    writes: impl Iterator<Item = &'a WriteOp>,
) -> Result<(), DbErr> {
    let mut in_order = Vec::new();
    let mut activities = Vec::new();
    let mut messages = Vec::new();
    let mut sent = Vec::new();
    let mut receipts: Vec<(&str, db::messages::MessageStatus, Vec<String>)> = Vec::new();
    let mut contacts = Vec::new();
    let mut deliveries = Vec::new();
    let mut delivered = Vec::new();
    for op in writes {
        match op {
            WriteOp::Activity {
                instance_id,
                action,
                details,
                at,
            } => {
                activities.push((instance_id.as_str(), *action, details, *at));
            }
            WriteOp::Message(message) => messages.push(message.as_ref()),
            WriteOp::MarkSent { row_id, .. } => sent.push(row_id.as_str()),
            WriteOp::Receipt {
                instance_id,
                message_ids,
                status,
            } => {
                match receipts
                    .iter_mut()
                    .find(|(i, s, _)| *i == instance_id && s == status)
                {
                    Some((_, _, ids)) => ids.extend(message_ids.iter().cloned()),
                    None => receipts.push((instance_id, *status, message_ids.clone())),
                }
            }
            WriteOp::Contact(contact) => contacts.push(contact),
            WriteOp::Delivery(delivery) => deliveries.push(delivery.as_ref()),
            WriteOp::DeliverySucceeded {
                id,
                instance_id: _,
                attempts,
                status,
            } => delivered.push((id.as_str(), *attempts, *status)),
            WriteOp::Status { .. }
            | WriteOp::Amend { .. }
            | WriteOp::MergeLid { .. }
            | WriteOp::MarkFailed { .. }
            | WriteOp::Refused { .. }
            | WriteOp::DeliveryFailed { .. } => in_order.push(op),
        }
    }
    db::bulk::insert_activities(conn, &activities).await?;
    db::bulk::insert_messages(conn, &messages).await?;
    db::bulk::mark_sent(conn, &sent).await?;
    for (instance_id, status, ids) in &receipts {
        db::messages::apply_receipt(conn, instance_id, ids, *status).await?;
    }
    db::bulk::upsert_contacts(conn, &contacts).await?;
    db::bulk::insert_deliveries(conn, &deliveries).await?;
    // Few and order-sensitive (a status's last value wins): one by one, in order.
    for op in in_order {
        op.apply(conn).await?;
    }
    db::bulk::mark_delivered(conn, &delivered).await
}
