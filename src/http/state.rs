//! What every handler can reach through `web::Data<AppState>`: the services,
//! the HTTP layer's own rate limits, and what the middleware knows of the routes.

use super::known_routes::KnownRoutes;
use crate::app::App;
use crate::security::limits::RateLimits;
use crate::security::uploads::UploadGate;

pub struct AppState {
    pub app: App,
    pub limits: RateLimits,
    pub uploads: UploadGate,
    pub routes: KnownRoutes,
}
