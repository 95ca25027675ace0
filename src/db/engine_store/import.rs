//! Moves a session from the engine's own per-instance SQLite file into the
//! database, once, in one transaction: the tables the engine stores raw are
//! copied row by row; the device, app-state keys and hash states (kept in the
//! file in the engine's private encodings) are read back through the engine's
//! own store, so they arrive exactly as the engine would load them.

use std::path::Path;

use sea_orm::sea_query::Value;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbErr, Statement, TransactionTrait};
use whatsapp_rust::store::SqliteStore;
use whatsapp_rust::wacore::store::error::StoreError;
use whatsapp_rust::wacore::store::traits::{AppSyncStore, DeviceStore, ProtocolStore};

use super::sql::{OnExisting, Shape};
use super::{StoreConnections, shapes};

/// The engine's store keeps its one account under this id.
const FILE_ACCOUNT: i64 = 1;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("reading the session file: {0}")]
    File(String),
    #[error("writing the session to the database: {0}")]
    Database(#[from] DbErr),
}

impl From<StoreError> for ImportError {
    fn from(err: StoreError) -> Self {
        Self::File(err.to_string())
    }
}

/// What an import found.
#[derive(Debug, PartialEq, Eq)]
pub enum Imported {
    /// The file held a device: it is in the database now, with this many other rows.
    Session { rows: usize },
    /// The file held no device (never paired): nothing to keep.
    Empty,
}

/// A raw copy: the file's table and columns (the account filter added), into one of ours.
struct RawCopy {
    from: &'static str,
    columns: &'static str,
    into: &'static Shape,
    /// Which columns are blobs, integers, booleans or nullable integers.
    kinds: &'static [Kind],
}

#[derive(Clone, Copy)]
enum Kind {
    Text,
    Bytes,
    Int,
    Bool,
    OptInt,
}

const RAW: &[RawCopy] = &[
    RawCopy {
        from: "identities",
        columns: "address, key",
        into: &shapes::IDENTITIES,
        kinds: &[Kind::Text, Kind::Bytes],
    },
    RawCopy {
        from: "sessions",
        columns: "address, record",
        into: &shapes::SESSIONS,
        kinds: &[Kind::Text, Kind::Bytes],
    },
    RawCopy {
        from: "prekeys",
        columns: "id, key, uploaded",
        into: &shapes::PREKEYS,
        kinds: &[Kind::Int, Kind::Bytes, Kind::Bool],
    },
    RawCopy {
        from: "signed_prekeys",
        columns: "id, record",
        into: &shapes::SIGNED_PREKEYS,
        kinds: &[Kind::Int, Kind::Bytes],
    },
    RawCopy {
        from: "sender_keys",
        columns: "address, record",
        into: &shapes::SENDER_KEYS,
        kinds: &[Kind::Text, Kind::Bytes],
    },
    RawCopy {
        from: "app_state_mutation_macs",
        columns: "name, index_mac, version, value_mac",
        into: &shapes::MACS,
        kinds: &[Kind::Text, Kind::Bytes, Kind::Int, Kind::Bytes],
    },
    RawCopy {
        from: "sender_key_devices",
        columns: "group_jid, device_jid, has_key",
        into: &shapes::SENDER_KEY_DEVICES,
        kinds: &[Kind::Text, Kind::Text, Kind::Bool],
    },
    RawCopy {
        from: "lid_pn_mapping",
        columns: "lid, phone_number, created_at, updated_at, learning_source",
        into: &shapes::LID_MAPPINGS,
        kinds: &[Kind::Text, Kind::Text, Kind::Int, Kind::Int, Kind::Text],
    },
    RawCopy {
        from: "base_keys",
        columns: "address, message_id, base_key",
        into: &shapes::BASE_KEYS,
        kinds: &[Kind::Text, Kind::Text, Kind::Bytes],
    },
    RawCopy {
        from: "group_metadata",
        columns: "group_jid, info",
        into: &shapes::GROUP_METADATA,
        kinds: &[Kind::Text, Kind::Bytes],
    },
    RawCopy {
        from: "tc_tokens",
        columns: "jid, token, token_timestamp, sender_timestamp",
        into: &shapes::TC_TOKENS,
        kinds: &[Kind::Text, Kind::Bytes, Kind::Int, Kind::OptInt],
    },
    RawCopy {
        from: "sent_messages",
        columns: "chat_jid, message_id, payload, created_at",
        into: &shapes::SENT,
        kinds: &[Kind::Text, Kind::Text, Kind::Bytes, Kind::Int],
    },
    RawCopy {
        from: "pending_inbound_messages",
        columns: "chat, sender, id, message, inserted_at",
        into: &shapes::PENDING,
        kinds: &[Kind::Text, Kind::Text, Kind::Text, Kind::Bytes, Kind::Int],
    },
    RawCopy {
        from: "msg_secrets",
        columns: "chat, sender, msg_id, secret, expires_at, message_ts",
        into: &shapes::SECRETS,
        kinds: &[
            Kind::Text,
            Kind::Text,
            Kind::Text,
            Kind::Bytes,
            Kind::Int,
            Kind::Int,
        ],
    },
];

