//! Secrets of our own messages, kept so replies that reference them (poll
//! votes, reactions, edits) can be decrypted.

use async_trait::async_trait;
use sea_orm::sea_query::{Expr, ExprTrait, Value};
use whatsapp_rust::wacore::store::error::Result;
use whatsapp_rust::wacore::store::traits::{
    MsgSecretEntry, MsgSecretStore, merge_msg_secret_expiry, merge_msg_secret_message_ts,
};

use super::DbStore;
use super::shapes::SECRETS;
use super::sql::{self, OnExisting, col, get, row_filter};

/// The engine's merge rules (`merge_msg_secret_expiry`, `merge_msg_secret_message_ts`) in SQL:
/// a window never shrinks (0 = never expires) and a known parent time is never lost.
const MERGE: OnExisting = OnExisting::Merge(&[
    ("secret", "excluded.secret"),
    (
        "expires_at",
        "CASE WHEN wa_msg_secrets.expires_at = 0 OR excluded.expires_at = 0 THEN 0 \
         WHEN excluded.expires_at > wa_msg_secrets.expires_at THEN excluded.expires_at \
         ELSE wa_msg_secrets.expires_at END",
    ),
    (
        "message_ts",
        "CASE WHEN excluded.message_ts > wa_msg_secrets.message_ts THEN excluded.message_ts \
         ELSE wa_msg_secrets.message_ts END",
    ),
]);

fn key(chat: &str, sender: &str, msg_id: &str) -> [(&'static str, Value); 3] {
    [
        ("chat_jid", Value::from(chat.to_owned())),
        ("sender_jid", Value::from(sender.to_owned())),
        ("message_id", Value::from(msg_id.to_owned())),
    ]
}

/// Repeats of one key inside a batch merged in order, as the statement merges
/// them with what is stored (PostgreSQL refuses to touch a row twice in one statement).
fn merged_in_order(entries: Vec<MsgSecretEntry>) -> Vec<MsgSecretEntry> {
    let mut position_of = std::collections::HashMap::with_capacity(entries.len());
    let mut merged: Vec<MsgSecretEntry> = Vec::with_capacity(entries.len());
    for entry in entries {
        let id = (
            entry.chat.clone(),
            entry.sender.clone(),
            entry.msg_id.clone(),
        );
        match position_of.get(&id) {
            Some(&at) => {
                let earlier: &mut MsgSecretEntry = &mut merged[at];
                earlier.expires_at = merge_msg_secret_expiry(earlier.expires_at, entry.expires_at);
                earlier.message_ts =
                    merge_msg_secret_message_ts(earlier.message_ts, entry.message_ts);
                earlier.secret = entry.secret;
            }
            None => {
                position_of.insert(id, merged.len());
                merged.push(entry);
            }
        }
    }
    merged
}

#[async_trait]
impl MsgSecretStore for DbStore {
    async fn put_msg_secrets(&self, entries: Vec<MsgSecretEntry>) -> Result<usize> {
        let written = entries.len();
        let rows = merged_in_order(entries)
            .into_iter()
            .map(|entry| {
                vec![
                    Value::from(entry.chat.to_string()),
                    Value::from(entry.sender.to_string()),
                    Value::from(entry.msg_id.to_string()),
                    Value::from(entry.secret.to_vec()),
                    Value::from(entry.expires_at),
                    Value::from(entry.message_ts),
                ]
            })
            .collect();
        self.put_rows(&SECRETS, rows, MERGE).await?;
        Ok(written)
    }

    async fn get_msg_secret(
        &self,
        chat: &str,
        sender: &str,
        msg_id: &str,
    ) -> Result<Option<Vec<u8>>> {
        self.blob_of(&SECRETS, &key(chat, sender, msg_id)).await
    }

    async fn get_msg_secret_with_ts(
        &self,
        chat: &str,
        sender: &str,
        msg_id: &str,
    ) -> Result<Option<(Vec<u8>, i64)>> {
        let select = sql::select(
            SECRETS.table,
            &["secret", "message_ts"],
            row_filter(self.instance(), &key(chat, sender, msg_id)),
        );
        match sql::one(&self.db.reads, &select).await? {
            Some(row) => Ok(Some((get(&row, 0)?, get(&row, 1)?))),
            None => Ok(None),
        }
    }

    async fn delete_expired_msg_secrets(&self, cutoff_timestamp: i64) -> Result<u32> {
        let filter = row_filter(self.instance(), &[])
            .and(Expr::col(col("expires_at")).ne(0))
            .and(Expr::col(col("expires_at")).lte(cutoff_timestamp));
        let written = self
            .write(vec![self.build(&sql::delete(SECRETS.table, filter))])
            .await?;
        Ok(u32::try_from(written.rows_affected).unwrap_or(u32::MAX))
    }
}
