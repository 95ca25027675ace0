//! Group commit for the session store's writes. Every write of every instance
//! waits in one queue; one task takes whatever has queued while the previous
//! transaction ran and commits it as one transaction, then answers each waiter.
//! A write still returns only once it is committed (the engine relies on that:
//! a Signal ratchet it was told is stored must survive a crash), but fifty
//! instances writing at once cost one commit, not fifty, and on SQLite the
//! engine holds the one write lock for one transaction per batch instead of one
//! per row, leaving the recorder its turns.

use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, QueryResult, Statement, TransactionTrait};
use tokio::sync::{mpsc, oneshot};

/// Writes committed together at most; a burst past it waits for the next transaction.
const MOST_PER_TRANSACTION: usize = 512;

/// What one write did.
#[derive(Default)]
pub struct Written {
    pub rows_affected: u64,
    /// The row a `RETURNING` statement answered, when the write asked for it.
    pub returned: Option<QueryResult>,
}

struct Job {
    statements: Vec<Statement>,
    /// The last statement returns a row.
    returning: bool,
    reply: oneshot::Sender<Result<Written, DbErr>>,
}

/// The queue's sending side; cloning it shares the one queue.
#[derive(Clone)]
pub struct SessionWriter {
    queue: mpsc::UnboundedSender<Job>,
}

impl SessionWriter {
    /// Starts the committing task on the current runtime.
    pub fn start(db: DatabaseConnection) -> Self {
        let (queue, jobs) = mpsc::unbounded_channel();
        tokio::spawn(commit_forever(db, jobs));
        Self { queue }
    }

    /// Runs `statements` atomically, in order, and returns once they are committed.
    pub async fn write(&self, statements: Vec<Statement>, returning: bool) -> Result<Written, DbErr> {
        if statements.is_empty() {
            return Ok(Written::default());
        }
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Job {
                statements,
                returning,
                reply,
            })
            .map_err(|_| DbErr::Custom("the session writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| DbErr::Custom("the session writer has stopped".into()))?
    }
}

async fn commit_forever(db: DatabaseConnection, mut jobs: mpsc::UnboundedReceiver<Job>) {
    let mut batch = Vec::with_capacity(MOST_PER_TRANSACTION);
    while jobs.recv_many(&mut batch, MOST_PER_TRANSACTION).await > 0 {
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
            Err(err) => tracing::debug!(error = %err, "session batch failed; writing its jobs one by one"),
        }
    }
    for job in batch {
        let outcome = in_one_transaction(db, std::slice::from_ref(&job)).await;
        let _ = job.reply.send(outcome.map(|mut outcomes| outcomes.pop().unwrap_or_default()));
    }
}

async fn in_one_transaction(db: &DatabaseConnection, jobs: &[Job]) -> Result<Vec<Written>, DbErr> {
    let txn = db.begin().await?;
    let mut outcomes = Vec::with_capacity(jobs.len());
    for job in jobs {
        let mut written = Written::default();
        let last = job.statements.len().saturating_sub(1);
        for (at, statement) in job.statements.iter().enumerate() {
            if job.returning && at == last {
                written.returned = txn.query_one_raw(statement.clone()).await?;
                written.rows_affected += u64::from(written.returned.is_some());
            } else {
                written.rows_affected += txn.execute_raw(statement.clone()).await?.rows_affected();
            }
        }
        outcomes.push(written);
    }
    txn.commit().await?;
    Ok(outcomes)
}
