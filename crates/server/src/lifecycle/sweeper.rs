//! Fires due times, which are rows (`conversations.due_at`, its meaning
//! following the state): it claims what is due, checks the facts and acts
//! through the lifecycle, then sleeps until the next due time (or until a
//! sooner one is stored: [`super::Timers::due`]). A timer due while the
//! server was stopped fires once after a start; a claim is a lease, so
//! several nodes could share the rows (each claim moves the due time on by
//! [`LEASE_MS`], and acting is conditional on the facts).

use std::time::Duration;
use switchboard_protocol::wire::ConversationState;

use crate::ids::AgentId;
use crate::routing::decide::Skip;
use crate::state::AppState;
use crate::store::timers::Due;
use crate::store::StoreError;

/// How long a claim holds a due time before it is tried again.
pub const LEASE_MS: i64 = 30_000;

/// Rows claimed at once.
const BATCH: u32 = 32;

/// The longest the sweeper sleeps: a due time stored by another process
/// is found within this.
const MAX_SLEEP: Duration = Duration::from_secs(5);

/// Claims and fires due times until the server stops.
pub async fn run(state: AppState) {
    let shutdown = state.shutdown.clone();
    loop {
        let busy = match sweep(&state).await {
            Ok(claimed) => claimed == BATCH as usize,
            Err(e) => {
                tracing::error!(error = %e, "firing due times");
                false
            }
        };
        if busy {
            continue;
        }
        // Any due time stored from here on wakes the next wait (a stored
        // permit), also one stored while the next one is being read.
        state.timers.planned.store(i64::MAX, std::sync::atomic::Ordering::Release);
        let now = state.clock.now_ms();
        let next = match state.store.next_due().await {
            Ok(next) => next.unwrap_or(i64::MAX),
            Err(e) => {
                tracing::error!(error = %e, "reading the next due time");
                now
            }
        };
        let wait = Duration::from_millis(u64::try_from(next.saturating_sub(now)).unwrap_or(0)).min(MAX_SLEEP);
        let planned = now.saturating_add(i64::try_from(wait.as_millis()).unwrap_or(i64::MAX));
        state.timers.planned.store(planned, std::sync::atomic::Ordering::Release);
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = state.timers.wake.notified() => {}
            () = shutdown.clone().recv() => return,
        }
    }
}

/// Claims what is due now and fires it; returns how many were claimed.
async fn sweep(state: &AppState) -> Result<usize, StoreError> {
    let now = state.clock.now_ms();
    let due = state.store.claim_due(now, now + LEASE_MS, BATCH).await?;
    for d in &due {
        if let Err(e) = fire(state, d, now).await {
            // Its claim runs out and it is tried again.
            tracing::error!(error = %e, conversation = %d.id, "firing a due time");
        }
    }
    Ok(due.len())
}

/// How long after `due` it is at `now` (unix ms).
fn late(now: i64, due: i64) -> Duration {
    Duration::from_millis(u64::try_from(now.saturating_sub(due)).unwrap_or(0))
}

/// Acts on one claimed due time after checking the facts it stands for.
async fn fire(state: &AppState, d: &Due, now: i64) -> Result<(), StoreError> {
    match d.state {
        ConversationState::Waiting => super::route(state, d.id).await,
        ConversationState::Offered => {
            let timeout = i64::try_from(state.settings.routing.accept_timeout_secs.saturating_mul(1000))
                .unwrap_or(i64::MAX);
            let expires = d.offered_at.unwrap_or(0).saturating_add(timeout);
            if expires <= now {
                state.metrics.timer_fired(late(now, expires));
                // (Without an agent, removed meanwhile, it moves on all the same.)
                super::move_on(state, d.id, d.agent_id.unwrap_or(AgentId::new(0)), Skip::TimedOut).await?;
            } else {
                state.store.set_due(d.id, expires, Some(d.claim)).await?;
            }
            Ok(())
        }
        ConversationState::Active => {
            let idle = i64::try_from(state.settings.routing.inactivity_secs.saturating_mul(1000))
                .unwrap_or(i64::MAX);
            let last = state.store.last_activity(d.id).await?.unwrap_or(now);
            let ends = last.saturating_add(idle);
            if ends <= now {
                state.metrics.timer_fired(late(now, ends));
                super::end_idle(state, d.id, last).await?;
            } else {
                state.store.set_due(d.id, ends, Some(d.claim)).await?;
            }
            Ok(())
        }
        // Over: nothing is due any more.
        ConversationState::Ended | ConversationState::Fallback => state.store.clear_due(d.id).await,
    }
}
