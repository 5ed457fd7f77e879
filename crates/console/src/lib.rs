//! The Switchboard admin console: sites, agents, teams, routing, streams
//! and every conversation, for admins. Served by the server under
//! `/admin/`, its own bundle (agents and visitors never download it).
//!
//! Shaped like the inbox:
//! - [`api`]: every request to the server (the only network module)
//! - [`model`]: the plain model — routes and forms, tested natively
//! - [`i18n`]: UI strings from the locale files
//! - [`app`]: the top level (session, top bar, navigation)
//! - [`views`]: one module per area, which only render the model
//! - [`preview`]: the real widget mounted with a draft appearance

pub mod api;
pub mod app;
pub mod i18n;
pub mod model;
pub mod preview;
pub mod views;
