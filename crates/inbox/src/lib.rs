//! The Switchboard agent inbox: where agents log in, get offered chats and
//! answer visitors. Served by the server under `/inbox/`.
//!
//! Modules:
//! - [`app`]: the Leptos components
//! - [`api`]: every request to the server
//! - [`i18n`]: UI strings from the locale files

pub mod api;
pub mod app;
pub mod i18n;
