//! Downloads media from a URL: bounded in time, size and redirects, and checked
//! against SSRF on every hop. One per HTTP worker (`awc::Client` is not `Send`).

use std::time::Duration;

use actix_web::http::header::{CONTENT_TYPE, LOCATION};
use actix_web::http::{StatusCode, Uri};
use bytes::Bytes;

use super::guard::{self, TargetError};

const MAX_REDIRECTS: usize = 5;

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error(transparent)]
    Target(#[from] TargetError),
    #[error("the media is larger than the limit of {0} bytes")]
    TooLarge(usize),
    #[error("the media URL answered {0}")]
    Status(StatusCode),
    #[error("the media URL redirected too many times")]
    TooManyRedirects,
    #[error("the media URL did not answer within {0} ms")]
    Timeout(u128),
    #[error("the media could not be downloaded: {0}")]
    Transfer(String),
}

pub struct Fetched {
    pub bytes: Bytes,
    /// The server's `Content-Type`, without parameters.
    pub content_type: Option<String>,
    pub final_url: Uri,
}

pub struct MediaFetcher {
    client: awc::Client,
    timeout: Duration,
    max_bytes: usize,
    allow_private: bool,
}

impl MediaFetcher {
    pub fn new(timeout: Duration, max_bytes: usize, allow_private: bool) -> Self {
        let client = awc::Client::builder()
            .disable_redirects()
            .timeout(timeout)
            .finish();
        Self {
            client,
            timeout,
            max_bytes,
            allow_private,
        }
    }

    pub async fn fetch(&self, url: &str) -> Result<Fetched, FetchError> {
        let timeout = self.timeout;
        tokio::time::timeout(timeout, self.follow(url))
            .await
            .map_err(|_| FetchError::Timeout(timeout.as_millis()))?
    }

    async fn follow(&self, url: &str) -> Result<Fetched, FetchError> {
        let mut next = url.to_owned();
        for _ in 0..=MAX_REDIRECTS {
            let (uri, host, port) = guard::http_target(&next)?;
            let address = guard::resolve(&host, port, self.allow_private).await?;
            let mut response = self
                .client
                .get(uri.clone())
                .address(address)
                .send()
                .await
                .map_err(|err| FetchError::Transfer(err.to_string()))?;
            let status = response.status();
            if status.is_redirection() {
                let location = response
                    .headers()
                    .get(LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .ok_or(FetchError::Status(status))?;
                next = absolute(&uri, location)?;
                continue;
            }
            if !status.is_success() {
                return Err(FetchError::Status(status));
            }
            if response_length(&response).is_some_and(|len| len > self.max_bytes) {
                return Err(FetchError::TooLarge(self.max_bytes));
            }
            let content_type = response
                .headers()
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(|v| {
                    v.split(';')
                        .next()
                        .unwrap_or_default()
                        .trim()
                        .to_ascii_lowercase()
                });
            let bytes = response
                .body()
                .limit(self.max_bytes)
                .await
                .map_err(|err| match err {
                    awc::error::PayloadError::Overflow => FetchError::TooLarge(self.max_bytes),
                    other => FetchError::Transfer(other.to_string()),
                })?;
            return Ok(Fetched {
                bytes,
                content_type,
                final_url: uri,
            });
        }
        Err(FetchError::TooManyRedirects)
    }
}

fn response_length<S>(response: &awc::ClientResponse<S>) -> Option<usize> {
    response
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
}

/// Resolves a `Location` against the URL that sent it, as RFC 3986 section 5
/// does (by the `url` crate, which implements it): `//host/path` names another
/// host, which the next hop checks again, and `z?next=http://x` is a path with
/// a query, not an absolute URL.
fn absolute(base: &Uri, location: &str) -> Result<String, TargetError> {
    let base = url::Url::parse(&base.to_string()).map_err(|_| TargetError::InvalidUrl)?;
    base.join(location)
        .map(String::from)
        .map_err(|_| TargetError::InvalidUrl)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirects_resolve_against_the_previous_url() {
        let base: Uri = "http://a.example/x/y.jpg".parse().unwrap_or_default();
        let resolve = |location: &str| absolute(&base, location).ok();
        for (location, resolved) in [
            ("https://b.example/z", "https://b.example/z"),
            ("/z.png", "http://a.example/z.png"),
            ("z.png", "http://a.example/x/z.png"),
            ("../z.png", "http://a.example/z.png"),
            // A network-path reference: another host, on the same scheme.
            ("//b.example/z.png", "http://b.example/z.png"),
            ("//127.0.0.1:8080/", "http://127.0.0.1:8080/"),
            // A relative reference whose query holds a URL stays on this host.
            (
                "z.png?from=http://b.example/",
                "http://a.example/x/z.png?from=http://b.example/",
            ),
            (
                "?next=https://b.example",
                "http://a.example/x/y.jpg?next=https://b.example",
            ),
        ] {
            assert_eq!(resolve(location).as_deref(), Some(resolved), "{location}");
        }
        // A network-path reference is checked like any target on the next hop.
        let other = resolve("//[::1]:9/x").unwrap_or_default();
        assert!(matches!(guard::http_target(&other), Ok((_, host, 9)) if host == "::1"));
        assert!(resolve("http://[:::]/").is_none());
    }
}
