//! The engine's session store under a mix of operations modelled on an engine
//! instance sending and receiving, in two forms:
//! - `Mix::Engine`, what the store sees behind the engine's own signal cache
//!   (wacore's `SignalStoreCache` keeps sessions, identities and sender keys in
//!   memory and flushes the changed ones): per message the advanced session
//!   flushed, the sent message kept for retry receipts and its secret; every
//!   fourth a group message (sender key flushed); every tenth a contact not in
//!   the cache (identity and session read, a pre-key consumed and replenished,
//!   the identity written); every twentieth an app-state patch (hash state and
//!   mutation MACs read and written).
//! - `Mix::EveryCall`, the worst case: as if nothing were cached, every message
//!   also reads the identity, the session and (group) the sender key.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use whatsapp_rust::wacore::appstate::processor::AppStateMutationMAC;
use whatsapp_rust::wacore::store::traits::{Backend, MsgSecretEntry};

/// Instances using their stores at once.
pub const INSTANCES: usize = 50;
const CONTACTS: u64 = 40;
const GROUPS: u64 = 4;
const PREKEYS: u32 = 200;
/// A Signal session record's usual size.
const SESSION_BYTES: usize = 1_000;

fn contact(n: u64) -> Arc<str> {
    Arc::from(format!("1555{n:07}@s.whatsapp.net"))
}

fn group(n: u64) -> Arc<str> {
    Arc::from(format!("1203630000{n}@g.us::1555000000:0"))
}

