//! The one owner of every change of a conversation. Each function stores the
//! change, then broadcasts it, then arms or clears its timer; socket
//! handlers, the inbox API and admin operations call these and never publish
//! or arm a timer themselves. Routing ([`crate::routing`]) only loads a
//! snapshot and decides.
//!
//! - [`messages`]: messages and typing
//! - [`handoff`]: opening a hand-off, routing it (and again after a failure),
//!   the fallback, a visitor who left, the restart pass
//! - [`offers`]: offers, accepting, declining and timing out
//! - [`transfer`](mod@transfer): an agent hands an active chat to another agent or a team
//! - [`ending`]: ending a chat (the visitor, the agent, inactivity)
//! - [`agents`]: an agent leaving, availability changing, a session ending
//! - [`changes`]: admin changes with a live effect, from the API or the
//!   command line, applied once
//! - [`sweeper`]: fires due times, which are rows
//! - [`timers`], [`deadlines`]: the routing lock, the sweeper's wake-up and
//!   the timers of this process's sockets

pub mod agents;
pub mod changes;
pub mod deadlines;
pub mod ending;
pub mod handoff;
pub mod messages;
pub mod offers;
pub mod sweeper;
pub mod timers;
pub mod transfer;

use std::future::Future;
use std::pin::Pin;

use crate::ids::ConversationId;
use crate::store::StoreError;

pub use agents::{agent_leaving, watch_availability};
pub use ending::{end, end_by_agent, end_idle};
pub use handoff::{after_start, open, route, visitor_back, visitor_left, withdraw_gone, DEFAULT_FALLBACK};
pub use messages::{post, post_file, typing};
pub use offers::{accept, move_on};
pub use timers::Timers;
pub use transfer::{transfer, TransferError};

type Task = Pin<Box<dyn Future<Output = ()> + Send>>;

fn log(what: &'static str, conversation: ConversationId) -> impl FnOnce(StoreError) {
    move |e| tracing::error!(error = %e, conversation = %conversation, "{what}")
}
