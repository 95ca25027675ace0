//! Group commit for the session store's writes. Every write of every instance
//! waits in one queue; one task takes whatever has queued while the previous
//! transaction ran and commits it as one transaction, then answers each waiter.
//! A write still returns only once it is committed (the engine relies on that:
//! a Signal ratchet it was told is stored must survive a crash), but fifty
//! instances writing at once cost one commit, not fifty.
//!
//! Inside a transaction, rows of one table from different instances are written
//! by one statement: instances never share a row (every key starts with the
//! instance), so only each instance's own writes need their order, and the batch
//! is run in layers (every instance's first write, then every second one, …)
//! whose upserts merge by table. On SQLite that keeps the one write lock held for
//! a few statements per batch rather than one per row, leaving the recorder its turns.

use std::collections::HashMap;
use std::sync::Arc;

use sea_orm::sea_query::Value;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbErr, QueryResult, Statement, TransactionTrait,
};
use tokio::sync::{mpsc, oneshot};

use super::sql::{OnExisting, Shape};

/// Writes committed together at most; a burst past it waits for the next transaction.
const MOST_PER_TRANSACTION: usize = 512;

/// What one write did.
#[derive(Default)]
pub struct Written {
    pub rows_affected: u64,
    /// The row a `RETURNING` statement answered, when the write asked for it.
    pub returned: Option<QueryResult>,
}

pub enum Work {
    /// Rows (each starting with its instance) into a table: mergeable with other instances'.
    Upsert {
        shape: &'static Shape,
        on_existing: OnExisting,
        rows: Vec<Vec<Value>>,
    },
    /// Statements run in order; the last returns a row when `returning`.
    Statements {
        statements: Vec<Statement>,
        returning: bool,
    },
}

struct Job {
    instance: Arc<str>,
    work: Work,
    reply: oneshot::Sender<Result<Written, DbErr>>,
}

/// Committing tasks on PostgreSQL, each with its own share of the instances:
/// its transactions run side by side (SQLite has one write lock, so one there).
const POSTGRES_WRITERS: usize = 4;

/// The queues' sending side; cloning it shares the queues.
#[derive(Clone)]
pub struct SessionWriter {
    queues: Arc<[mpsc::UnboundedSender<Job>]>,
}

impl SessionWriter {
    /// Starts the committing tasks on the current runtime.
    pub fn start(db: DatabaseConnection) -> Self {
        let writers = match db.get_database_backend() {
            sea_orm::DbBackend::Postgres => POSTGRES_WRITERS,
            _ => 1,
        };
        let queues = (0..writers)
            .map(|_| {
                let (queue, jobs) = mpsc::unbounded_channel();
                tokio::spawn(commit_forever(db.clone(), jobs));
                queue
            })
            .collect();
        Self { queues }
    }

    /// An instance's writes always go to the same queue, so they keep their order.
    fn queue_of(&self, instance: &str) -> &mpsc::UnboundedSender<Job> {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        instance.hash(&mut hasher);
        &self.queues[(hasher.finish() % self.queues.len() as u64) as usize]
    }

