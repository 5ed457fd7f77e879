//! Admin changes with a live effect, applied once by a running server
//! whether they were made through its HTTP API or from the command line
//! (which records them; see `store::changes`): the HTTP API applies them
//! at once, and a pass every `changes_poll_ms` picks up the rest.

use std::time::Duration;

use crate::hub::SessionEnd;
use crate::state::AppState;
use crate::store::changes::Change;
use crate::store::StoreError;

/// How long applied changes are kept (for looking into what happened).
const KEEP_MS: i64 = 24 * 3600 * 1000;

/// Applies every recorded change not applied yet, oldest first, and marks
/// each applied once it is: a failure midway leaves it to be applied again
/// (every effect checks what it changes first). Passes run one at a time. A change this server
/// cannot read (from a newer version) is logged and set aside, so it does
/// not hold up the ones after it.
pub async fn apply_pending(state: &AppState) -> Result<(), StoreError> {
    // (Within this process; a second server process on the same database
    // would need a claim per change: the cluster's job.)
    let _one_pass_at_a_time = state.timers.applying.lock().await;
    for (id, change) in state.store.unapplied_changes().await? {
        match change {
            Ok(change) => apply(state, change).await?,
            Err(e) => tracing::error!(error = %e, change = id, "a recorded change this server cannot read"),
        }
        state.store.mark_change_applied(id, state.clock.now_ms()).await?;
    }
    Ok(())
}

async fn apply(state: &AppState, change: Change) -> Result<(), StoreError> {
    tracing::debug!(?change, "applying a change");
    match change {
        Change::AgentRemoved { agent, conversations } => {
            state.hub.end_sessions(SessionEnd::Agent(agent));
            super::agents::leave(state, agent, &conversations).await
        }
        Change::LiveChatRevoked { agent } => {
            // The inbox closes first, so it shows no offer being withdrawn.
            state.hub.end_sessions(SessionEnd::LiveChatRevoked(agent));
            super::agent_leaving(state, agent).await
        }
        Change::SessionsEnded { agent } => {
            state.hub.end_sessions(SessionEnd::Agent(agent));
            Ok(())
        }
        Change::AvailabilityChanged { agent } => super::agents::availability_changed(state, agent).await,
    }
}

/// Applies changes as they are recorded, every `changes_poll_ms`, until the
/// server stops; the first pass at start applies those made while it was
/// stopped.
pub async fn watch(state: AppState) {
    let every = Duration::from_millis(state.settings.routing.changes_poll_ms.max(10));
    let shutdown = state.shutdown.clone();
    loop {
        if let Err(e) = apply_pending(&state).await {
            tracing::error!(error = %e, "applying recorded changes");
        }
        let old = state.clock.now_ms() - KEEP_MS;
        if let Err(e) = state.store.forget_changes(old).await {
            tracing::warn!(error = %e, "forgetting applied changes");
        }
        tokio::select! {
            () = tokio::time::sleep(every) => {}
            () = shutdown.clone().recv() => return,
        }
    }
}
