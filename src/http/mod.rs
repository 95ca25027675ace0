//! The HTTP layer around the routes: what every handler reaches (`state`), the
//! middleware each request passes before and after its route (address
//! allow-list, authentication, the cluster proxy, the request log) and the
//! JSON error answers for what no route handled. Below the routes, above the
//! services: what it needs to know of the routes (their paths, which are
//! public) it is given at start-up as `KnownRoutes`.

pub mod allowlist;
pub mod errors;
pub mod extract;
pub mod forward;
pub mod known_routes;
pub mod request_log;
pub mod state;
