//! What every handler can reach through `web::Data<AppState>`: the services, and
//! the HTTP layer's own rate limits.

use crate::app::App;
use crate::security::limits::RateLimits;

pub struct AppState {
    pub app: App,
    pub limits: RateLimits,
}
