//! The web console: its files as the server serves them, and journeys through
//! it in a real browser.

mod administration;
mod assets;
mod browser;
mod deliveries;
mod journeys;
