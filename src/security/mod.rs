//! Keeping strangers and floods out: address allow-list, rate limits, security
//! headers, CORS and TLS.

pub mod allowlist;
pub mod headers;
pub mod limits;
pub mod methods;
pub mod tls;
