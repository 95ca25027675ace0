//! Every session table's shape: its key and value columns after `instance_id`
//! (migration `m20261129_000014_engine_sessions`), and the rows of the values
//! stored in an encoding of ours.

use sea_orm::sea_query::Value;
use whatsapp_rust::wacore::appstate::hash::HashState;
use whatsapp_rust::wacore::store::Device;
use whatsapp_rust::wacore::store::error::Result;
use whatsapp_rust::wacore::store::traits::{AppStateSyncKey, DeviceListRecord};

use super::sql::{self, Shape};

pub static IDENTITIES: Shape = Shape {
    table: "wa_identities",
    key: &["address"],
    values: &["identity_key"],
};

pub static SESSIONS: Shape = Shape {
    table: "wa_signal_sessions",
    key: &["address"],
    values: &["record"],
};

pub static PREKEYS: Shape = Shape {
    table: "wa_prekeys",
    key: &["key_id"],
    values: &["record", "uploaded"],
};

pub static SIGNED_PREKEYS: Shape = Shape {
    table: "wa_signed_prekeys",
    key: &["key_id"],
    values: &["record"],
};

pub static SENDER_KEYS: Shape = Shape {
    table: "wa_sender_keys",
    key: &["address"],
    values: &["record"],
};

pub static APP_STATE_KEYS: Shape = Shape {
    table: "wa_app_state_keys",
    key: &["key_id"],
    values: &["key_data", "fingerprint", "key_timestamp"],
};

pub static VERSIONS: Shape = Shape {
    table: "wa_app_state_versions",
    key: &["collection"],
    values: &["state"],
};

pub static MACS: Shape = Shape {
    table: "wa_app_state_macs",
    key: &["collection", "index_mac"],
    values: &["version", "value_mac"],
};

pub static SENDER_KEY_DEVICES: Shape = Shape {
    table: "wa_sender_key_devices",
    key: &["group_jid", "device_jid"],
    values: &["has_key"],
};

pub static LID_MAPPINGS: Shape = Shape {
    table: "wa_lid_mappings",
    key: &["lid"],
    values: &[
        "phone_number",
        "created_at",
        "updated_at",
        "learning_source",
    ],
};

pub static BASE_KEYS: Shape = Shape {
    table: "wa_base_keys",
    key: &["address", "message_id"],
    values: &["base_key"],
};

pub static DEVICE_LISTS: Shape = Shape {
    table: "wa_device_lists",
    key: &["user_id"],
    values: &["record"],
};

pub static GROUP_METADATA: Shape = Shape {
    table: "wa_group_metadata",
    key: &["group_jid"],
    values: &["metadata"],
};

pub static TC_TOKENS: Shape = Shape {
    table: "wa_tc_tokens",
    key: &["jid"],
    values: &["token", "token_timestamp", "sender_timestamp"],
};

pub static SENT: Shape = Shape {
    table: "wa_sent_messages",
    key: &["chat_jid", "message_id"],
    values: &["payload", "created_at"],
};

pub static PENDING: Shape = Shape {
    table: "wa_pending_inbound",
    key: &["chat_jid", "sender_jid", "message_id"],
    values: &["message", "created_at"],
};

pub static SECRETS: Shape = Shape {
    table: "wa_msg_secrets",
    key: &["chat_jid", "sender_jid", "message_id"],
    values: &["secret", "expires_at", "message_ts"],
};

pub static DEVICES: Shape = Shape {
    table: "wa_devices",
    key: &[],
    values: &["device"],
};

pub fn sync_key_row(key_id: &[u8], key: AppStateSyncKey) -> Vec<Value> {
    vec![
        Value::from(key_id.to_vec()),
        Value::from(key.key_data),
        Value::from(key.fingerprint),
        Value::from(key.timestamp),
    ]
}

pub fn version_row(collection: &str, state: &HashState) -> Result<Vec<Value>> {
    let stored = serde_json::to_string(state).map_err(sql::encoding_error)?;
    Ok(vec![
        Value::from(collection.to_owned()),
        Value::from(stored),
    ])
}

pub fn device_list_row(record: &DeviceListRecord) -> Result<Vec<Value>> {
    let stored = serde_json::to_string(record).map_err(sql::encoding_error)?;
    Ok(vec![Value::from(record.user.clone()), Value::from(stored)])
}

pub fn device_value(device: &Device) -> Result<Value> {
    serde_json::to_string(device)
        .map(Value::from)
        .map_err(sql::encoding_error)
}
