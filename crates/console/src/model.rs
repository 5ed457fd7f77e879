//! The console's plain model, tested natively: where the console is, and
//! each form as the admin types it, turned into the protocol's requests and
//! checked with the protocol's own checks. The views only render it.

pub mod agents;
pub mod conversations;
pub mod designer;
pub mod errors;
pub mod reports;
pub mod route;
pub mod rules;
pub mod site;
