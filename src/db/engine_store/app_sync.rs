//! App-state sync: keys, each collection's hash state, and the mutation MACs.

use std::collections::HashMap;

use async_trait::async_trait;
use sea_orm::sea_query::{Expr, ExprTrait, Value};
use whatsapp_rust::wacore::appstate::hash::HashState;
use whatsapp_rust::wacore::appstate::processor::AppStateMutationMAC;
use whatsapp_rust::wacore::store::error::Result;
use whatsapp_rust::wacore::store::traits::{AppStateSyncKey, AppSyncStore};

use super::DbStore;
use super::shapes::{APP_STATE_KEYS, MACS, VERSIONS, sync_key_row, version_row};
use super::sql::{self, OnExisting, col, get, row_filter};

fn collection(name: &str) -> (&'static str, Value) {
    ("collection", Value::from(name.to_owned()))
}

#[async_trait]
impl AppSyncStore for DbStore {
    async fn get_sync_key(&self, key_id: &[u8]) -> Result<Option<AppStateSyncKey>> {
        let filter = row_filter(self.instance(), &[("key_id", Value::from(key_id.to_vec()))]);
        let select = sql::select(APP_STATE_KEYS.table, APP_STATE_KEYS.values, filter);
        let Some(row) = sql::one(&self.db.reads, &select).await? else {
            return Ok(None);
        };
        Ok(Some(AppStateSyncKey {
            key_data: get(&row, 0)?,
            fingerprint: get(&row, 1)?,
            timestamp: get(&row, 2)?,
        }))
    }

    async fn set_sync_key(&self, key_id: &[u8], key: AppStateSyncKey) -> Result<()> {
        let row = sync_key_row(key_id, key);
        self.put_rows(&APP_STATE_KEYS, vec![row], OnExisting::Replace)
            .await
    }

    async fn get_version(&self, name: &str) -> Result<HashState> {
        let select = sql::select(
            VERSIONS.table,
            VERSIONS.values,
            row_filter(self.instance(), &[collection(name)]),
        );
        let Some(row) = sql::one(&self.db.reads, &select).await? else {
            return Ok(HashState::default());
        };
        let stored: String = get(&row, 0)?;
        // An unreadable state resyncs the collection from version 0, as the
        // engine's own store does, rather than failing every sync.
        Ok(serde_json::from_str(&stored).unwrap_or_else(|err| {
            tracing::warn!(instance_id = %self.instance(), collection = name, error = %err, "app-state version unreadable; resyncing");
            HashState::default()
        }))
    }

    async fn set_version(&self, name: &str, state: HashState) -> Result<()> {
        let row = version_row(name, &state)?;
        self.put_rows(&VERSIONS, vec![row], OnExisting::Replace)
            .await
    }

    async fn put_mutation_macs(
        &self,
        name: &str,
        version: u64,
        mutations: &[AppStateMutationMAC],
    ) -> Result<()> {
        let version = i64::try_from(version).unwrap_or(i64::MAX);
        let rows = mutations
            .iter()
            .map(|mac| {
                vec![
                    Value::from(name.to_owned()),
                    Value::from(mac.index_mac.clone()),
                    Value::from(version),
                    Value::from(mac.value_mac.clone()),
                ]
            })
            .collect();
        self.put_rows(&MACS, rows, OnExisting::Replace).await
    }

    async fn get_mutation_mac(&self, name: &str, index_mac: &[u8]) -> Result<Option<Vec<u8>>> {
        let key = [
            collection(name),
            ("index_mac", Value::from(index_mac.to_vec())),
        ];
        let select = sql::select(
            MACS.table,
            &["value_mac"],
            row_filter(self.instance(), &key),
        );
        match sql::one(&self.db.reads, &select).await? {
            Some(row) => Ok(Some(get(&row, 0)?)),
            None => Ok(None),
        }
    }

    async fn get_mutation_macs(
        &self,
        name: &str,
        index_macs: &[[u8; 32]],
    ) -> Result<HashMap<[u8; 32], Vec<u8>>> {
        let mut found = HashMap::with_capacity(index_macs.len());
        for chunk in index_macs.chunks(sql::IDS_PER_STATEMENT) {
            let filter = row_filter(self.instance(), &[collection(name)])
                .and(Expr::col(col("index_mac")).is_in(chunk.iter().map(|mac| mac.to_vec())));
            let select = sql::select(MACS.table, &["index_mac", "value_mac"], filter);
            for row in sql::all(&self.db.reads, &select).await? {
                let index: Vec<u8> = get(&row, 0)?;
                if let Ok(index) = <[u8; 32]>::try_from(index) {
                    found.insert(index, get(&row, 1)?);
                }
            }
        }
        Ok(found)
    }

    async fn delete_mutation_macs(&self, name: &str, index_macs: &[Vec<u8>]) -> Result<()> {
        let statements = index_macs
            .chunks(sql::IDS_PER_STATEMENT)
            .map(|chunk| {
                let filter = row_filter(self.instance(), &[collection(name)])
                    .and(Expr::col(col("index_mac")).is_in(chunk.iter().cloned()));
                self.build(&sql::delete(MACS.table, filter))
            })
            .collect();
        self.write(statements).await.map(drop)
    }

    async fn clear_mutation_macs(&self, name: &str) -> Result<()> {
        self.delete_rows(MACS.table, &[collection(name)])
            .await
            .map(drop)
    }

    async fn get_latest_sync_key_id(&self) -> Result<Option<Vec<u8>>> {
        // The highest key id, as the engine's own store answers.
        let mut select = sql::select(
            APP_STATE_KEYS.table,
            &["key_id"],
            row_filter(self.instance(), &[]),
        );
        select
            .order_by(col("key_id"), sea_orm::Order::Desc)
            .limit(1);
        match sql::one(&self.db.reads, &select).await? {
            Some(row) => Ok(Some(get(&row, 0)?)),
            None => Ok(None),
        }
    }
}