    /// Runs `work` for `instance` atomically and returns once it is committed.
    pub async fn write(&self, instance: &Arc<str>, work: Work) -> Result<Written, DbErr> {
        let (reply, answer) = oneshot::channel();
        let stopped = || DbErr::Custom("the session writer has stopped".into());
        self.queue_of(instance)
            .send(Job {
                instance: instance.clone(),
                work,
                reply,
            })
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

/// When only a few writes are waiting, how long they wait for others to share
/// their transaction: a steady trickle of writes (the usual load) then costs one
/// transaction per window instead of one per write, which on SQLite leaves the
/// one write lock to the recorder between them. A busy queue gathers by itself
/// while the previous transaction runs, and does not wait.
const GATHER: std::time::Duration = std::time::Duration::from_millis(2);
const FEW: usize = 16;

async fn commit_forever(db: DatabaseConnection, mut jobs: mpsc::UnboundedReceiver<Job>) {
    let mut batch = Vec::with_capacity(MOST_PER_TRANSACTION);
    while jobs.recv_many(&mut batch, MOST_PER_TRANSACTION).await > 0 {
        if batch.len() < FEW {
            tokio::time::sleep(GATHER).await;
            while batch.len() < MOST_PER_TRANSACTION {
                match jobs.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
        }
        commit(&db, std::mem::take(&mut batch)).await;
    }
}

async fn commit(db: &DatabaseConnection, batch: Vec<Job>) {
    if batch.len() > 1 {
        match in_one_transaction(db, &batch).await {
            Ok(outcomes) => {
                for (job, outcome) in batch.into_iter().zip(outcomes) {
                    let _ = job.reply.send(Ok(outcome));
                }
                return;
            }
            // One bad write must not fail the others: each alone, in its own transaction.
            Err(err) => {
                tracing::debug!(error = %err, "session batch failed; writing its jobs one by one")
            }
        }
    }
    for job in batch {
        let outcome = in_one_transaction(db, std::slice::from_ref(&job)).await;
        let _ = job
            .reply
            .send(outcome.map(|mut outcomes| outcomes.pop().unwrap_or_default()));
    }
}

/// Each job's place: the how-many-th write of its instance in this batch.
fn layers(jobs: &[Job]) -> Vec<Vec<usize>> {
    let mut seen: HashMap<&str, usize> = HashMap::with_capacity(jobs.len());
    let mut layers: Vec<Vec<usize>> = Vec::new();
    for (at, job) in jobs.iter().enumerate() {
        let depth = seen.entry(&job.instance).or_insert(0);
        if layers.len() <= *depth {
            layers.push(Vec::new());
        }
        layers[*depth].push(at);
        *depth += 1;
    }
    layers
}

async fn in_one_transaction(db: &DatabaseConnection, jobs: &[Job]) -> Result<Vec<Written>, DbErr> {
    let backend = db.get_database_backend();
    let txn = db.begin().await?;
    let mut outcomes: Vec<Written> = jobs.iter().map(|_| Written::default()).collect();
    for layer in layers(jobs) {
        // Upserts of one table and conflict rule, across the layer's instances.
        let mut merged: Vec<(&'static Shape, OnExisting, Vec<Vec<Value>>)> = Vec::new();
        for &at in &layer {
            match &jobs[at].work {
                Work::Upsert {
                    shape,
                    on_existing,
                    rows,
                } => match merged
                    .iter_mut()
                    .find(|(s, o, _)| std::ptr::eq(*s, *shape) && o == on_existing)
                {
                    Some((_, _, all)) => all.extend(rows.iter().cloned()),
                    None => merged.push((shape, *on_existing, rows.clone())),
                },
                Work::Statements {
                    statements,
                    returning,
                } => {
                    let written = &mut outcomes[at];
                    let last = statements.len().saturating_sub(1);
                    for (position, statement) in statements.iter().enumerate() {
                        if *returning && position == last {
                            written.returned = txn.query_one_raw(statement.clone()).await?;
                            written.rows_affected += u64::from(written.returned.is_some());
                        } else {
                            written.rows_affected +=
                                txn.execute_raw(statement.clone()).await?.rows_affected();
                        }
                    }
                }
            }
        }
        for (shape, on_existing, rows) in merged {
            let statements = shape
                .statements_of(backend, rows, on_existing)
                .map_err(|err| DbErr::Custom(err.to_string()))?;
            for statement in statements {
                txn.execute_raw(statement).await?;
            }
        }
    }
    txn.commit().await?;
    Ok(outcomes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_instance_keeps_its_order_and_instances_share_layers() {
        let jobs: Vec<Job> = ["a", "b", "a", "c", "a", "b"]
            .iter()
            .map(|instance| Job {
                instance: Arc::from(*instance),
                work: Work::Statements {
                    statements: Vec::new(),
                    returning: false,
                },
                reply: oneshot::channel().0,
            })
            .collect();
        assert_eq!(layers(&jobs), vec![vec![0, 1, 3], vec![2, 5], vec![4]]);
    }
}
