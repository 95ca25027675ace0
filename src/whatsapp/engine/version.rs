//! WhatsApp Web's client version, looked up once per process instead of once per
//! connect attempt (the engine's own lookup runs before every connect until one
//! succeeds, so an offline server never reached the WebSocket).

use std::sync::Arc;
use std::time::{Duration, Instant};

use whatsapp_rust::http::HttpClient;

pub type Version = (u32, u32, u32);

/// A fetched version is trusted this long (the engine's own cache period).
const FRESH_FOR: Duration = Duration::from_secs(24 * 60 * 60);
/// After a failed lookup, sessions use the last known version and the lookup is
/// not tried again before this: a server cut off from WhatsApp asks once in a
/// while, not once per attempt of every instance.
const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(10 * 60);
/// The lookup gives up after this (the engine's own connect timeout).
const FETCH_TIMEOUT: Duration = Duration::from_secs(20);

pub struct WebVersion {
    /// `whatsapp.version`: when set, never looked up.
    configured: Option<Version>,
    http: Arc<dyn HttpClient>,
    known: std::sync::Mutex<Known>,
    /// Held across a lookup, so that sessions starting together share it.
    lookup: tokio::sync::Mutex<()>,
}

#[derive(Default, Clone, Copy)]
struct Known {
    version: Option<Version>,
    fetched_at: Option<Instant>,
    failed_at: Option<Instant>,
}

impl Known {
    /// The version to use without a lookup, if there is one.
    fn usable(&self) -> Option<Version> {
        let fresh = self.fetched_at.is_some_and(|at| at.elapsed() < FRESH_FOR);
        let resting = self
            .failed_at
            .is_some_and(|at| at.elapsed() < RETRY_AFTER_FAILURE);
        self.version.filter(|_| fresh || resting)
    }
}

impl WebVersion {
    pub fn new(configured: Option<Version>, http: Arc<dyn HttpClient>) -> Self {
        Self {
            configured,
            http,
            known: std::sync::Mutex::new(Known::default()),
            lookup: tokio::sync::Mutex::new(()),
        }
    }

    pub fn is_configured(&self) -> bool {
        self.configured.is_some()
    }

    fn known(&self) -> std::sync::MutexGuard<'_, Known> {
        self.known
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The version a new session should announce.
    pub async fn current(&self) -> Version {
        if let Some(version) = self.configured {
            return version;
        }
        if let Some(version) = self.known().usable() {
            return version;
        }
        let _lookup = self.lookup.lock().await;
        // Whoever held the lock before may have just looked it up.
        if let Some(version) = self.known().usable() {
            return version;
        }
        let fetched = tokio::time::timeout(
            FETCH_TIMEOUT,
            whatsapp_rust::version::fetch_latest_app_version(&self.http),
        )
        .await;
        let mut known = self.known();
        match fetched {
            Ok(Ok(version)) => {
                if known.version != Some(version) {
                    tracing::info!(version = %dotted(version), "WhatsApp Web version looked up");
                }
                *known = Known {
                    version: Some(version),
                    fetched_at: Some(Instant::now()),
                    failed_at: None,
                };
                version
            }
            failed => {
                let version = *known.version.get_or_insert_with(bundled_version);
                known.failed_at = Some(Instant::now());
                drop(known);
                let error = match failed {
                    Ok(Err(err)) => err.to_string(),
                    _ => "timed out".to_owned(),
                };
                tracing::warn!(
                    %error,
                    using = %dotted(version),
                    retry_after_secs = RETRY_AFTER_FAILURE.as_secs(),
                    "could not look up WhatsApp Web's version; set whatsapp.version to pin one"
                );
                version
            }
        }
    }

    /// WhatsApp refused `version` as outdated: the next session looks it up again.
    pub fn outdated(&self, version: Version) {
        let mut known = self.known();
        if known.version == Some(version) {
            known.fetched_at = None;
            known.failed_at = None;
        }
    }
}

