//! The Switchboard agent inbox: where agents log in, get offered chats and
//! answer visitors. Served by the server under `/inbox/`.
//!
//! Modules:
//! - [`alert`]: the offer alert's sound as the agent chose it
//! - [`app`]: the Leptos components
//! - [`canned`]: the composer's canned response picker, as plain data
//! - [`canned_views`]: the picker and the agent's own responses, on screen
//! - [`file_views`]: files in messages, and those the agent is sending
//! - [`api`]: every request to the server
//! - [`i18n`]: UI strings from the locale files
//! - [`invite`]: an invited agent setting their password
//! - [`model`]: the inbox's state and how server frames change it
//! - [`views`]: the offer banner, lists, conversation view, visitor panel
//! - [`socket`]: the agent WebSocket, reconnecting
//! - [`notify`]: sound, browser notifications, title, downloads

pub mod alert;
pub mod api;
pub mod app;
pub mod canned;
pub mod canned_views;
pub mod file_views;
pub mod i18n;
pub mod invite;
pub mod model;
pub mod notify;
pub mod socket;
pub mod views;
