//! The store operations a conformance case is made of, small domains on purpose
//! (a handful of addresses, ids and groups) so that writes collide, overwrite
//! and delete what earlier steps wrote.

use std::sync::Arc;

use bytes::Bytes;
use proptest::prelude::*;
use whatsapp_rust::wacore::appstate::hash::HashState;
use whatsapp_rust::wacore::appstate::processor::AppStateMutationMAC;
use whatsapp_rust::wacore::store::traits::{
    AppStateSyncKey, Backend, DeviceInfo, DeviceListRecord, LidPnMappingEntry, MsgSecretEntry,
    PendingInboundKey, PendingInboundRow, TcTokenEntry,
};

/// Far enough ahead that every row written "now" is older.
const FUTURE: i64 = 4_000_000_000;

#[derive(Debug, Clone)]
pub enum Op {
    PutIdentities(Vec<(u8, u8)>),
    LoadIdentity(u8),
    DeleteIdentity(u8),
    PutSessions(Vec<(u8, Vec<u8>)>),
    GetSession(u8),
    HasSession(u8),
    DeleteSession(u8),
    HasSignalState(u8),
    StorePrekeys(Vec<(u32, Vec<u8>)>, bool),
    LoadPrekeys(Vec<u32>),
    MarkUploaded(Vec<u32>),
    RemovePrekey(u32),
    MaxPrekey,
    StoreSigned(u32, Vec<u8>),
    LoadAllSigned,
    RemoveSigned(u32),
    PutSenderKeys(Vec<(u8, Vec<u8>)>),
    GetSenderKey(u8),
    DeleteSenderKey(u8),
    SetSyncKey(u8, u8),
    GetSyncKey(u8),
    LatestSyncKey,
    SetVersion(u8, u64, Vec<(u8, u8)>),
    GetVersion(u8),
    PutMacs(u8, u64, Vec<(u8, u8)>),
    GetMacs(u8, Vec<u8>),
    DeleteMacs(u8, Vec<u8>),
    ClearMacs(u8),
    SetSenderKeyStatus(u8, Vec<(u8, bool)>),
    SenderKeyDevices(u8),
    ClearSenderKeyDevices(u8),
    DeleteSenderKeyRows(Vec<u8>),
    ClearAllSenderKeyDevices,
    PutLids(Vec<(u8, u8, i64)>),
    GetLid(u8),
    GetPn(u8),
    AllLids,
    SaveBaseKey(u8, u8, Vec<u8>),
    SameBaseKey(u8, u8, Vec<u8>),
    DeleteBaseKey(u8, u8),
    UpdateDeviceLists(
        Vec<(
            u8,
            Vec<(u32, Option<u32>, bool)>,
            i32,
            Option<u8>,
            Option<u32>,
        )>,
    ),
    GetDevices(u8),
    DeleteDevices(u8),
    PutGroupMetadata(u8, Vec<u8>),
    GetGroupMetadata(u8),
    DeleteGroupMetadata(u8),
    PutTcToken(u8, Vec<u8>, i64, Option<i64>),
    GetTcToken(u8),
    DeleteTcToken(u8),
    AllTcJids,
    ExpireTcTokens(i64, i64),
    TouchTcToken(u8, i64),
    ReceiveTcToken(u8, Vec<u8>, i64),
    StoreSent(u8, u8, Vec<u8>),
    TakeSent(u8, u8),
    ExpireSent(bool),
    StorePending(Vec<(u8, u8, u8, Vec<u8>)>),
    GetPending(u8, u8, u8),
    DeletePending(Vec<(u8, u8, u8)>),
    ExpirePending(bool),
    PutSecrets(Vec<(u8, u8, u8, u8, i64, i64)>),
    GetSecret(u8, u8, u8),
    ExpireSecrets(i64),
    SaveDevice(String, u32),
    LoadDevice,
    DeviceExists,
}

fn small() -> impl Strategy<Value = u8> {
    0u8..4
}

fn blob() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..6)
}

fn few<T: std::fmt::Debug>(item: impl Strategy<Value = T>) -> impl Strategy<Value = Vec<T>> {
    prop::collection::vec(item, 0..5)
}

fn time() -> impl Strategy<Value = i64> {
    prop_oneof![Just(0i64), 1i64..50, Just(FUTURE)]
}

