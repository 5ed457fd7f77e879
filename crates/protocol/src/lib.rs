//! What the widget, the server and the inbox agree on.
//!
//! Pure data and checks, no I/O and no runtime, so the same definitions compile
//! to wasm32 (widget, inbox) and native (server) and are tested natively.
//!
//! Modules:
//! - [`site`]: a site's public configuration as the widget receives it, and the
//!   checked newtypes it is built from ([`site::SiteKey`], [`site::Color`]).
//! - [`auth`]: the agent login request and the session it opens.
//! - [`attribute`]: visitor attributes and the checks on their values.
//! - [`files`]: files in a chat: the kinds taken (by content), names, sizes,
//!   and what a site takes ([`files::FileSettings`]).
//! - [`uploads`]: files on their way up (agent's or visitor's), as plain data.
//! - [`text`]: card text with `{{token:"default"}}` tokens.
//! - [`stream`]: the stream model, its validator, runner and selection, and
//!   (feature `file`) its hand-written TOML form.
//! - [`rules`]: custom routing rules and their validation.
//! - [`stats`]: what the widget reports about the streams visitors run
//!   (counts only), for the dialogue reports.
//! - [`wire`]: the WebSocket frames and their checks.
//! - [`json`]: a small JSON reader and the read side of what the widget gets.
//! - [`admin`]: the admin's requests (checked field by field, with errors a
//!   form can show in place), the views the admin API answers, and the
//!   checked newtypes they use ([`admin::Origin`], [`admin::Email`], …).

pub mod admin;
pub mod attribute;
pub mod auth;
pub mod embed;
pub mod files;
pub mod inbox;
pub mod json;
pub mod locale;
pub mod rules;
pub mod site;
pub mod stats;
pub mod stream;
pub mod text;
pub mod uploads;
pub mod wire;

/// The wire protocol version, sent in every WebSocket hello. A server refuses a
/// client whose version it does not speak, with a clear error frame.
pub const PROTOCOL_VERSION: u32 = 1;
