//! Methods HTTP does not define are relabelled before anything counts them, and
//! `HEAD` is answered as `GET` without its body.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::OnceLock;
use std::task::{Context, Poll};

use actix_web::HttpMessage;
use actix_web::body::{BodySize, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use bytes::Bytes;

const STANDARD: [Method; 9] = [
    Method::GET,
    Method::POST,
    Method::PUT,
    Method::DELETE,
    Method::HEAD,
    Method::OPTIONS,
    Method::CONNECT,
    Method::PATCH,
    Method::TRACE,
];

/// Marks a request that came as `HEAD` and goes on as `GET`, so that what
/// names the method (a 404's or 405's message) names the one that was sent.
#[derive(Clone, Copy)]
pub struct SentAsHead;

/// A request with an invented method (`FOO`) goes on as method `OTHER`: the
/// metrics, which label requests by method, see one value for all of them, and
/// the router answers it like any method a route does not take.
///
/// A `HEAD` request goes on as `GET` (RFC 9110 section 9.3.2: a server must
/// answer `HEAD` wherever it answers `GET`, with the same status and header
/// fields), and its answer leaves without a body: never read, so an endless
/// one (an event stream) ends at once instead of holding the connection.
pub async fn known_methods_only<B: MessageBody>(
    mut req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B, Headless>>, actix_web::Error> {
    static OTHER: OnceLock<Option<Method>> = OnceLock::new();
    let head = req.method() == Method::HEAD;
    if head {
        req.head_mut().method = Method::GET;
        req.extensions_mut().insert(SentAsHead);
    } else if !STANDARD.contains(req.method())
        && let Some(other) = OTHER.get_or_init(|| Method::from_bytes(b"OTHER").ok())
    {
        req.head_mut().method = other.clone();
    }
    let response = next.call(req).await?;
    if !head {
        return Ok(response.map_into_left_body());
    }
    Ok(response.map_body(|_, body| EitherBody::right(Headless(body.size()))))
}

/// The body of an answer to `HEAD`: it states the size `GET`'s body has (so
/// `Content-Length` or `Transfer-Encoding` is the same) and holds no bytes;
/// the body it stands for is dropped unread.
pub struct Headless(BodySize);

impl MessageBody for Headless {
    type Error = Infallible;

    fn size(&self) -> BodySize {
        self.0
    }

    fn poll_next(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        Poll::Ready(None)
    }
}
