//! Running an operation on a store and rendering its answer: identities,
//! sessions, pre-keys, sender keys and app-state here; the rest in `apply_protocol`.

use std::sync::Arc;

use bytes::Bytes;
use whatsapp_rust::wacore::appstate::hash::HashState;
use whatsapp_rust::wacore::appstate::processor::AppStateMutationMAC;
use whatsapp_rust::wacore::store::traits::{AppStateSyncKey, Backend};

use super::ops::Op;
use super::values::{address, group, sorted};

pub(super) fn mac(n: u8) -> [u8; 32] {
    [n; 32]
}

/// Runs `op` (step `step` of its case) and renders what it answered, sorted where
/// the trait leaves the order open.
pub async fn apply(store: &Arc<dyn Backend>, op: &Op, step: i64) -> String {
    match op.clone() {
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
        other => super::apply_protocol::apply(store, other, step).await,
    }
}