/// The version the engine ships with, the fallback when no lookup succeeded.
fn bundled_version() -> Version {
    let device = whatsapp_rust::wacore::store::Device::new();
    (
        device.app_version_primary,
        device.app_version_secondary,
        device.app_version_tertiary,
    )
}

pub fn dotted((primary, secondary, tertiary): Version) -> String {
    format!("{primary}.{secondary}.{tertiary}")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::sync::atomic::{AtomicUsize, Ordering};

    use whatsapp_rust::http::{HttpRequest, HttpResponse};

    use super::*;

    /// Answers like web.whatsapp.com/sw.js, or fails, and counts the requests.
    struct FakeWeb {
        requests: AtomicUsize,
        revision: std::sync::Mutex<Option<u32>>,
    }

    impl FakeWeb {
        fn new(revision: Option<u32>) -> Arc<Self> {
            Arc::new(Self {
                requests: AtomicUsize::new(0),
                revision: std::sync::Mutex::new(revision),
            })
        }

        fn requests(&self) -> usize {
            self.requests.load(Ordering::SeqCst)
        }
    }

    #[whatsapp_rust::async_trait]
    impl HttpClient for FakeWeb {
        async fn execute(&self, _: HttpRequest) -> anyhow::Result<HttpResponse> {
            self.requests.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(20)).await;
            let revision = *self.revision.lock().unwrap();
            match revision {
                Some(revision) => Ok(HttpResponse {
                    status_code: 200,
                    body: format!(r#"self.x={{"client_revision":{revision}}}"#).into_bytes(),
                }),
                None => Err(anyhow::anyhow!("no route to host")),
            }
        }
    }

    #[tokio::test]
    async fn a_configured_version_is_never_looked_up() {
        let web = FakeWeb::new(Some(1));
        let version = WebVersion::new(Some((2, 3000, 7)), web.clone());
        assert_eq!(version.current().await, (2, 3000, 7));
        assert_eq!(web.requests(), 0);
    }

    #[tokio::test]
    async fn many_sessions_starting_at_once_share_one_lookup() {
        let web = FakeWeb::new(Some(1_023_456_789));
        let version = Arc::new(WebVersion::new(None, web.clone()));
        let starts: Vec<_> = (0..50)
            .map(|_| {
                let version = version.clone();
                tokio::spawn(async move { version.current().await })
            })
            .collect();
        for start in starts {
            assert_eq!(start.await.unwrap(), (2, 3000, 1_023_456_789));
        }
        assert_eq!(version.current().await, (2, 3000, 1_023_456_789));
        assert_eq!(web.requests(), 1);
    }

    #[tokio::test]
    async fn offline_the_bundled_version_is_used_and_the_lookup_rests() {
        let web = FakeWeb::new(None);
        let version = WebVersion::new(None, web.clone());
        let first = version.current().await;
        assert_eq!(first, bundled_version());
        for _ in 0..10 {
            assert_eq!(version.current().await, first);
        }
        assert_eq!(
            web.requests(),
            1,
            "one lookup per rest period, not per attempt"
        );
    }

    #[tokio::test]
    async fn an_outdated_version_is_looked_up_again() {
        let web = FakeWeb::new(Some(100));
        let version = WebVersion::new(None, web.clone());
        assert_eq!(version.current().await, (2, 3000, 100));
        *web.revision.lock().unwrap() = Some(200);
        assert_eq!(version.current().await, (2, 3000, 100), "still fresh");
        // A report about some other version changes nothing.
        version.outdated((2, 3000, 99));
        assert_eq!(version.current().await, (2, 3000, 100));
        version.outdated((2, 3000, 100));
        assert_eq!(version.current().await, (2, 3000, 200));
        assert_eq!(web.requests(), 2);
    }

    #[tokio::test]
    async fn after_a_failure_an_outdated_report_allows_a_new_lookup_at_once() {
        let web = FakeWeb::new(None);
        let version = WebVersion::new(None, web.clone());
        let fallback = version.current().await;
        *web.revision.lock().unwrap() = Some(300);
        version.outdated(fallback);
        assert_eq!(version.current().await, (2, 3000, 300));
        assert_eq!(web.requests(), 2);
    }
}
