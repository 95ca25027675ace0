//! Sender-key distribution per device, LID↔phone mappings, retry base keys,
//! the device registry and the group metadata cache.

use async_trait::async_trait;
use sea_orm::sea_query::{Expr, ExprTrait, Value};
use whatsapp_rust::wacore::store::error::Result;
use whatsapp_rust::wacore::store::traits::{DeviceListRecord, LidPnMappingEntry};

use super::DbStore;
use super::shapes::{
    BASE_KEYS, DEVICE_LISTS, GROUP_METADATA, LID_MAPPINGS, SENDER_KEY_DEVICES, device_list_row,
};
use super::sql::{self, OnExisting, col, get, row_filter};

/// A mapping learnt again keeps when it was first learnt.
const LID_MAPPING_UPDATE: OnExisting = OnExisting::Merge(&[
    ("phone_number", "excluded.phone_number"),
    ("updated_at", "excluded.updated_at"),
    ("learning_source", "excluded.learning_source"),
]);

fn text(value: &str) -> Value {
    Value::from(value.to_owned())
}

fn mapping_row(entry: &LidPnMappingEntry) -> Vec<Value> {
    vec![
        text(&entry.lid),
        text(&entry.phone_number),
        Value::from(entry.created_at),
        Value::from(entry.updated_at),
        text(&entry.learning_source),
    ]
}

fn mapping_of(row: &sea_orm::QueryResult) -> Result<LidPnMappingEntry> {
    Ok(LidPnMappingEntry {
        lid: get(row, 0)?,
        phone_number: get(row, 1)?,
        created_at: get(row, 2)?,
        updated_at: get(row, 3)?,
        learning_source: get(row, 4)?,
    })
}

const MAPPING_COLUMNS: &[&str] = &[
    "lid",
    "phone_number",
    "created_at",
    "updated_at",
    "learning_source",
];

/// A LID repeated in one batch, applied in order: the last mapping, first learnt
/// when the first of them was (as a repeat across batches keeps `created_at`).
fn first_learnt(entries: &[LidPnMappingEntry]) -> Vec<LidPnMappingEntry> {
    let mut position_of = std::collections::HashMap::with_capacity(entries.len());
    let mut unique: Vec<LidPnMappingEntry> = Vec::with_capacity(entries.len());
    for entry in entries {
        match position_of.get(entry.lid.as_str()) {
            Some(&at) => {
                let earlier: &mut LidPnMappingEntry = &mut unique[at];
                *earlier = LidPnMappingEntry {
                    created_at: earlier.created_at,
                    ..entry.clone()
                };
            }
            None => {
                position_of.insert(entry.lid.as_str(), unique.len());
                unique.push(entry.clone());
            }
        }
    }
    unique
}

impl DbStore {
    async fn lid_mapping_where(
        &self,
        filter: sea_orm::sea_query::SimpleExpr,
    ) -> Result<Option<LidPnMappingEntry>> {
        let mut select = sql::select(LID_MAPPINGS.table, MAPPING_COLUMNS, filter);
        select
            .order_by(col("updated_at"), sea_orm::Order::Desc)
            .limit(1);
        sql::one(&self.db.reads, &select)
            .await?
            .as_ref()
            .map(mapping_of)
            .transpose()
    }
}

#[async_trait]
impl whatsapp_rust::wacore::store::traits::ProtocolStore for DbStore {
    async fn get_sender_key_devices(&self, group_jid: &str) -> Result<Vec<(String, bool)>> {
        let filter = row_filter(self.instance(), &[("group_jid", text(group_jid))]);
        let mut select = sql::select(SENDER_KEY_DEVICES.table, &["device_jid", "has_key"], filter);
        select.order_by(col("device_jid"), sea_orm::Order::Asc);
        sql::all(&self.db.reads, &select)
            .await?
            .iter()
            .map(|row| Ok((get(row, 0)?, get(row, 1)?)))
            .collect()
    }

    async fn set_sender_key_status(&self, group_jid: &str, entries: &[(&str, bool)]) -> Result<()> {
        let rows = entries
            .iter()
            .map(|(device, has_key)| vec![text(group_jid), text(device), Value::from(*has_key)])
            .collect();
        self.put_rows(&SENDER_KEY_DEVICES, rows, OnExisting::Replace)
            .await
    }

