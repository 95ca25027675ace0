//! Identity keys, Signal sessions, pre-keys, signed pre-keys and sender keys.

use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr, Query, Value};
use whatsapp_rust::wacore::store::error::{Result, StoreError};
use whatsapp_rust::wacore::store::traits::SignalStore;

use super::DbStore;
use super::shapes::{IDENTITIES, PREKEYS, SENDER_KEYS, SESSIONS, SIGNED_PREKEYS};
use super::sql::{self, OnExisting, Shape, col, get, row_filter};

fn text(value: &str) -> Value {
    Value::from(value.to_owned())
}

fn bytes(value: &[u8]) -> Value {
    Value::from(value.to_vec())
}

impl DbStore {
    pub(super) async fn blob_of(
        &self,
        shape: &Shape,
        key: &[(&'static str, Value)],
    ) -> Result<Option<Vec<u8>>> {
        let select = sql::select(
            shape.table,
            &shape.values[..1],
            row_filter(self.instance(), key),
        );
        match sql::one(&self.db.reads, &select).await? {
            Some(row) => Ok(Some(get(&row, 0)?)),
            None => Ok(None),
        }
    }

    pub(super) async fn put_rows(
        &self,
        shape: &'static Shape,
        rows: Vec<Vec<Value>>,
        on_existing: OnExisting,
    ) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let rows = rows
            .into_iter()
            .map(|row| sql::with_instance(self.instance(), row))
            .collect();
        self.write_work(super::writer::Work::Upsert {
            shape,
            on_existing,
            rows,
        })
        .await
        .map(drop)
    }

    pub(super) async fn delete_rows(
        &self,
        table: &'static str,
        key: &[(&'static str, Value)],
    ) -> Result<u64> {
        let delete = sql::delete(table, row_filter(self.instance(), key));
        Ok(self.write(vec![self.build(&delete)]).await?.rows_affected)
    }

    pub(super) async fn row_exists(
        &self,
        table: &'static str,
        key: &[(&'static str, Value)],
    ) -> Result<bool> {
        let select = sql::exists(table, row_filter(self.instance(), key));
        Ok(sql::one(&self.db.reads, &select).await?.is_some())
    }
}

fn identity_of(stored: Vec<u8>) -> Result<[u8; 32]> {
    let length = stored.len();
    stored
        .try_into()
        .map_err(|_| StoreError::Validation(format!("identity key of {length} bytes, not 32")))
}

#[async_trait]
impl SignalStore for DbStore {
    async fn put_identity(&self, address: &str, key: [u8; 32]) -> Result<()> {
        let row = vec![text(address), bytes(&key)];
        self.put_rows(&IDENTITIES, vec![row], OnExisting::Replace)
            .await
    }

    async fn put_identities_batch(&self, identities: &[(Arc<str>, [u8; 32])]) -> Result<()> {
        let rows = identities
            .iter()
            .map(|(address, key)| vec![text(address), bytes(key)])
            .collect();
        self.put_rows(&IDENTITIES, rows, OnExisting::Replace).await
    }

    async fn load_identity(&self, address: &str) -> Result<Option<[u8; 32]>> {
        self.blob_of(&IDENTITIES, &[("address", text(address))])
            .await?
            .map(identity_of)
            .transpose()
    }

    async fn delete_identity(&self, address: &str) -> Result<()> {
        self.delete_rows(IDENTITIES.table, &[("address", text(address))])
            .await
            .map(drop)
    }

    async fn get_session(&self, address: &str) -> Result<Option<Bytes>> {
        Ok(self
            .blob_of(&SESSIONS, &[("address", text(address))])
            .await?
            .map(Bytes::from))
    }

    async fn put_session(&self, address: &str, session: &[u8]) -> Result<()> {
        let row = vec![text(address), bytes(session)];
        self.put_rows(&SESSIONS, vec![row], OnExisting::Replace)
            .await
    }

    async fn put_sessions_batch(&self, sessions: &[(Arc<str>, Bytes)]) -> Result<()> {
        let rows = sessions
            .iter()
            .map(|(address, record)| vec![text(address), bytes(record)])
            .collect();
        self.put_rows(&SESSIONS, rows, OnExisting::Replace).await
    }

    async fn delete_session(&self, address: &str) -> Result<()> {
        self.delete_rows(SESSIONS.table, &[("address", text(address))])
            .await
            .map(drop)
    }

    async fn has_session(&self, address: &str) -> Result<bool> {
        self.row_exists(SESSIONS.table, &[("address", text(address))])
            .await
    }

    async fn has_signal_state_for_user(&self, user: &str) -> Result<bool> {
        for table in [SESSIONS.table, IDENTITIES.table] {
            let of_user = row_filter(self.instance(), &[]).and(
                Expr::col(col("address"))
                    .like(LikeExpr::new(format!("{}@%", escape_like(user))).escape('\\'))
                    .or(Expr::col(col("address"))
                        .like(LikeExpr::new(format!("{}:%", escape_like(user))).escape('\\'))),
            );
            if sql::one(&self.db.reads, &sql::exists(table, of_user))
                .await?
                .is_some()
            {
                return Ok(true);
            }
        }
        Ok(false)
    }

    async fn store_prekey(&self, id: u32, record: &[u8], uploaded: bool) -> Result<()> {
        let row = vec![
            Value::from(i64::from(id)),
            bytes(record),
            Value::from(uploaded),
        ];
        self.put_rows(&PREKEYS, vec![row], OnExisting::Replace)
            .await
    }

    async fn store_prekeys_batch(&self, keys: &[(u32, Bytes)], uploaded: bool) -> Result<()> {
        let rows = keys
            .iter()
            .map(|(id, record)| {
                vec![
                    Value::from(i64::from(*id)),
                    bytes(record),
                    Value::from(uploaded),
                ]
            })
            .collect();
        self.put_rows(&PREKEYS, rows, OnExisting::Replace).await
    }

    async fn load_prekey(&self, id: u32) -> Result<Option<Bytes>> {
        Ok(self
            .blob_of(&PREKEYS, &[("key_id", Value::from(i64::from(id)))])
            .await?
            .map(Bytes::from))
    }

    async fn load_prekeys_batch(&self, ids: &[u32]) -> Result<Vec<(u32, Bytes)>> {
        let mut found = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(sql::IDS_PER_STATEMENT) {
            let filter = row_filter(self.instance(), &[])
                .and(Expr::col(col("key_id")).is_in(chunk.iter().map(|id| i64::from(*id))));
            let select = sql::select(PREKEYS.table, &["key_id", "record"], filter);
            for row in sql::all(&self.db.reads, &select).await? {
                let id: i64 = get(&row, 0)?;
                let record: Vec<u8> = get(&row, 1)?;
                found.push((key_id(id)?, Bytes::from(record)));
            }
        }
        // In the order asked for, as the trait's default answers.
        found.sort_by_key(|(id, _)| ids.iter().position(|asked| asked == id));
        Ok(found)
    }

    async fn mark_prekeys_uploaded(&self, ids: &[u32]) -> Result<()> {
        let statements = ids
            .chunks(sql::IDS_PER_STATEMENT)
            .map(|chunk| {
                let mut update = Query::update();
                update
                    .table(col(PREKEYS.table))
                    .value(col("uploaded"), true)
                    .and_where(row_filter(self.instance(), &[]).and(
                        Expr::col(col("key_id")).is_in(chunk.iter().map(|id| i64::from(*id))),
                    ));
                self.build(&update)
            })
            .collect();
        self.write(statements).await.map(drop)
    }

    async fn remove_prekey(&self, id: u32) -> Result<()> {
        self.delete_rows(PREKEYS.table, &[("key_id", Value::from(i64::from(id)))])
            .await
            .map(drop)
    }

    async fn get_max_prekey_id(&self) -> Result<u32> {
        let mut select = Query::select();
        select
            .from(col(PREKEYS.table))
            .expr(Func::max(Expr::col(col("key_id"))))
            .and_where(row_filter(self.instance(), &[]));
        let highest = match sql::one(&self.db.reads, &select).await? {
            Some(row) => get::<Option<i64>>(&row, 0)?,
            None => None,
        };
        highest.map_or(Ok(0), key_id)
    }

    async fn store_signed_prekey(&self, id: u32, record: &[u8]) -> Result<()> {
        let row = vec![Value::from(i64::from(id)), bytes(record)];
        self.put_rows(&SIGNED_PREKEYS, vec![row], OnExisting::Replace)
            .await
    }

    async fn load_signed_prekey(&self, id: u32) -> Result<Option<Vec<u8>>> {
        self.blob_of(&SIGNED_PREKEYS, &[("key_id", Value::from(i64::from(id)))])
            .await
    }

    async fn load_all_signed_prekeys(&self) -> Result<Vec<(u32, Vec<u8>)>> {
        let mut select = sql::select(
            SIGNED_PREKEYS.table,
            &["key_id", "record"],
            row_filter(self.instance(), &[]),
        );
        select.order_by(col("key_id"), sea_orm::Order::Asc);
        sql::all(&self.db.reads, &select)
            .await?
            .iter()
            .map(|row| Ok((key_id(get(row, 0)?)?, get(row, 1)?)))
            .collect()
    }

    async fn remove_signed_prekey(&self, id: u32) -> Result<()> {
        self.delete_rows(
            SIGNED_PREKEYS.table,
            &[("key_id", Value::from(i64::from(id)))],
        )
        .await
        .map(drop)
    }

    async fn put_sender_key(&self, address: &str, record: &[u8]) -> Result<()> {
        let row = vec![text(address), bytes(record)];
        self.put_rows(&SENDER_KEYS, vec![row], OnExisting::Replace)
            .await
    }

    async fn put_sender_keys_batch(&self, sender_keys: &[(Arc<str>, Bytes)]) -> Result<()> {
        let rows = sender_keys
            .iter()
            .map(|(address, record)| vec![text(address), bytes(record)])
            .collect();
        self.put_rows(&SENDER_KEYS, rows, OnExisting::Replace).await
    }

    async fn get_sender_key(&self, address: &str) -> Result<Option<Vec<u8>>> {
        self.blob_of(&SENDER_KEYS, &[("address", text(address))])
            .await
    }

    async fn delete_sender_key(&self, address: &str) -> Result<()> {
        self.delete_rows(SENDER_KEYS.table, &[("address", text(address))])
            .await
            .map(drop)
    }
}

fn key_id(stored: i64) -> Result<u32> {
    u32::try_from(stored)
        .map_err(|_| StoreError::Validation(format!("pre-key id {stored} out of range")))
}

/// A user id as a LIKE prefix: `%`, `_` and the escape itself match only themselves.
fn escape_like(user: &str) -> String {
    user.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}
