//! This account's own device: its keys, identity and counters, one row per instance.

use std::sync::Arc;

use async_trait::async_trait;
use sea_orm::sea_query::{Query, Value};
use whatsapp_rust::wacore::stats::StorageResourceReport;
use whatsapp_rust::wacore::store::Device;
use whatsapp_rust::wacore::store::device::DEVICE_PROPS;
use whatsapp_rust::wacore::store::error::Result;
use whatsapp_rust::wacore::store::traits::DeviceStore;

use super::DbStore;
use super::shapes::{DEVICES, device_value};
use super::sql::{self, OnExisting, col, get, row_filter};

/// The id the engine's own store gives the one account of a store.
const DEVICE_ID: i32 = 1;

#[async_trait]
impl DeviceStore for DbStore {
    async fn save(&self, device: &Device) -> Result<()> {
        self.put_rows(
            &DEVICES,
            vec![vec![device_value(device)?]],
            OnExisting::Replace,
        )
        .await
    }

    async fn load(&self) -> Result<Option<Device>> {
        let select = sql::select(
            DEVICES.table,
            DEVICES.values,
            row_filter(self.instance(), &[]),
        );
        let Some(row) = sql::one(&self.db.reads, &select).await? else {
            return Ok(None);
        };
        let stored: String = get(&row, 0)?;
        let mut device: Device = serde_json::from_str(&stored).map_err(sql::encoding_error)?;
        // Not persisted (it describes this build, not the session): set as the engine's store does.
        device.device_props = Arc::new(DEVICE_PROPS.clone());
        Ok(Some(device))
    }

    async fn exists(&self) -> Result<bool> {
        self.row_exists(DEVICES.table, &[]).await
    }

    /// A fresh device; an instance that already has one is refused, as the engine's store does.
    async fn create(&self) -> Result<i32> {
        let mut insert = Query::insert();
        insert
            .into_table(col(DEVICES.table))
            .columns([col(sql::INSTANCE), col("device")])
            .values([
                Value::from(self.instance().to_owned()).into(),
                device_value(&Device::new())?.into(),
            ])
            .map_err(|err| {
                whatsapp_rust::wacore::store::error::StoreError::Validation(err.to_string())
            })?;
        self.write(vec![self.build(&insert)]).await?;
        Ok(DEVICE_ID)
    }

    /// The session lives in the database, not in this process.
    async fn resource_report(&self) -> StorageResourceReport {
        StorageResourceReport {
            memory_bytes: Some(0),
            ..StorageResourceReport::default()
        }
    }
}