    async fn clear_sender_key_devices(&self, group_jid: &str) -> Result<()> {
        self.delete_rows(SENDER_KEY_DEVICES.table, &[("group_jid", text(group_jid))])
            .await
            .map(drop)
    }

    async fn delete_sender_key_device_rows(&self, device_jids: &[&str]) -> Result<()> {
        let statements = device_jids
            .chunks(sql::IDS_PER_STATEMENT)
            .map(|chunk| {
                let filter = row_filter(self.instance(), &[]).and(
                    Expr::col(col("device_jid")).is_in(chunk.iter().map(|jid| (*jid).to_owned())),
                );
                self.build(&sql::delete(SENDER_KEY_DEVICES.table, filter))
            })
            .collect();
        self.write(statements).await.map(drop)
    }

    async fn clear_all_sender_key_devices(&self) -> Result<()> {
        self.delete_rows(SENDER_KEY_DEVICES.table, &[])
            .await
            .map(drop)
    }

    async fn get_lid_mapping(&self, lid: &str) -> Result<Option<LidPnMappingEntry>> {
        self.lid_mapping_where(row_filter(self.instance(), &[("lid", text(lid))]))
            .await
    }

    async fn get_pn_mapping(&self, phone: &str) -> Result<Option<LidPnMappingEntry>> {
        self.lid_mapping_where(row_filter(
            self.instance(),
            &[("phone_number", text(phone))],
        ))
        .await
    }

    async fn put_lid_mapping(&self, entry: &LidPnMappingEntry) -> Result<()> {
        self.put_rows(&LID_MAPPINGS, vec![mapping_row(entry)], LID_MAPPING_UPDATE)
            .await
    }

    async fn put_lid_mappings(&self, entries: &[LidPnMappingEntry]) -> Result<()> {
        let rows = first_learnt(entries).iter().map(mapping_row).collect();
        self.put_rows(&LID_MAPPINGS, rows, LID_MAPPING_UPDATE).await
    }

    async fn get_all_lid_mappings(&self) -> Result<Vec<LidPnMappingEntry>> {
        let mut select = sql::select(
            LID_MAPPINGS.table,
            MAPPING_COLUMNS,
            row_filter(self.instance(), &[]),
        );
        select.order_by(col("lid"), sea_orm::Order::Asc);
        sql::all(&self.db.reads, &select)
            .await?
            .iter()
            .map(mapping_of)
            .collect()
    }

    async fn save_base_key(&self, address: &str, message_id: &str, base_key: &[u8]) -> Result<()> {
        let row = vec![
            text(address),
            text(message_id),
            Value::from(base_key.to_vec()),
        ];
        self.put_rows(&BASE_KEYS, vec![row], OnExisting::Replace)
            .await
    }

    async fn has_same_base_key(
        &self,
        address: &str,
        message_id: &str,
        current_base_key: &[u8],
    ) -> Result<bool> {
        let stored = self
            .blob_of(
                &BASE_KEYS,
                &[("address", text(address)), ("message_id", text(message_id))],
            )
            .await?;
        Ok(stored.as_deref() == Some(current_base_key))
    }

    async fn delete_base_key(&self, address: &str, message_id: &str) -> Result<()> {
        self.delete_rows(
            BASE_KEYS.table,
            &[("address", text(address)), ("message_id", text(message_id))],
        )
        .await
        .map(drop)
    }

    async fn update_device_list(&self, record: DeviceListRecord) -> Result<()> {
        self.put_rows(
            &DEVICE_LISTS,
            vec![device_list_row(&record)?],
            OnExisting::Replace,
        )
        .await
    }

    async fn update_device_lists(&self, records: Vec<DeviceListRecord>) -> Result<()> {
        let rows = records.iter().map(device_list_row).collect::<Result<_>>()?;
        self.put_rows(&DEVICE_LISTS, rows, OnExisting::Replace)
            .await
    }

    async fn get_devices(&self, user: &str) -> Result<Option<DeviceListRecord>> {
        let select = sql::select(
            DEVICE_LISTS.table,
            &["record"],
            row_filter(self.instance(), &[("user_id", text(user))]),
        );
        let Some(row) = sql::one(&self.db.reads, &select).await? else {
            return Ok(None);
        };
        let stored: String = get(&row, 0)?;
        serde_json::from_str(&stored)
            .map(Some)
            .map_err(sql::encoding_error)
    }