pub fn op() -> impl Strategy<Value = Op> {
    let id = 0u32..6;
    prop_oneof![
        few((small(), any::<u8>())).prop_map(Op::PutIdentities),
        small().prop_map(Op::LoadIdentity),
        small().prop_map(Op::DeleteIdentity),
        few((small(), blob())).prop_map(Op::PutSessions),
        small().prop_map(Op::GetSession),
        small().prop_map(Op::HasSession),
        small().prop_map(Op::DeleteSession),
        small().prop_map(Op::HasSignalState),
        (few((id.clone(), blob())), any::<bool>()).prop_map(|(k, u)| Op::StorePrekeys(k, u)),
        few(id.clone()).prop_map(Op::LoadPrekeys),
        few(id.clone()).prop_map(Op::MarkUploaded),
        id.clone().prop_map(Op::RemovePrekey),
        Just(Op::MaxPrekey),
        (id.clone(), blob()).prop_map(|(i, r)| Op::StoreSigned(i, r)),
        Just(Op::LoadAllSigned),
        id.prop_map(Op::RemoveSigned),
        few((small(), blob())).prop_map(Op::PutSenderKeys),
        small().prop_map(Op::GetSenderKey),
        small().prop_map(Op::DeleteSenderKey),
        (small(), any::<u8>()).prop_map(|(k, s)| Op::SetSyncKey(k, s)),
        small().prop_map(Op::GetSyncKey),
        Just(Op::LatestSyncKey),
        (small(), 0u64..9, few((small(), any::<u8>())))
            .prop_map(|(n, v, m)| Op::SetVersion(n, v, m)),
        small().prop_map(Op::GetVersion),
        (small(), 0u64..9, few((small(), any::<u8>()))).prop_map(|(n, v, m)| Op::PutMacs(n, v, m)),
        (small(), few(small())).prop_map(|(n, m)| Op::GetMacs(n, m)),
        (small(), few(small())).prop_map(|(n, m)| Op::DeleteMacs(n, m)),
        small().prop_map(Op::ClearMacs),
        (small(), few((small(), any::<bool>()))).prop_map(|(g, e)| Op::SetSenderKeyStatus(g, e)),
        small().prop_map(Op::SenderKeyDevices),
        small().prop_map(Op::ClearSenderKeyDevices),
        few(small()).prop_map(Op::DeleteSenderKeyRows),
        Just(Op::ClearAllSenderKeyDevices),
        few((small(), small(), 0i64..100)).prop_map(Op::PutLids),
        small().prop_map(Op::GetLid),
        small().prop_map(Op::GetPn),
        Just(Op::AllLids),
        (small(), small(), blob()).prop_map(|(a, m, k)| Op::SaveBaseKey(a, m, k)),
        (small(), small(), blob()).prop_map(|(a, m, k)| Op::SameBaseKey(a, m, k)),
        (small(), small()).prop_map(|(a, m)| Op::DeleteBaseKey(a, m)),
        few((
            small(),
            few((0u32..4, prop::option::of(0u32..9), any::<bool>())),
            0i32..1_000_000,
            prop::option::of(small()),
            prop::option::of(any::<u32>())
        ))
        .prop_map(Op::UpdateDeviceLists),
        small().prop_map(Op::GetDevices),
        small().prop_map(Op::DeleteDevices),
        (small(), blob()).prop_map(|(g, b)| Op::PutGroupMetadata(g, b)),
        small().prop_map(Op::GetGroupMetadata),
        small().prop_map(Op::DeleteGroupMetadata),
        (small(), blob(), time(), prop::option::of(time()))
            .prop_map(|(j, t, ts, s)| Op::PutTcToken(j, t, ts, s)),
        small().prop_map(Op::GetTcToken),
        small().prop_map(Op::DeleteTcToken),
        Just(Op::AllTcJids),
        (time(), time()).prop_map(|(t, s)| Op::ExpireTcTokens(t, s)),
        (small(), time()).prop_map(|(j, t)| Op::TouchTcToken(j, t)),
        (small(), blob(), time()).prop_map(|(j, t, ts)| Op::ReceiveTcToken(j, t, ts)),
        (small(), small(), blob()).prop_map(|(c, m, p)| Op::StoreSent(c, m, p)),
        (small(), small()).prop_map(|(c, m)| Op::TakeSent(c, m)),
        any::<bool>().prop_map(Op::ExpireSent),
        few((small(), small(), small(), blob())).prop_map(Op::StorePending),
        (small(), small(), small()).prop_map(|(c, s, i)| Op::GetPending(c, s, i)),
        few((small(), small(), small())).prop_map(Op::DeletePending),
        any::<bool>().prop_map(Op::ExpirePending),
        few((small(), small(), small(), any::<u8>(), time(), time())).prop_map(Op::PutSecrets),
        (small(), small(), small()).prop_map(|(c, s, i)| Op::GetSecret(c, s, i)),
        time().prop_map(Op::ExpireSecrets),
        ("[a-z]{0,6}", any::<u32>()).prop_map(|(n, c)| Op::SaveDevice(n, c)),
        Just(Op::LoadDevice),
        Just(Op::DeviceExists),
    ]
}

