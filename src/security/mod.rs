//! Keeping strangers and floods out: rate limits, security headers, allowed
//! methods and TLS (the address allow-list is middleware: `http::allowlist`).

pub mod headers;
pub mod limits;
pub mod methods;
pub mod tls;
pub mod uploads;
