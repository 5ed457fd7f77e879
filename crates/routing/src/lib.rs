//! Switchboard's routing core: whom a handed-off chat is offered to, and why.
//!
//! Pure functions over plain data, no I/O and no runtime: the server loads a
//! snapshot (agents, teams, rules, rotation), calls [`decide::decide`], then
//! stores the decision, makes the offer and arms its timers itself. Keeping
//! this in its own crate makes that purity a property of the manifest, as it
//! is for `switchboard-protocol`: no tokio, no sqlx, no axum.
//!
//! Modules:
//! - [`decide`]: the decision (account route, the card's option, teams,
//!   custom rules, round robin, transfers, the fallback) and its reasons.
//! - [`conditions`]: custom routing rules evaluated against a visitor.
//! - [`availability`]: an agent's manual toggle and weekly schedule in their
//!   time zone, evaluated at a time passed in.
//! - [`explain`]: decisions in words, for `switchboard conversation explain`.

pub mod availability;
pub mod conditions;
pub mod decide;
pub mod explain;