fn address(n: u8) -> String {
    // Device 0 and companion devices of users 1..3.
    match n % 2 {
        0 => format!("1{}@s.whatsapp.net", n / 2),
        _ => format!("1{}:{}@s.whatsapp.net", n / 2, n),
    }
}

fn jid(n: u8) -> String {
    format!("{n}@lid")
}

fn group(n: u8) -> String {
    format!("1203630{n}@g.us")
}

fn mac(n: u8) -> [u8; 32] {
    [n; 32]
}

/// Runs `op` (step `step` of its case) and renders what it answered, sorted where
/// the trait leaves the order open.
pub async fn apply(store: &Arc<dyn Backend>, op: &Op, step: i64) -> String {
    let answer = match op.clone() {
        Op::PutIdentities(rows) => {
            let rows: Vec<_> = rows
                .iter()
                .map(|(a, k)| (Arc::from(address(*a)), [*k; 32]))
                .collect();
            format!(
                "{:?}",
                store.put_identities_batch(&rows).await.map_err(drop)
            )
        }
        Op::LoadIdentity(a) => {
            format!("{:?}", store.load_identity(&address(a)).await.map_err(drop))
        }
        Op::DeleteIdentity(a) => format!(
            "{:?}",
            store.delete_identity(&address(a)).await.map_err(drop)
        ),
        Op::PutSessions(rows) => {
            let rows: Vec<_> = rows
                .iter()
                .map(|(a, r)| (Arc::from(address(*a)), Bytes::from(r.clone())))
                .collect();
            format!("{:?}", store.put_sessions_batch(&rows).await.map_err(drop))
        }
        Op::GetSession(a) => format!("{:?}", store.get_session(&address(a)).await.map_err(drop)),
        Op::HasSession(a) => format!("{:?}", store.has_session(&address(a)).await.map_err(drop)),
        Op::DeleteSession(a) => format!(
            "{:?}",
            store.delete_session(&address(a)).await.map_err(drop)
        ),
        Op::HasSignalState(u) => format!(
            "{:?}",
            store
                .has_signal_state_for_user(&format!("1{u}"))
                .await
                .map_err(drop)
        ),
        Op::StorePrekeys(keys, uploaded) => {
            let keys: Vec<_> = keys.into_iter().map(|(i, r)| (i, Bytes::from(r))).collect();
            format!(
                "{:?}",
                store
                    .store_prekeys_batch(&keys, uploaded)
                    .await
                    .map_err(drop)
            )
        }
        Op::LoadPrekeys(ids) => {
            let mut ids = ids;
            ids.sort_unstable();
            ids.dedup();
            let mut found = store.load_prekeys_batch(&ids).await.map_err(drop);
            if let Ok(found) = &mut found {
                found.sort();
            }
            format!("{found:?}")
        }
        Op::MarkUploaded(ids) => format!(
            "{:?}",
            store.mark_prekeys_uploaded(&ids).await.map_err(drop)
        ),
        Op::RemovePrekey(id) => format!("{:?}", store.remove_prekey(id).await.map_err(drop)),
        Op::MaxPrekey => format!("{:?}", store.get_max_prekey_id().await.map_err(drop)),
        Op::StoreSigned(id, record) => format!(
            "{:?}",
            store.store_signed_prekey(id, &record).await.map_err(drop)
        ),
        Op::LoadAllSigned => sorted(store.load_all_signed_prekeys().await.map_err(drop)),
        Op::RemoveSigned(id) => format!("{:?}", store.remove_signed_prekey(id).await.map_err(drop)),
        Op::PutSenderKeys(rows) => {
            let rows: Vec<_> = rows
                .iter()
                .map(|(a, r)| (Arc::from(group(*a)), Bytes::from(r.clone())))
                .collect();
            format!(
                "{:?}",
                store.put_sender_keys_batch(&rows).await.map_err(drop)
            )
        }
        Op::GetSenderKey(a) => format!("{:?}", store.get_sender_key(&group(a)).await.map_err(drop)),
        Op::DeleteSenderKey(a) => format!(
            "{:?}",
            store.delete_sender_key(&group(a)).await.map_err(drop)
        ),
        Op::SetSyncKey(id, seed) => {
            let key = AppStateSyncKey {
                key_data: vec![seed; 32],
                fingerprint: vec![seed, id],
                timestamp: i64::from(seed),
            };
            format!("{:?}", store.set_sync_key(&[id], key).await.map_err(drop))
        }
        Op::GetSyncKey(id) => format!("{:?}", store.get_sync_key(&[id]).await.map_err(drop)),
        Op::LatestSyncKey => format!("{:?}", store.get_latest_sync_key_id().await.map_err(drop)),
        Op::SetVersion(name, version, entries) => {
            let state = HashState {
                version,
                hash: [name; 128],
                index_value_map: entries
                    .iter()
                    .map(|(k, v)| (format!("index{k}"), vec![*v; 3]))
                    .collect(),
                ..HashState::default()
            };
            format!(
                "{:?}",
                store
                    .set_version(&format!("regular{name}"), state)
                    .await
                    .map_err(drop)
            )
        }
        Op::GetVersion(name) => match store.get_version(&format!("regular{name}")).await {
            Ok(state) => {
                let mut map: Vec<_> = state.index_value_map.into_iter().collect();
                map.sort();
                format!("{} {:?} {:?}", state.version, &state.hash[..4], map)
            }
            Err(_) => "error".into(),
        },
        Op::PutMacs(name, version, macs) => {
            let macs: Vec<_> = macs
                .iter()
                .map(|(i, v)| AppStateMutationMAC {
                    index_mac: mac(*i).to_vec(),
                    value_mac: vec![*v; 4],
                })
                .collect();
            format!(
                "{:?}",
                store
                    .put_mutation_macs(&format!("c{name}"), version, &macs)
                    .await
                    .map_err(drop)
            )
        }
        Op::GetMacs(name, indexes) => {
            let indexes: Vec<_> = indexes.iter().map(|i| mac(*i)).collect();
            match store.get_mutation_macs(&format!("c{name}"), &indexes).await {
                Ok(found) => sorted::<([u8; 32], Vec<u8>)>(Ok(found.into_iter().collect())),
                Err(_) => "error".into(),
            }
        }
        Op::DeleteMacs(name, indexes) => {
            let indexes: Vec<_> = indexes.iter().map(|i| mac(*i).to_vec()).collect();
            format!(
                "{:?}",
                store
                    .delete_mutation_macs(&format!("c{name}"), &indexes)
                    .await
                    .map_err(drop)
            )
        }
        Op::ClearMacs(name) => format!(
            "{:?}",
            store
                .clear_mutation_macs(&format!("c{name}"))
                .await
                .map_err(drop)
        ),
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
    };
    answer
}

