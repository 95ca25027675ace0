//! Running the protocol, tc-token, queue, message-secret and device operations.

use std::sync::Arc;

use whatsapp_rust::wacore::store::traits::{
    Backend, DeviceInfo, DeviceListRecord, LidPnMappingEntry, MsgSecretEntry, PendingInboundKey,
    PendingInboundRow, TcTokenEntry,
};

use super::ops::{FUTURE, Op};
use super::values::{address, group, jid, sorted};

pub async fn apply(store: &Arc<dyn Backend>, op: Op, step: i64) -> String {
    match op {
        Op::SetSenderKeyStatus(g, entries) => {
            let devices: Vec<_> = entries.iter().map(|(d, has)| (address(*d), *has)).collect();
            let entries: Vec<_> = devices.iter().map(|(d, has)| (d.as_str(), *has)).collect();
            format!(
                "{:?}",
                store
                    .set_sender_key_status(&group(g), &entries)
                    .await
                    .map_err(drop)
            )
        }
        Op::SenderKeyDevices(g) => {
            sorted(store.get_sender_key_devices(&group(g)).await.map_err(drop))
        }
        Op::ClearSenderKeyDevices(g) => format!(
            "{:?}",
            store
                .clear_sender_key_devices(&group(g))
                .await
                .map_err(drop)
        ),
        Op::DeleteSenderKeyRows(devices) => {
            let devices: Vec<_> = devices.iter().map(|d| address(*d)).collect();
            let devices: Vec<_> = devices.iter().map(String::as_str).collect();
            format!(
                "{:?}",
                store
                    .delete_sender_key_device_rows(&devices)
                    .await
                    .map_err(drop)
            )
        }
        Op::ClearAllSenderKeyDevices => format!(
            "{:?}",
            store.clear_all_sender_key_devices().await.map_err(drop)
        ),
        Op::PutLids(entries) => {
            // Every write later than the last, so "the most recent LID of a phone" has one answer.
            let entries: Vec<_> = entries
                .iter()
                .enumerate()
                .map(|(at, (lid, phone, created))| LidPnMappingEntry {
                    lid: format!("90{lid}"),
                    phone_number: format!("1{phone}"),
                    created_at: *created,
                    updated_at: step * 100 + at as i64,
                    learning_source: format!("usync{lid}"),
                })
                .collect();
            format!("{:?}", store.put_lid_mappings(&entries).await.map_err(drop))
        }
        Op::GetLid(lid) => format!(
            "{:?}",
            store
                .get_lid_mapping(&format!("90{lid}"))
                .await
                .map_err(drop)
        ),
        Op::GetPn(phone) => format!(
            "{:?}",
            store
                .get_pn_mapping(&format!("1{phone}"))
                .await
                .map_err(drop)
        ),
        Op::AllLids => match store.get_all_lid_mappings().await {
            Ok(all) => sorted(Ok(all.into_iter().map(|m| format!("{m:?}")).collect())),
            Err(_) => "error".into(),
        },
        Op::SaveBaseKey(a, m, key) => format!(
            "{:?}",
            store
                .save_base_key(&address(a), &format!("m{m}"), &key)
                .await
                .map_err(drop)
        ),
        Op::SameBaseKey(a, m, key) => format!(
            "{:?}",
            store
                .has_same_base_key(&address(a), &format!("m{m}"), &key)
                .await
                .map_err(drop)
        ),
        Op::DeleteBaseKey(a, m) => format!(
            "{:?}",
            store
                .delete_base_key(&address(a), &format!("m{m}"))
                .await
                .map_err(drop)
        ),
        Op::UpdateDeviceLists(records) => {
            let records = records
                .into_iter()
                .map(
                    |(user, devices, timestamp, phash, raw_id)| DeviceListRecord {
                        user: format!("1{user}"),
                        devices: devices
                            .into_iter()
                            .map(|(id, key, hosted)| DeviceInfo::new(id, key).with_hosting(hosted))
                            .collect(),
                        timestamp: i64::from(timestamp),
                        phash: phash.map(|p| format!("2:{p}")),
                        raw_id,
                    },
                )
                .collect();
            format!(
                "{:?}",
                store.update_device_lists(records).await.map_err(drop)
            )
        }
        Op::GetDevices(user) => format!(
            "{:?}",
            store.get_devices(&format!("1{user}")).await.map_err(drop)
        ),
        Op::DeleteDevices(user) => format!(
            "{:?}",
            store
                .delete_devices(&format!("1{user}"))
                .await
                .map_err(drop)
        ),
        Op::PutGroupMetadata(g, blob) => format!(
            "{:?}",
            store
                .put_group_metadata(&group(g), &blob)
                .await
                .map_err(drop)
        ),
        Op::GetGroupMetadata(g) => format!(
            "{:?}",
            store.get_group_metadata(&group(g)).await.map_err(drop)
        ),
        Op::DeleteGroupMetadata(g) => format!(
            "{:?}",
            store.delete_group_metadata(&group(g)).await.map_err(drop)
        ),
        Op::PutTcToken(j, token, token_timestamp, sender_timestamp) => {
            let entry = TcTokenEntry {
                token,
                token_timestamp,
                sender_timestamp,
            };
            format!(
                "{:?}",
                store.put_tc_token(&jid(j), &entry).await.map_err(drop)
            )
        }
        Op::GetTcToken(j) => format!("{:?}", store.get_tc_token(&jid(j)).await.map_err(drop)),
        Op::DeleteTcToken(j) => format!("{:?}", store.delete_tc_token(&jid(j)).await.map_err(drop)),
        Op::AllTcJids => sorted(store.get_all_tc_token_jids().await.map_err(drop)),
        Op::ExpireTcTokens(token, sender) => format!(
            "{:?}",
            store
                .delete_expired_tc_tokens(token, sender)
                .await
                .map_err(drop)
        ),
        Op::TouchTcToken(j, ts) => format!(
            "{:?}",
            store
                .touch_tc_token_sender_timestamp(&jid(j), ts)
                .await
                .map_err(drop)
        ),
        Op::ReceiveTcToken(j, token, ts) => format!(
            "{:?}",
            store
                .store_received_tc_token(&jid(j), &token, ts)
                .await
                .map_err(drop)
        ),
        Op::StoreSent(c, m, payload) => format!(
            "{:?}",
            store
                .store_sent_message(&jid(c), &format!("m{m}"), &payload)
                .await
                .map_err(drop)
        ),
        Op::TakeSent(c, m) => format!(
            "{:?}",
            store
                .take_sent_message(&jid(c), &format!("m{m}"))
                .await
                .map_err(drop)
        ),
        Op::ExpireSent(all) => format!(
            "{:?}",
            store
                .delete_expired_sent_messages(if all { FUTURE } else { 0 })
                .await
                .map_err(drop)
        ),
        Op::StorePending(rows) => {
            let keys: Vec<_> = rows
                .iter()
                .map(|(c, s, i, m)| (jid(*c), jid(*s), format!("m{i}"), m.clone()))
                .collect();
            let rows: Vec<_> = keys
                .iter()
                .map(|(chat, sender, id, message)| PendingInboundRow {
                    chat,
                    sender,
                    id,
                    message,
                })
                .collect();
            format!(
                "{:?}",
                store.store_pending_inbound_batch(&rows).await.map_err(drop)
            )
        }
        Op::GetPending(c, s, i) => format!(
            "{:?}",
            store
                .get_pending_inbound(&jid(c), &jid(s), &format!("m{i}"))
                .await
                .map_err(drop)
        ),
        Op::DeletePending(keys) => {
            let owned: Vec<_> = keys
                .iter()
                .map(|(c, s, i)| (jid(*c), jid(*s), format!("m{i}")))
                .collect();
            let keys: Vec<_> = owned
                .iter()
                .map(|(chat, sender, id)| PendingInboundKey { chat, sender, id })
                .collect();
            format!(
                "{:?}",
                store
                    .delete_pending_inbound_batch(&keys)
                    .await
                    .map_err(drop)
            )
        }
        Op::ExpirePending(all) => format!(
            "{:?}",
            store
                .delete_expired_pending_inbound(if all { FUTURE } else { 0 })
                .await
                .map_err(drop)
        ),
        Op::PutSecrets(rows) => {
            let entries = rows
                .iter()
                .map(|(c, s, i, secret, expires_at, message_ts)| MsgSecretEntry {
                    chat: Arc::from(jid(*c)),
                    sender: Arc::from(jid(*s)),
                    msg_id: Arc::from(format!("m{i}")),
                    secret: [*secret; 32],
                    expires_at: *expires_at,
                    message_ts: *message_ts,
                })
                .collect();
            format!("{:?}", store.put_msg_secrets(entries).await.map_err(drop))
        }
        Op::GetSecret(c, s, i) => format!(
            "{:?}",
            store
                .get_msg_secret_with_ts(&jid(c), &jid(s), &format!("m{i}"))
                .await
                .map_err(drop)
        ),
        Op::ExpireSecrets(cutoff) => format!(
            "{:?}",
            store.delete_expired_msg_secrets(cutoff).await.map_err(drop)
        ),
        Op::SaveDevice(push_name, counter) => match store.load().await {
            Ok(Some(mut device)) => {
                device.push_name = push_name;
                device.next_pre_key_id = counter;
                format!("{:?}", store.save(&device).await.map_err(drop))
            }
            other => format!("no device to change: {}", other.is_ok()),
        },
        Op::LoadDevice => match store.load().await {
            Ok(device) => serde_json::to_string(&device).unwrap_or_default(),
            Err(_) => "error".into(),
        },
        Op::DeviceExists => format!("{:?}", store.exists().await.map_err(drop)),
        other => unreachable!("not a protocol operation: {other:?}"),
    }
}