    async fn delete_devices(&self, user: &str) -> Result<()> {
        self.delete_rows(DEVICE_LISTS.table, &[("user_id", text(user))])
            .await
            .map(drop)
    }

    async fn get_group_metadata(&self, group_jid: &str) -> Result<Option<Vec<u8>>> {
        self.blob_of(&GROUP_METADATA, &[("group_jid", text(group_jid))])
            .await
    }

    async fn put_group_metadata(&self, group_jid: &str, blob: &[u8]) -> Result<()> {
        let row = vec![text(group_jid), Value::from(blob.to_vec())];
        self.put_rows(&GROUP_METADATA, vec![row], OnExisting::Replace)
            .await
    }

    async fn delete_group_metadata(&self, group_jid: &str) -> Result<()> {
        self.delete_rows(GROUP_METADATA.table, &[("group_jid", text(group_jid))])
            .await
            .map(drop)
    }

    async fn get_tc_token(
        &self,
        jid: &str,
    ) -> Result<Option<whatsapp_rust::wacore::store::traits::TcTokenEntry>> {
        self.tc_token(jid).await
    }

    async fn put_tc_token(
        &self,
        jid: &str,
        entry: &whatsapp_rust::wacore::store::traits::TcTokenEntry,
    ) -> Result<()> {
        self.write_tc_token(jid, entry).await
    }

    async fn delete_tc_token(&self, jid: &str) -> Result<()> {
        self.delete_rows(super::shapes::TC_TOKENS.table, &[("jid", text(jid))])
            .await
            .map(drop)
    }

    async fn get_all_tc_token_jids(&self) -> Result<Vec<String>> {
        self.tc_token_jids().await
    }

    async fn delete_expired_tc_tokens(&self, token_cutoff: i64, sender_cutoff: i64) -> Result<u32> {
        self.expire_tc_tokens(token_cutoff, sender_cutoff).await
    }

    async fn touch_tc_token_sender_timestamp(
        &self,
        jid: &str,
        sender_timestamp: i64,
    ) -> Result<()> {
        self.touch_tc_token(jid, sender_timestamp).await
    }

    async fn store_received_tc_token(
        &self,
        jid: &str,
        token: &[u8],
        token_timestamp: i64,
    ) -> Result<()> {
        self.receive_tc_token(jid, token, token_timestamp).await
    }

    async fn store_sent_message(
        &self,
        chat_jid: &str,
        message_id: &str,
        payload: &[u8],
    ) -> Result<()> {
        self.keep_sent_message(chat_jid, message_id, payload).await
    }

    async fn take_sent_message(&self, chat_jid: &str, message_id: &str) -> Result<Option<Vec<u8>>> {
        self.take_sent(chat_jid, message_id).await
    }

    async fn delete_expired_sent_messages(&self, cutoff_timestamp: i64) -> Result<u32> {
        self.expire(super::shapes::SENT.table, "created_at", cutoff_timestamp)
            .await
    }

    async fn store_pending_inbound(
        &self,
        chat: &str,
        sender: &str,
        id: &str,
        message: &[u8],
    ) -> Result<()> {
        let row = super::queues::PendingInboundRow {
            chat,
            sender,
            id,
            message,
        };
        self.keep_pending_inbound(&[row]).await
    }

    async fn get_pending_inbound(
        &self,
        chat: &str,
        sender: &str,
        id: &str,
    ) -> Result<Option<Vec<u8>>> {
        self.pending_inbound(chat, sender, id).await
    }

    async fn delete_pending_inbound(&self, chat: &str, sender: &str, id: &str) -> Result<()> {
        let key = super::queues::PendingInboundKey { chat, sender, id };
        self.drop_pending_inbound(&[key]).await
    }

    async fn delete_expired_pending_inbound(&self, cutoff_timestamp: i64) -> Result<u32> {
        self.expire(super::shapes::PENDING.table, "created_at", cutoff_timestamp)
            .await
    }

    async fn store_pending_inbound_batch(
        &self,
        rows: &[super::queues::PendingInboundRow<'_>],
    ) -> Result<()> {
        self.keep_pending_inbound(rows).await
    }

    async fn delete_pending_inbound_batch(
        &self,
        keys: &[super::queues::PendingInboundKey<'_>],
    ) -> Result<()> {
        self.drop_pending_inbound(keys).await
    }
}
