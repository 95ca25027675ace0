//! Sent messages kept for retry receipts and decrypted messages awaiting their
//! durability commit: short-lived rows, swept by age.

use sea_orm::sea_query::{Expr, ExprTrait, Value};
use whatsapp_rust::wacore::store::error::Result;
pub(super) use whatsapp_rust::wacore::store::traits::{PendingInboundKey, PendingInboundRow};

use super::DbStore;
use super::shapes::{PENDING, SENT};
use super::sql::{self, OnExisting, col, get, row_filter};

/// Keys per OR-list of a batched delete (three bound values each).
const KEYS_PER_DELETE: usize = 300;

fn text(value: &str) -> Value {
    Value::from(value.to_owned())
}

fn now_secs() -> i64 {
    whatsapp_rust::wacore::time::now_secs()
}

impl DbStore {
    pub(super) async fn keep_sent_message(
        &self,
        chat_jid: &str,
        message_id: &str,
        payload: &[u8],
    ) -> Result<()> {
        let row = vec![
            text(chat_jid),
            text(message_id),
            Value::from(payload.to_vec()),
            Value::from(now_secs()),
        ];
        self.put_rows(&SENT, vec![row], OnExisting::Replace).await
    }

    /// Read and deleted in one statement: two retry receipts racing for the
    /// same message get it once between them.
    pub(super) async fn take_sent(
        &self,
        chat_jid: &str,
        message_id: &str,
    ) -> Result<Option<Vec<u8>>> {
        match self.gate() {
            super::WriteGate::Open => {}
            super::WriteGate::Deleted => return Ok(None),
            super::WriteGate::NoLease => return Err(super::no_lease()),
        }
        let key = [
            ("chat_jid", text(chat_jid)),
            ("message_id", text(message_id)),
        ];
        let mut delete = sql::delete(SENT.table, row_filter(self.instance(), &key));
        delete.returning_col(col("payload"));
        let written = self
            .write_work(super::writer::Work::Statements {
                statements: vec![self.build(&delete)],
                returning: true,
            })
            .await?;
        written.returned.as_ref().map(|row| get(row, 0)).transpose()
    }

    pub(super) async fn expire(
        &self,
        table: &'static str,
        column: &'static str,
        cutoff: i64,
    ) -> Result<u32> {
        let filter = row_filter(self.instance(), &[]).and(Expr::col(col(column)).lt(cutoff));
        let written = self
            .write(vec![self.build(&sql::delete(table, filter))])
            .await?;
        Ok(u32::try_from(written.rows_affected).unwrap_or(u32::MAX))
    }

    pub(super) async fn keep_pending_inbound(&self, rows: &[PendingInboundRow<'_>]) -> Result<()> {
        let now = now_secs();
        let rows = rows
            .iter()
            .map(|row| {
                vec![
                    text(row.chat),
                    text(row.sender),
                    text(row.id),
                    Value::from(row.message.to_vec()),
                    Value::from(now),
                ]
            })
            .collect();
        self.put_rows(&PENDING, rows, OnExisting::Replace).await
    }

    pub(super) async fn pending_inbound(
        &self,
        chat: &str,
        sender: &str,
        id: &str,
    ) -> Result<Option<Vec<u8>>> {
        let key = [
            ("chat_jid", text(chat)),
            ("sender_jid", text(sender)),
            ("message_id", text(id)),
        ];
        self.blob_of(&PENDING, &key).await
    }

    pub(super) async fn drop_pending_inbound(&self, keys: &[PendingInboundKey<'_>]) -> Result<()> {
        let mut statements = Vec::new();
        for chunk in keys.chunks(KEYS_PER_DELETE) {
            let any_key = chunk
                .iter()
                .map(|key| {
                    Expr::col(col("chat_jid"))
                        .eq(key.chat)
                        .and(Expr::col(col("sender_jid")).eq(key.sender))
                        .and(Expr::col(col("message_id")).eq(key.id))
                })
                .reduce(ExprTrait::or);
            let Some(any_key) = any_key else { continue };
            let filter = row_filter(self.instance(), &[]).and(any_key);
            statements.push(self.build(&sql::delete(PENDING.table, filter)));
        }
        self.write(statements).await.map(drop)
    }
}
