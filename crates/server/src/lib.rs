//! The Switchboard server: HTTP API, WebSockets, storage and the admin CLI.
//!
//! `main.rs` only parses the command line; everything lives here so tests can
//! start a real server on `127.0.0.1:0` ([`startup::Application`]).
//!
//! Modules (those in `code` are private to the crate):
//! - `clock`: the one clock every reading of the time goes through
//! - [`config`]: typed settings (TOML file + `SWITCHBOARD_*` overrides)
//! - [`startup`]: storage, listeners, the router, running until shutdown
//! - [`state`]: the state every handler shares
//! - [`shutdown`]: the shutdown signal every task selects on
//! - [`store`]: SQLite through sqlx, with embedded migrations
//! - [`accounts`]: the first admin's setup link and invitations
//! - `accounts_api`: their HTTP API
//! - [`admin`]: admin operations (CLI and HTTP API share them)
//! - [`admin_cli`]: `switchboard site|agent|stream …`
//! - `admin_api`: the admin HTTP API (admin role)
//! - `admin_routing`, `admin_routing_api`: a site's routing tools (try it,
//!   rule order and renames, account routes as CSV), and their HTTP API
//! - `conversations_api`: the admin's list of every conversation and one in full
//! - `api`: the public API the widget calls (origin-checked)
//! - [`auth`]: agent login, sessions, password hashing
//! - `assets`: the widget, inbox and console bundles, from a directory or
//!   built into the binary
//! - [`demo`]: the demo host page and seed data
//! - `headers`: security headers on every response
//! - [`csp_report`]: where browsers report Content-Security-Policy violations
//! - `error`: the HTTP error type
//! - `extract`: request extractors that refuse with the HTTP error type
//! - [`openapi`]: the OpenAPI document of the admin API (`/api/openapi.json`)
//! - [`hub`]: fan-out of conversation events
//! - [`ids`]: typed ids (conversation, agent, site, visitor)
//! - `login_guard`: failed-login back-offs, bounded password hashing
//! - `password`: argon2 password hashes
//! - `stats_limits`: the widget's stream events endpoint's limits and path
//! - `throttle`: in-memory back-offs and per-minute counters
//! - `inbox_api`: conversation lists and details for agents
//! - [`canned`], `canned_api`: canned responses, shared and personal
//! - `files_api`: files in chats, both ways (upload, download, checks)
//! - `presence`: which agents are connected and available
//! - [`routing`]: the snapshot a routing decision needs, and `explain`
//! - [`reports`]: live chat figures over a range of days, from the facts the
//!   lifecycle records; what is going on now
//! - `reports_api`, [`report_cli`]: the same over HTTP and as `switchboard report`
//! - [`lifecycle`]: the one owner of every conversation change (store, broadcast, timers)
//! - [`ws`]: the WebSocket endpoints
//! - [`stream_cli`]: `switchboard stream check|show`
//! - [`stream_designer`]: the stream designer's drafts, publishing a draft,
//!   releases and restore (CLI and HTTP API share them)
//! - `stream_designer_api`: their HTTP API
//! - [`stream_designer_cli`]: `switchboard stream pull|push|releases|restore`

pub mod accounts;
pub(crate) mod accounts_api;
pub mod admin;
pub(crate) mod admin_access;
pub(crate) mod admin_api;
pub mod admin_cli;
pub(crate) mod admin_routing;
pub(crate) mod admin_routing_api;
pub(crate) mod api;
pub(crate) mod assets;
pub mod auth;
pub mod canned;
pub(crate) mod canned_api;
pub(crate) mod clock;
pub mod cluster;
pub mod config;
pub(crate) mod conversations_api;
pub mod csp_report;
pub mod demo;
pub(crate) mod error;
pub(crate) mod extract;
pub(crate) mod files_api;
pub(crate) mod headers;
pub mod hub;
pub mod ids;
pub(crate) mod inbox_api;
pub mod lifecycle;
pub(crate) mod login_guard;
pub mod metrics;
pub mod openapi;
pub(crate) mod password;
pub(crate) mod presence;
pub(crate) mod readiness;
pub(crate) mod refusals;
pub mod report_cli;
pub mod reports;
pub(crate) mod reports_api;
pub mod routing;
pub mod shutdown;
pub mod startup;
pub mod state;
pub(crate) mod stats_limits;
pub mod store;
pub mod stream_cli;
pub mod stream_designer;
pub(crate) mod stream_designer_api;
pub mod stream_designer_cli;
pub(crate) mod throttle;
pub mod ws;

pub use clock::Clock;
pub use presence::{Presence, Track};
