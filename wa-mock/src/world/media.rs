//! The encrypted blobs WhatsApp's media servers keep, by the path uploads are
//! answered with.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};

use bytes::Bytes;

const BLOB_PREFIX: &str = "/mms-blob/";

pub struct MediaStore {
    blobs: Mutex<HashMap<String, Bytes>>,
    /// Blobs the servers no longer serve (404), as the phone still has them.
    expired: Mutex<HashMap<String, Bytes>>,
    token: OnceLock<String>,
    /// Downloads wait while true (a slow CDN, as long as a test needs).
    held: tokio::sync::watch::Sender<bool>,
    /// Downloads waiting now.
    waiting: AtomicU64,
}

impl Default for MediaStore {
    fn default() -> Self {
        Self {
            blobs: Mutex::default(),
            expired: Mutex::default(),
            token: OnceLock::new(),
            held: tokio::sync::watch::Sender::new(false),
            waiting: AtomicU64::new(0),
        }
    }
}

impl MediaStore {
    /// The `auth` of every media connection (URL-safe: clients paste it as is).
    pub fn auth_token(&self) -> &str {
        self.token
            .get_or_init(|| format!("{:032x}", rand::random::<u128>()))
    }

    /// Keeps an encrypted blob; its direct path.
    pub fn put(&self, blob: impl Into<Bytes>) -> String {
        let path = format!("{BLOB_PREFIX}{:032x}.enc", rand::random::<u128>());
        self.blobs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(path.clone(), blob.into());
        path
    }

    pub fn get(&self, path: &str) -> Option<Bytes> {
        self.blobs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(path)
            .cloned()
    }

    /// Every blob kept so far expires: downloads answer 404 until a phone
    /// uploads one again (`reupload`). The number expired.
    pub fn expire_all(&self) -> usize {
        let blobs = std::mem::take(&mut *self.blobs.lock().unwrap_or_else(PoisonError::into_inner));
        let count = blobs.len();
        self.expired
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend(blobs);
        count
    }

    /// A phone uploads an expired blob again, as it still has the file: its new
    /// direct path, or `None` when no blob was ever kept at `path`.
    pub fn reupload(&self, path: &str) -> Option<String> {
        if self.get(path).is_some() {
            return Some(path.to_owned());
        }
        let blob = self
            .expired
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(path)
            .cloned()?;
        Some(self.put(blob))
    }

    /// Holds downloads until `hold(false)`.
    pub fn hold(&self, held: bool) {
        self.held.send_replace(held);
    }

    /// Resolves once downloads are not held.
    pub async fn pass(&self) {
        let mut held = self.held.subscribe();
        self.waiting.fetch_add(1, Ordering::Relaxed);
        let _ = held.wait_for(|held| !*held).await;
        self.waiting.fetch_sub(1, Ordering::Relaxed);
    }

    pub fn waiting(&self) -> u64 {
        self.waiting.load(Ordering::Relaxed)
    }
}
