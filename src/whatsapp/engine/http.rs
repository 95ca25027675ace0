//! The engine's HTTP: media uploads and downloads, the web version lookup.
//!
//! The engine builds every such URL as `https://host/...` (hosts from WhatsApp's
//! media connection answer, or web.whatsapp.com). A build with the
//! `mock-whatsapp` feature sends them to the WhatsApp test server named by
//! `whatsapp.ws_url` instead, over plain HTTP, path and query kept: the test
//! server is WhatsApp's media hosts and web site too. Without the feature this
//! is the engine's own client, unchanged.

use whatsapp_rust::http::{HttpClient, HttpRequest, HttpResponse, UreqHttpClient};
use whatsapp_rust::wacore::net::{StreamingHttpResponse, UploadBody};

#[derive(Clone)]
pub struct EngineHttp {
    inner: UreqHttpClient,
    /// `host:port` of the WhatsApp test server every request goes to.
    #[cfg(feature = "mock-whatsapp")]
    mock: Option<String>,
}

impl EngineHttp {
    #[cfg_attr(not(feature = "mock-whatsapp"), allow(unused_variables))]
    pub fn new(ws_url: Option<&str>) -> Self {
        Self {
            inner: UreqHttpClient::new(),
            #[cfg(feature = "mock-whatsapp")]
            mock: ws_url.and_then(crate::config::mock_whatsapp_address),
        }
    }

    #[cfg(feature = "mock-whatsapp")]
    fn route(&self, mut request: HttpRequest) -> HttpRequest {
        if let Some(mock) = &self.mock
            && let Some(rest) = request.url.strip_prefix("https://")
        {
            let path = rest.find('/').map_or("/", |at| &rest[at..]);
            request.url = format!("http://{mock}{path}");
        }
        request
    }

    #[cfg(not(feature = "mock-whatsapp"))]
    fn route(&self, request: HttpRequest) -> HttpRequest {
        request
    }
}

#[whatsapp_rust::async_trait]
impl HttpClient for EngineHttp {
    async fn execute(&self, request: HttpRequest) -> anyhow::Result<HttpResponse> {
        self.inner.execute(self.route(request)).await
    }

    fn supports_streaming(&self) -> bool {
        self.inner.supports_streaming()
    }

    fn execute_streaming(&self, request: HttpRequest) -> anyhow::Result<StreamingHttpResponse> {
        self.inner.execute_streaming(self.route(request))
    }

    fn supports_upload_streaming(&self) -> bool {
        self.inner.supports_upload_streaming()
    }

    fn execute_upload(
        &self,
        request: HttpRequest,
        body: UploadBody,
        length: u64,
    ) -> anyhow::Result<HttpResponse> {
        self.inner.execute_upload(self.route(request), body, length)
    }

    fn resource_report(&self) -> Option<whatsapp_rust::wacore::stats::HttpResourceReport> {
        self.inner.resource_report()
    }
}

#[cfg(all(test, feature = "mock-whatsapp"))]
mod tests {
    use super::*;

    #[test]
    fn every_https_request_goes_to_the_test_server_with_its_path_and_query() {
        let http = EngineHttp::new(Some("ws://127.0.0.1:4567/ws/chat"));
        let routed = |url: &str| http.route(HttpRequest::get(url)).url;
        assert_eq!(
            routed("https://127.0.0.1:4567/mms/image/abc?auth=x&token=abc"),
            "http://127.0.0.1:4567/mms/image/abc?auth=x&token=abc"
        );
        assert_eq!(
            routed("https://web.whatsapp.com/sw.js"),
            "http://127.0.0.1:4567/sw.js"
        );
        assert_eq!(routed("https://mmg.whatsapp.net"), "http://127.0.0.1:4567/");
    }
}
