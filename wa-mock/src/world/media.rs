//! The encrypted blobs WhatsApp's media servers keep, by the path uploads are
//! answered with.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock, PoisonError};

use bytes::Bytes;

const BLOB_PREFIX: &str = "/mms-blob/";

#[derive(Default)]
pub struct MediaStore {
    blobs: Mutex<HashMap<String, Bytes>>,
    token: OnceLock<String>,
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
}
