//! The simulated network's media servers. A simulated phone encrypts its file
//! with the engine's own media encryption (its `MediaEncryptor`, as
//! `encrypt_media` uses it) and uploads the ciphertext here; the
//! receiving instance downloads it through the engine's own downloader (its
//! `MediaDownloader`, with this server behind the `HttpClient` it calls), which
//! checks the hashes and decrypts as it does against WhatsApp's servers.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use whatsapp_rust::download::MediaType;
use whatsapp_rust::download::{Downloadable, MediaDownloader, MediaHost, MediaRoute};
use whatsapp_rust::http::{HttpClient, HttpRequest, HttpResponse};
use whatsapp_rust::wacore::upload::{EncryptedMediaInfo, MediaEncryptor};

use crate::whatsapp::model::{self, MediaSource, Uploaded};
use crate::whatsapp::{MediaKind, WaError};

/// The engine's media encryption into a buffer sized for the result at once:
/// grown by doubling, it would briefly hold the file three times over.
fn encrypt(
    plaintext: &[u8],
    media_type: MediaType,
) -> anyhow::Result<(EncryptedMediaInfo, Vec<u8>)> {
    // PKCS#7 adds at most one block, the MAC ten bytes.
    let mut ciphertext = Vec::with_capacity(plaintext.len() + 16 + 10);
    let sidecar = matches!(media_type, MediaType::Audio | MediaType::Video);
    let mut encryptor = MediaEncryptor::new_with_sidecar(media_type, sidecar)?;
    encryptor.update(plaintext, &mut ciphertext);
    let info = encryptor.finalize(&mut ciphertext)?;
    Ok((info, ciphertext))
}

/// A name that resolves nowhere: nothing but this module ever answers for it.
pub const HOST: &str = "mmg.sim.invalid";

/// An upload is kept until its recipient downloads it, or this long when
/// nobody does (a phone outside the network): the network must not grow
/// without bound.
const KEPT_FOR: Duration = Duration::from_secs(600);

/// Uploaded ciphertext by direct path, with when it came.
type Files = HashMap<String, (Instant, Vec<u8>)>;

#[derive(Default)]
pub struct MediaServer {
    files: Mutex<Files>,
}

impl MediaServer {
    fn files(&self) -> MutexGuard<'_, Files> {
        self.files
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Encrypts and stores a file as a phone uploads it before sending; runs
    /// the encryption off the async threads.
    pub async fn upload(
        self: Arc<Self>,
        plaintext: bytes::Bytes,
        kind: MediaKind,
    ) -> Result<Uploaded, WaError> {
        // A media message announces the plaintext's length.
        let file_length = plaintext.len() as u64;
        let upload_failed =
            |reason: String| WaError::Session(format!("media upload failed: {reason}"));
        let (encrypted, ciphertext) =
            tokio::task::spawn_blocking(move || encrypt(&plaintext, model::media_type(kind)))
                .await
                .map_err(|err| upload_failed(err.to_string()))?
                .map_err(|err| upload_failed(err.to_string()))?;
        let direct_path = format!(
            "/v/t62.7118-24/sim/{}",
            hex::encode(&encrypted.file_enc_sha256[..16])
        );
        let mut files = self.files();
        files.retain(|_, (stored, _)| stored.elapsed() < KEPT_FOR);
        files.insert(direct_path.clone(), (Instant::now(), ciphertext));
        Ok(Uploaded {
            url: format!("https://{HOST}{direct_path}"),
            direct_path,
            media_key: encrypted.media_key,
            file_enc_sha256: encrypted.file_enc_sha256,
            file_sha256: encrypted.file_sha256,
            file_length,
            media_key_timestamp: chrono::Utc::now().timestamp(),
            streaming_sidecar: encrypted.streaming_sidecar,
        })
    }

    /// The file is gone from the servers, as WhatsApp's media expires.
    pub fn expire(&self, direct_path: &str) {
        self.files().remove(direct_path);
    }

    #[cfg(test)]
    pub(super) fn get(&self, direct_path: &str) -> Option<Vec<u8>> {
        self.files().get(direct_path).map(|(_, file)| file.clone())
    }

    /// The file for its one recipient (the simulated network has no groups):
    /// handed over, not copied, so a large file is not held twice.
    fn take(&self, direct_path: &str) -> Option<Vec<u8>> {
        self.files().remove(direct_path).map(|(_, file)| file)
    }

    /// How instances of the simulated network download media.
    pub fn downloads(self: &Arc<Self>) -> Arc<dyn MediaSource> {
        let downloader = MediaDownloader::new(
            Arc::new(SimCdn(self.clone())),
            Arc::new(whatsapp_rust::TokioRuntime),
            MediaRoute::unauthenticated(vec![MediaHost::new(HOST)]),
        );
        Arc::new(SimDownloads(Arc::new(downloader)))
    }
}

struct SimDownloads(Arc<MediaDownloader>);

impl MediaSource for SimDownloads {
    fn download(&self, part: Box<dyn Downloadable>) -> BoxFuture<'static, Result<Vec<u8>, String>> {
        let downloader = self.0.clone();
        Box::pin(async move {
            downloader
                .download(part.as_ref())
                .await
                .map_err(|err| err.to_string())
        })
    }
}

/// The media server as the engine's downloader reaches it: by URL, answering
/// 404 for what it does not hold, as WhatsApp's CDN does for expired media.
struct SimCdn(Arc<MediaServer>);

#[async_trait::async_trait]
impl HttpClient for SimCdn {
    async fn execute(&self, request: HttpRequest) -> anyhow::Result<HttpResponse> {
        let path = request
            .url
            .strip_prefix("https://")
            .and_then(|rest| rest.strip_prefix(HOST))
            .and_then(|rest| rest.split('?').next());
        Ok(match path.and_then(|path| self.0.take(path)) {
            Some(file) => HttpResponse {
                status_code: 200,
                body: file,
            },
            None => HttpResponse {
                status_code: 404,
                body: Vec::new(),
            },
        })
    }
}