/// What a linked instance's store holds before the mix starts.
pub async fn seed(store: &dyn Backend) -> anyhow::Result<()> {
    if !store.exists().await? {
        store.create().await?;
    }
    let prekeys: Vec<_> = (1..=PREKEYS)
        .map(|id| (id, Bytes::from(vec![7u8; 120])))
        .collect();
    store.store_prekeys_batch(&prekeys, true).await?;
    let sessions: Vec<_> = (0..CONTACTS)
        .map(|n| (contact(n), Bytes::from(vec![1u8; SESSION_BYTES])))
        .collect();
    store.put_sessions_batch(&sessions).await?;
    let identities: Vec<_> = (0..CONTACTS).map(|n| (contact(n), [2u8; 32])).collect();
    store.put_identities_batch(&identities).await?;
    let sender_keys: Vec<_> = (0..GROUPS)
        .map(|n| (group(n), Bytes::from(vec![3u8; 400])))
        .collect();
    store.put_sender_keys_batch(&sender_keys).await?;
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mix {
    Engine,
    EveryCall,
}

/// One message's worth of store work; the operations it made.
async fn cycle(store: &dyn Backend, n: u64, mix: Mix) -> anyhow::Result<u64> {
    let peer = contact(n % CONTACTS);
    let mut operations = 0;
    if mix == Mix::EveryCall {
        store.load_identity(&peer).await?;
        store.get_session(&peer).await?;
        operations += 2;
    }
    let record = Bytes::from(vec![(n % 251) as u8; SESSION_BYTES]);
    store.put_sessions_batch(&[(peer.clone(), record)]).await?;
    let message_id = format!("3EB0{n:016X}");
    store
        .store_sent_message(&peer, &message_id, &[5u8; 200])
        .await?;
    let secret = MsgSecretEntry {
        chat: peer.clone(),
        sender: peer.clone(),
        msg_id: Arc::from(message_id),
        secret: [6u8; 32],
        expires_at: 0,
        message_ts: n as i64,
    };
    store.put_msg_secrets(vec![secret]).await?;
    operations += 3;
    if n.is_multiple_of(4) {
        let sender = group(n % GROUPS);
        if mix == Mix::EveryCall {
            store.get_sender_key(&sender).await?;
            operations += 1;
        }
        store
            .put_sender_keys_batch(&[(sender, Bytes::from(vec![(n % 251) as u8; 400]))])
            .await?;
        operations += 1;
    }
    if n.is_multiple_of(10) {
        if mix == Mix::Engine {
            store.load_identity(&peer).await?;
            store.get_session(&peer).await?;
            operations += 2;
        }
        let id = (n / 10 % u64::from(PREKEYS)) as u32 + 1;
        store.load_prekey(id).await?;
        store.remove_prekey(id).await?;
        store
            .store_prekeys_batch(&[(id, Bytes::from(vec![7u8; 120]))], false)
            .await?;
        store
            .put_identities_batch(&[(peer.clone(), [2u8; 32])])
            .await?;
        operations += 4;
    }
    if n.is_multiple_of(20) {
        let collection = "regular_high";
        let mut state = store.get_version(collection).await?;
        let macs: Vec<_> = (0..4u8)
            .map(|i| AppStateMutationMAC {
                index_mac: vec![i.wrapping_add(n as u8); 32],
                value_mac: vec![9u8; 32],
            })
            .collect();
        let indexes: Vec<[u8; 32]> = macs.iter().map(|m| [m.index_mac[0]; 32]).collect();
        store.get_mutation_macs(collection, &indexes).await?;
        state.version += 1;
        store
            .put_mutation_macs(collection, state.version, &macs)
            .await?;
        store.set_version(collection, state).await?;
        operations += 4;
    }
    Ok(operations)
}

/// Runs the mix on every store at once until `stop`, counting operations into `done`.
/// `pace`: each instance's time per message at the least (`None`: as fast as it goes).
pub async fn run(
    stores: Vec<Arc<dyn Backend>>,
    mix: Mix,
    pace: Option<Duration>,
    done: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
) -> anyhow::Result<()> {
    let workers: Vec<_> = stores
        .into_iter()
        .map(|store| {
            let (done, stop) = (done.clone(), stop.clone());
            tokio::spawn(async move {
                let mut n = 0u64;
                let mut ticks = pace.map(tokio::time::interval);
                while !stop.load(Ordering::Relaxed) {
                    if let Some(ticks) = &mut ticks {
                        ticks.tick().await;
                    }
                    done.fetch_add(cycle(store.as_ref(), n, mix).await?, Ordering::Relaxed);
                    n += 1;
                }
                anyhow::Ok(())
            })
        })
        .collect();
    for worker in workers {
        worker.await??;
    }
    Ok(())
}

/// Operations per second of the mix on these stores, over `duration` (after a short warm-up).
pub async fn measure(
    stores: Vec<Arc<dyn Backend>>,
    mix: Mix,
    duration: Duration,
) -> anyhow::Result<f64> {
    for store in &stores {
        seed(store.as_ref()).await?;
    }
    let (done, stop) = (
        Arc::new(AtomicU64::new(0)),
        Arc::new(AtomicBool::new(false)),
    );
    let running = tokio::spawn(run(stores, mix, None, done.clone(), stop.clone()));
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (start, started) = (done.load(Ordering::Relaxed), Instant::now());
    tokio::time::sleep(duration).await;
    let operations = done.load(Ordering::Relaxed) - start;
    let elapsed = started.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    running.await??;
    Ok(operations as f64 / elapsed)
}

/// Beside sends, each instance handles ten messages a second: 500 a second over
/// fifty instances, a heavy day for real accounts. Unpaced, the mix would measure
/// how two processes' worth of work share two cores, not how they share the database.
pub const BESIDE_PACE: Duration = Duration::from_millis(100);

/// The file the server's in-process mix counts its operations into.
pub const COUNT_FILE: &str = "store-mix.ops";

/// Inside the server (`WAMUX_BENCH_STORE_MIX`): the mix on the server's own session
/// connections, on a runtime of its own as the engine has, for as long as the server runs.
pub fn beside_server(connections: wamux::db::engine_store::StoreConnections, dir: &Path) {
    let count_file = dir.join(COUNT_FILE);
    std::thread::spawn(move || {
        let runtime = match tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime,
            Err(err) => return eprintln!("store mix: {err}"),
        };
        runtime.block_on(async move {
            let stores: Vec<Arc<dyn Backend>> = (0..INSTANCES)
                .map(|n| -> Arc<dyn Backend> {
                    Arc::new(wamux::db::engine_store::DbStore::new(
                        &format!("bench-mix-{n}"),
                        connections.clone(),
                    ))
                })
                .collect();
            for store in &stores {
                if let Err(err) = seed(store.as_ref()).await {
                    return eprintln!("store mix: {err:#}");
                }
            }
            let (done, stop) = (
                Arc::new(AtomicU64::new(0)),
                Arc::new(AtomicBool::new(false)),
            );
            let counting = {
                let done = done.clone();
                tokio::spawn(async move {
                    // Written aside and renamed over: a reader never sees the
                    // file truncated and empty (a count of 0 mid-run).
                    let writing = count_file.with_extension("writing");
                    loop {
                        let count = done.load(Ordering::Relaxed).to_string();
                        if std::fs::write(&writing, count).is_ok() {
                            let _ = std::fs::rename(&writing, &count_file);
                        }
                        tokio::time::sleep(Duration::from_millis(200)).await;
                    }
                })
            };
            if let Err(err) = run(stores, Mix::Engine, Some(BESIDE_PACE), done, stop).await {
                eprintln!("store mix: {err:#}");
            }
            counting.abort();
        });
    });
}

/// The in-server mix's operations so far.
pub fn count_in(dir: &Path) -> u64 {
    std::fs::read_to_string(dir.join(COUNT_FILE))
        .ok()
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(0)
}