fn sorted<T: Ord + std::fmt::Debug>(answer: Result<Vec<T>, ()>) -> String {
    match answer {
        Ok(mut items) => {
            items.sort();
            format!("{items:?}")
        }
        Err(()) => "error".into(),
    }
}

/// Every read over the small domains: what a store holds, asked every way.
pub fn every_read() -> Vec<Op> {
    let mut reads = vec![
        Op::MaxPrekey,
        Op::LoadAllSigned,
        Op::LoadPrekeys((0..6).collect()),
        Op::LatestSyncKey,
        Op::AllLids,
        Op::AllTcJids,
        Op::LoadDevice,
        Op::DeviceExists,
    ];
    for n in 0..4u8 {
        reads.extend([
            Op::LoadIdentity(n),
            Op::GetSession(n),
            Op::HasSignalState(n),
            Op::GetSenderKey(n),
            Op::GetSyncKey(n),
            Op::GetVersion(n),
            Op::GetMacs(n, (0..4).collect()),
            Op::SenderKeyDevices(n),
            Op::GetLid(n),
            Op::GetPn(n),
            Op::GetDevices(n),
            Op::GetGroupMetadata(n),
            Op::GetTcToken(n),
        ]);
        for m in 0..4u8 {
            for i in 0..4u8 {
                reads.push(Op::GetPending(n, m, i));
                reads.push(Op::GetSecret(n, m, i));
            }
            reads.push(Op::SameBaseKey(n, m, Vec::new()));
            // A take empties both stores alike, so it reads as well as any read.
            reads.push(Op::TakeSent(n, m));
        }
    }
    reads
}
