//! Trusted-contact privacy tokens: each of the two writers (a token received,
//! our token issued) owns its own columns and merges in one statement, so
//! concurrent writers converge without a lock, on SQLite and PostgreSQL alike.

use sea_orm::sea_query::{Expr, ExprTrait, Value};
use whatsapp_rust::wacore::store::error::Result;
use whatsapp_rust::wacore::store::traits::TcTokenEntry;

use super::DbStore;
use super::shapes::TC_TOKENS;
use super::sql::{self, OnExisting, col, get, row_filter};

/// Our issuance only moves the sender timestamp forward and never touches the token.
const SENDER_TIMESTAMP_FORWARD: OnExisting = OnExisting::Merge(&[(
    "sender_timestamp",
    "CASE WHEN wa_tc_tokens.sender_timestamp IS NULL \
     OR wa_tc_tokens.sender_timestamp < excluded.sender_timestamp \
     THEN excluded.sender_timestamp ELSE wa_tc_tokens.sender_timestamp END",
)]);

/// A received token replaces a placeholder or an older token, keeping our sender timestamp.
const NEWER_TOKEN_WINS: OnExisting = OnExisting::MergeIf(
    &[
        ("token", "excluded.token"),
        ("token_timestamp", "excluded.token_timestamp"),
    ],
    "length(wa_tc_tokens.token) = 0 OR excluded.token_timestamp >= wa_tc_tokens.token_timestamp",
);

fn jid_key(jid: &str) -> [(&'static str, Value); 1] {
    [("jid", Value::from(jid.to_owned()))]
}

impl DbStore {
    pub(super) async fn tc_token(&self, jid: &str) -> Result<Option<TcTokenEntry>> {
        let select = sql::select(
            TC_TOKENS.table,
            TC_TOKENS.values,
            row_filter(self.instance(), &jid_key(jid)),
        );
        let Some(row) = sql::one(&self.db.reads, &select).await? else {
            return Ok(None);
        };
        Ok(Some(TcTokenEntry {
            token: get(&row, 0)?,
            token_timestamp: get(&row, 1)?,
            sender_timestamp: get(&row, 2)?,
        }))
    }

    pub(super) async fn write_tc_token(&self, jid: &str, entry: &TcTokenEntry) -> Result<()> {
        let row = vec![
            Value::from(jid.to_owned()),
            Value::from(entry.token.clone()),
            Value::from(entry.token_timestamp),
            Value::from(entry.sender_timestamp),
        ];
        self.put_rows(&TC_TOKENS, vec![row], OnExisting::Replace)
            .await
    }

    pub(super) async fn tc_token_jids(&self) -> Result<Vec<String>> {
        let mut select = sql::select(TC_TOKENS.table, &["jid"], row_filter(self.instance(), &[]));
        select.order_by(col("jid"), sea_orm::Order::Asc);
        sql::all(&self.db.reads, &select)
            .await?
            .iter()
            .map(|row| get(row, 0))
            .collect()
    }

    pub(super) async fn expire_tc_tokens(
        &self,
        token_cutoff: i64,
        sender_cutoff: i64,
    ) -> Result<u32> {
        let received_gone = Expr::col(col("token"))
            .eq(Vec::<u8>::new())
            .or(Expr::col(col("token_timestamp")).lt(token_cutoff));
        let issued_gone = Expr::col(col("sender_timestamp"))
            .is_null()
            .or(Expr::col(col("sender_timestamp")).lt(sender_cutoff));
        let filter = row_filter(self.instance(), &[])
            .and(received_gone)
            .and(issued_gone);
        let written = self
            .write(vec![self.build(&sql::delete(TC_TOKENS.table, filter))])
            .await?;
        Ok(u32::try_from(written.rows_affected).unwrap_or(u32::MAX))
    }

    pub(super) async fn touch_tc_token(&self, jid: &str, sender_timestamp: i64) -> Result<()> {
        let placeholder = vec![
            Value::from(jid.to_owned()),
            Value::from(Vec::<u8>::new()),
            Value::from(sender_timestamp),
            Value::from(Some(sender_timestamp)),
        ];
        self.put_rows(&TC_TOKENS, vec![placeholder], SENDER_TIMESTAMP_FORWARD)
            .await
    }

    pub(super) async fn receive_tc_token(
        &self,
        jid: &str,
        token: &[u8],
        token_timestamp: i64,
    ) -> Result<()> {
        let row = vec![
            Value::from(jid.to_owned()),
            Value::from(token.to_vec()),
            Value::from(token_timestamp),
            Value::from(None::<i64>),
        ];
        self.put_rows(&TC_TOKENS, vec![row], NEWER_TOKEN_WINS).await
    }
}
