//! Server integration tests: a real server on 127.0.0.1:0 with a fresh SQLite
//! file per test, driven over HTTP.

mod accounts;
mod admin;
mod admin_cli;
mod admin_client;
mod agent_email;
mod assets;
mod auth;
mod canned;
mod conversations;
mod csp_report;
mod db_copy;
mod files;
mod headers;
mod helpers;
mod inbox;
mod live_admin;
mod notes;
mod openapi;
mod operations;
mod reports;
mod routing;
mod routing_tools;
mod security;
mod site_config;
mod site_settings;
mod stream_cli;
mod stream_drafts;
mod transfer;
mod ws_agent;
mod ws_client;
mod ws_visitor;
