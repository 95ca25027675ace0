//! What the engine requires to be atomic holds under concurrency, on every
//! database: a sent message is taken once, and the two tc-token writers
//! converge whatever their interleaving.

use std::sync::Arc;

use whatsapp_rust::wacore::store::traits::{DeviceStore, ProtocolStore, SignalStore};

use super::databases;
use crate::db::engine_store::DbStore;

const RACERS: usize = 16;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_sent_message_is_taken_once_however_many_retries_race() {
    let dir = tempfile::tempdir().unwrap();
    for (name, db) in databases(dir.path()).await {
        let store = Arc::new(DbStore::new("racing", db));
        for round in 0..10 {
            let id = format!("m{round}");
            store
                .store_sent_message("1@lid", &id, b"payload")
                .await
                .unwrap();
            let takers = (0..RACERS).map(|_| {
                let (store, id) = (store.clone(), id.clone());
                tokio::spawn(async move { store.take_sent_message("1@lid", &id).await.unwrap() })
            });
            let mut taken = 0;
            for taker in takers {
                if let Some(payload) = taker.await.unwrap() {
                    assert_eq!(payload, b"payload");
                    taken += 1;
                }
            }
            assert_eq!(taken, 1, "{name}: round {round} taken {taken} times");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn tc_token_writers_converge_whatever_their_order() {
    let dir = tempfile::tempdir().unwrap();
    for (name, db) in databases(dir.path()).await {
        let store = Arc::new(DbStore::new("tokens", db));
        let writers = (0..RACERS as i64).map(|n| {
            let store = store.clone();
            tokio::spawn(async move {
                if n % 2 == 0 {
                    store
                        .touch_tc_token_sender_timestamp("7@lid", 1_000 + n)
                        .await
                        .unwrap();
                } else {
                    let token = vec![u8::try_from(n).unwrap(); 4];
                    store
                        .store_received_tc_token("7@lid", &token, 2_000 + n)
                        .await
                        .unwrap();
                }
            })
        });
        for writer in writers {
            writer.await.unwrap();
        }
        let entry = store.get_tc_token("7@lid").await.unwrap().unwrap();
        let newest = RACERS as i64 - 1;
        assert_eq!(
            entry.token,
            vec![u8::try_from(newest).unwrap(); 4],
            "{name}: the newest token wins"
        );
        assert_eq!(entry.token_timestamp, 2_000 + newest, "{name}");
        assert_eq!(
            entry.sender_timestamp,
            Some(1_000 + newest - 1),
            "{name}: the sender timestamp only moves forward"
        );
    }
}

#[tokio::test]
async fn a_second_device_is_refused_and_a_deleted_session_stays_deleted() {
    let dir = tempfile::tempdir().unwrap();
    for (name, db) in databases(dir.path()).await {
        let store = DbStore::new("created", db.clone());
        assert!(!store.exists().await.unwrap(), "{name}");
        store.create().await.unwrap();
        assert!(store.exists().await.unwrap(), "{name}");
        assert!(
            store.create().await.is_err(),
            "{name}: a second device for one instance"
        );
        store
            .put_session("10@s.whatsapp.net", b"ratchet")
            .await
            .unwrap();
        let other = DbStore::new("other", db.clone());
        other
            .put_session("10@s.whatsapp.net", b"theirs")
            .await
            .unwrap();

        assert!(
            crate::db::engine_store::delete_session(&db, "created")
                .await
                .unwrap(),
            "{name}"
        );
        // A client still shutting down writes through a store whose session was deleted.
        store
            .deletion_flag()
            .store(true, std::sync::atomic::Ordering::Release);
        store
            .put_session("10@s.whatsapp.net", b"late")
            .await
            .unwrap();
        store
            .save(&store.load().await.unwrap().unwrap_or_default())
            .await
            .unwrap();
        assert!(
            !store.exists().await.unwrap(),
            "{name}: the device came back"
        );
        assert_eq!(
            store.get_session("10@s.whatsapp.net").await.unwrap(),
            None,
            "{name}"
        );
        assert_eq!(
            other
                .get_session("10@s.whatsapp.net")
                .await
                .unwrap()
                .as_deref(),
            Some(&b"theirs"[..]),
            "{name}: another instance's session is untouched"
        );
    }
}

/// Batches past one statement's parameter limit still land whole.
#[tokio::test]
async fn a_large_batch_lands_whole() {
    let dir = tempfile::tempdir().unwrap();
    for (name, db) in databases(dir.path()).await {
        let store = DbStore::new("batch", db);
        let keys: Vec<_> = (0..12_000u32)
            .map(|id| (id, bytes::Bytes::from(id.to_be_bytes().to_vec())))
            .collect();
        store.store_prekeys_batch(&keys, false).await.unwrap();
        let ids: Vec<u32> = (0..12_000).collect();
        assert_eq!(
            store.load_prekeys_batch(&ids).await.unwrap().len(),
            12_000,
            "{name}"
        );
        assert_eq!(store.get_max_prekey_id().await.unwrap(), 11_999, "{name}");
    }
}