fn value_of(row: &sea_orm::QueryResult, index: usize, kind: Kind) -> Result<Value, DbErr> {
    Ok(match kind {
        Kind::Text => Value::from(row.try_get_by_index::<String>(index)?),
        Kind::Bytes => Value::from(row.try_get_by_index::<Vec<u8>>(index)?),
        Kind::Int => Value::from(row.try_get_by_index::<i64>(index)?),
        Kind::Bool => Value::from(row.try_get_by_index::<i64>(index)? != 0),
        Kind::OptInt => Value::from(row.try_get_by_index::<Option<i64>>(index)?),
    })
}

async fn rows_of(
    file: &DatabaseConnection,
    sql: String,
) -> Result<Vec<sea_orm::QueryResult>, DbErr> {
    file.query_all_raw(Statement::from_sql_and_values(
        sea_orm::DbBackend::Sqlite,
        sql,
        [FILE_ACCOUNT.into()],
    ))
    .await
}

/// The file's keys of `column` in `table` (its one account's).
async fn keys_of<T: sea_orm::TryGetable>(
    file: &DatabaseConnection,
    table: &str,
    column: &str,
) -> Result<Vec<T>, ImportError> {
    let unreadable = |err: DbErr| ImportError::File(err.to_string());
    let rows = rows_of(
        file,
        format!("SELECT {column} FROM {table} WHERE device_id = ?"),
    )
    .await
    .map_err(unreadable)?;
    rows.iter()
        .map(|row| row.try_get_by_index(0).map_err(unreadable))
        .collect()
}

/// Copies the session in `path` into the database for `instance_id`. The file is left alone.
pub async fn import_file(
    db: &StoreConnections,
    instance_id: &str,
    path: &Path,
) -> Result<Imported, ImportError> {
    let location = path.to_string_lossy().into_owned();
    // Brings the file's schema up to date and decodes what the engine encodes privately.
    let engine_store = SqliteStore::new(&location).await?;
    let Some(device) = engine_store.load().await? else {
        return Ok(Imported::Empty);
    };
    let file = Database::connect(format!("sqlite://{location}?mode=ro"))
        .await
        .map_err(|err| ImportError::File(err.to_string()))?;
    let mut copies = Vec::with_capacity(RAW.len() + 3);
    for copy in RAW {
        let rows = rows_of(
            &file,
            format!(
                "SELECT {} FROM {} WHERE device_id = ?",
                copy.columns, copy.from
            ),
        )
        .await
        .map_err(|err| ImportError::File(err.to_string()))?;
        let values = rows
            .iter()
            .map(|row| {
                copy.kinds
                    .iter()
                    .enumerate()
                    .map(|(index, kind)| value_of(row, index, *kind))
                    .collect::<Result<Vec<_>, _>>()
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|err| ImportError::File(err.to_string()))?;
        copies.push((copy.into, values));
    }
    let mut keys = Vec::new();
    for key_id in keys_of::<Vec<u8>>(&file, "app_state_keys", "key_id").await? {
        if let Some(key) = engine_store.get_sync_key(&key_id).await? {
            keys.push(shapes::sync_key_row(&key_id, key));
        }
    }
    let mut versions = Vec::new();
    for name in keys_of::<String>(&file, "app_state_versions", "name").await? {
        versions.push(shapes::version_row(
            &name,
            &engine_store.get_version(&name).await?,
        )?);
    }
    let mut device_lists = Vec::new();
    for user in keys_of::<String>(&file, "device_registry", "user_id").await? {
        if let Some(record) = engine_store.get_devices(&user).await? {
            device_lists.push(shapes::device_list_row(&record)?);
        }
    }
    file.close_by_ref().await.ok();
    drop(engine_store);
    copies.push((&shapes::APP_STATE_KEYS, keys));
    copies.push((&shapes::VERSIONS, versions));
    copies.push((&shapes::DEVICE_LISTS, device_lists));

    let rows = copies.iter().map(|(_, rows)| rows.len()).sum();
    let txn = db.writes.begin().await?;
    // The file is the newer copy: a session left in the database by an earlier
    // import whose file could not be removed is replaced, not merged.
    super::wipe::delete_in(&txn, instance_id).await?;
    shapes::DEVICES
        .upsert(
            &txn,
            instance_id,
            vec![vec![shapes::device_value(&device)?]],
            OnExisting::Replace,
        )
        .await
        .map_err(store_to_db)?;
    for (shape, rows) in copies {
        shape
            .upsert(&txn, instance_id, rows, OnExisting::Replace)
            .await
            .map_err(store_to_db)?;
    }
    txn.commit().await?;
    Ok(Imported::Session { rows })
}

fn store_to_db(err: StoreError) -> DbErr {
    DbErr::Custom(err.to_string())
}

/// True when the database holds a session (a device) for the instance.
pub async fn has_session(db: &StoreConnections, instance_id: &str) -> Result<bool, DbErr> {
    let select = super::sql::exists("wa_devices", super::sql::row_filter(instance_id, &[]));
    Ok(db.reads.query_one(&select).await?.is_some())
}
