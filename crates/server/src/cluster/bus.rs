//! Fan-out between nodes over NATS core pub/sub: a [`Fanout`] that
//! delivers to this node's listeners at once and tells the other nodes
//! through NATS (published after the change is stored, like every event).
//!
//! The bus is a doorbell, not a record: NATS core delivers at most once,
//! and a node may miss events while it or NATS restarts, or when its
//! subscription falls behind. So each node also keeps, per conversation it
//! has listeners for, the last message and state it passed on, and every
//! `sweep_ms` reads where those conversations stand in the database: a
//! conversation further on than what passed gets [`Event::Resync`], and its
//! followers read what they missed from storage. After NATS reconnects, or
//! tells of a slow consumer, every follower and every agent's inbox
//! re-reads at once.
//!
//! Subjects: `PREFIX.conv.ID` (conversation events), `PREFIX.agent.ID`
//! (frames for an agent's inboxes), `PREFIX.sessions` (session ends); one
//! wildcard subscription per node, so no subscription races a read.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt;
use switchboard_protocol::wire::{AgentOut, ConversationState};
use tokio::sync::{broadcast, mpsc};

use crate::hub::{Event, Fanout, InProcess, SessionEnd};
use crate::ids::{AgentId, ConversationId};
use crate::shutdown::Shutdown;
use crate::store::Store;

/// What crosses the bus: who sent it, and the event.
#[derive(serde::Serialize, serde::Deserialize)]
struct Envelope<T> {
    node: String,
    ev: T,
}

/// Events waiting to be published; beyond, they are dropped (and the
/// sweep repairs what receivers missed).
const OUTBOX: usize = 65_536;

/// Where a followed conversation was last seen: its last message and state.
type Seen = HashMap<ConversationId, (u64, Option<ConversationState>)>;

/// The offers passed to this node's inboxes.
type Offers = std::collections::HashSet<i64>;

fn note_offer(offers: &Mutex<Offers>, frame: &AgentOut) {
    if let AgentOut::Offer { conversation, .. } = frame {
        offers.lock().unwrap_or_else(|e| e.into_inner()).insert(*conversation);
    }
}

/// What a [`Bus`] is for.
#[derive(Debug, Clone)]
pub struct BusSetup {
    /// This node's name.
    pub node: Arc<str>,
    /// The subjects' prefix.
    pub prefix: String,
    /// The database the sweep reads.
    pub store: Store,
    /// How often the sweep reads.
    pub sweep: Duration,
    /// The failpoint: drop every Nth publish (0: none).
    pub drop_every: u64,
}

/// Fan-out across nodes; see the module.
#[derive(Debug)]
pub struct Bus {
    local: Arc<InProcess>,
    node: Arc<str>,
    prefix: Arc<str>,
    outbox: mpsc::Sender<(String, Vec<u8>)>,
    seen: Arc<Mutex<Seen>>,
    offers: Arc<Mutex<Offers>>,
    resyncs: broadcast::Sender<()>,
    /// The failpoint: drop every Nth publish (0: none), and how many so far.
    drop_every: u64,
    published: std::sync::atomic::AtomicU64,
}

fn note(seen: &Mutex<Seen>, conversation: ConversationId, event: &Event) {
    let mut seen = seen.lock().unwrap_or_else(|e| e.into_inner());
    let entry = seen.entry(conversation).or_insert((0, None));
    match event {
        Event::Message(m) => entry.0 = entry.0.max(m.seq),
        Event::State(s) => entry.1 = Some(*s),
        _ => {}
    }
}

impl Bus {
    /// A bus on `client` (connected with `no_echo`), with its tasks: the
    /// publisher, the subscriber, the sweep, and a full resync on each of
    /// `resync_all` (NATS reconnected or dropped messages); all stop at
    /// `shutdown`.
    pub async fn start(
        client: async_nats::Client,
        setup: BusSetup,
        mut resync_all: mpsc::UnboundedReceiver<()>,
        shutdown: Shutdown,
    ) -> Result<Self, async_nats::SubscribeError> {
        let BusSetup { node, prefix, store, sweep, drop_every } = setup;
        let prefix = prefix.as_str();
        let local = Arc::new(InProcess::default());
        let (outbox, mut queued) = mpsc::channel::<(String, Vec<u8>)>(OUTBOX);
        let seen: Arc<Mutex<Seen>> = Arc::default();
        let offers: Arc<Mutex<Offers>> = Arc::default();
        let resyncs = broadcast::channel(16).0;
        let mut subscription = client.subscribe(format!("{prefix}.>")).await?;
        let bus = Self {
            local: local.clone(),
            node,
            prefix: prefix.into(),
            outbox,
            seen: seen.clone(),
            offers: offers.clone(),
            resyncs,
            drop_every,
            published: std::sync::atomic::AtomicU64::new(0),
        };
        // Publisher: in order, one connection.
        {
            let (client, shutdown) = (client.clone(), shutdown.clone());
            tokio::spawn(async move {
                loop {
                    let next = tokio::select! {
                        next = queued.recv() => next,
                        () = shutdown.clone().recv() => None,
                    };
                    let Some((subject, payload)) = next else { break };
                    if let Err(e) = client.publish(subject, payload.into()).await {
                        tracing::warn!(error = %e, "publishing to nats");
                    }
                }
                let _ = client.flush().await;
            });
        }
        // Subscriber: other nodes' events to this node's listeners.
        {
            let (local, seen, prefix, own) =
                (local.clone(), seen.clone(), bus.prefix.clone(), bus.node.clone());
            let (offers, shutdown) = (offers.clone(), shutdown.clone());
            tokio::spawn(async move {
                loop {
                    let message = tokio::select! {
                        m = subscription.next() => m,
                        () = shutdown.clone().recv() => None,
                    };
                    let Some(message) = message else { return };
                    deliver(&local, &seen, &offers, &prefix, &own, &message.subject, &message.payload);
                }
            });
        }
        // Repairs: a full resync when asked, in its own task: the sweep
        // below may wait seconds for a database that is down, and followers
        // told to read then keep trying until it is back.
        {
            let (local, resyncs, shutdown) = (local.clone(), bus.resyncs.clone(), shutdown.clone());
            tokio::spawn(async move {
                loop {
                    tokio::select! {
                        r = resync_all.recv() => {
                            if r.is_none() {
                                return;
                            }
                            tracing::info!("nats reconnected or dropped messages: every follower re-reads");
                            for id in local.followed() {
                                local.publish(id, Event::Resync);
                            }
                            let _ = resyncs.send(());
                        }
                        () = shutdown.clone().recv() => return,
                    }
                }
            });
        }
        // And the periodic sweep.
        {
            let (seen, resyncs) = (seen, bus.resyncs.clone());
            tokio::spawn(async move {
                let mut every = tokio::time::interval(sweep);
                every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    tokio::select! {
                        _ = every.tick() => {
                            if let Err(e) = sweep_once(&local, &seen, &offers, &store, &resyncs).await {
                                tracing::warn!(error = %e, "reading where followed conversations stand");
                            }
                        }
                        () = shutdown.clone().recv() => return,
                    }
                }
            });
        }
        Ok(bus)
    }

    fn send<T: serde::Serialize>(&self, subject: String, ev: &T) {
        let n = self.published.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        if self.drop_every > 0 && n.is_multiple_of(self.drop_every) {
            return;
        }
        let envelope = Envelope { node: self.node.to_string(), ev };
        let payload = serde_json::to_vec(&envelope).expect("events serialize");
        if self.outbox.try_send((subject, payload)).is_err() {
            tracing::warn!("the nats outbox is full; other nodes will read it from the database");
        }
    }
}

/// Passes one message from the bus to this node's listeners.
fn deliver(
    local: &InProcess,
    seen: &Mutex<Seen>,
    offers: &Mutex<Offers>,
    prefix: &str,
    own: &str,
    subject: &str,
    payload: &[u8],
) {
    let Some(rest) = subject.strip_prefix(prefix).and_then(|r| r.strip_prefix('.')) else { return };
    let id = |s: &str| s.parse::<i64>().ok();
    match rest.split_once('.') {
        Some(("conv", n)) => {
            let (Some(n), Ok(e)) = (id(n), serde_json::from_slice::<Envelope<Event>>(payload)) else {
                return;
            };
            if e.node != own {
                let conversation = ConversationId::new(n);
                note(seen, conversation, &e.ev);
                local.publish(conversation, e.ev);
            }
        }
        Some(("agent", n)) => {
            let (Some(n), Ok(e)) = (id(n), serde_json::from_slice::<Envelope<AgentOut>>(payload)) else {
                return;
            };
            if e.node != own {
                note_offer(offers, &e.ev);
                local.publish_agent(AgentId::new(n), e.ev);
            }
        }
        None if rest == "sessions" => {
            if let Ok(e) = serde_json::from_slice::<Envelope<SessionEnd>>(payload) {
                if e.node != own {
                    local.end_sessions(e.ev);
                }
            }
        }
        _ => {}
    }
}

/// Reads where this node's followed conversations stand; those further on
/// than what passed here re-read (and then agents' inboxes too).
async fn sweep_once(
    local: &InProcess,
    seen: &Mutex<Seen>,
    offers: &Mutex<Offers>,
    store: &Store,
    resyncs: &broadcast::Sender<()>,
) -> Result<(), crate::store::StoreError> {
    // Offers to this node's inboxes that never came across: the inboxes
    // read theirs again.
    let inboxes = local.agents_listening();
    if inboxes.is_empty() {
        offers.lock().unwrap_or_else(|e| e.into_inner()).clear();
    } else {
        let offered = store.offered_to(&inboxes).await?;
        let missed = {
            let mut passed = offers.lock().unwrap_or_else(|e| e.into_inner());
            let missed = offered.iter().any(|c| !passed.contains(&c.get()));
            *passed = offered.iter().map(|c| c.get()).collect();
            missed
        };
        if missed {
            tracing::debug!("offers to this node's inboxes were missed; they read theirs again");
            let _ = resyncs.send(());
        }
    }
    let followed = local.followed();
    let set: std::collections::HashSet<ConversationId> = followed.iter().copied().collect();
    seen.lock().unwrap_or_else(|e| e.into_inner()).retain(|id, _| set.contains(id));
    if followed.is_empty() {
        return Ok(());
    }
    let positions = store.positions(&followed).await?;
    let mut behind = Vec::new();
    {
        let mut seen = seen.lock().unwrap_or_else(|e| e.into_inner());
        for (id, seq, state) in positions {
            let entry = seen.entry(id).or_insert((0, None));
            if entry.0 < seq || entry.1 != Some(state) {
                // (The first sweep of a conversation counts as behind: cheap,
                // and nothing before it is known.)
                *entry = (entry.0.max(seq), Some(state));
                behind.push(id);
            }
        }
    }
    if !behind.is_empty() {
        tracing::debug!(conversations = behind.len(), "followers behind the database re-read");
        for id in behind {
            local.publish(id, Event::Resync);
        }
    }
    Ok(())
}

impl Fanout for Bus {
    fn subscribe(&self, conversation: ConversationId) -> broadcast::Receiver<Event> {
        self.local.subscribe(conversation)
    }

    fn publish(&self, conversation: ConversationId, event: Event) {
        if matches!(event, Event::Resync) {
            return self.local.publish(conversation, event);
        }
        note(&self.seen, conversation, &event);
        self.send(format!("{}.conv.{}", self.prefix, conversation.get()), &event);
        self.local.publish(conversation, event);
    }

    fn subscribe_agent(&self, agent: AgentId) -> broadcast::Receiver<AgentOut> {
        self.local.subscribe_agent(agent)
    }

    fn publish_agent(&self, agent: AgentId, frame: AgentOut) {
        note_offer(&self.offers, &frame);
        self.send(format!("{}.agent.{}", self.prefix, agent.get()), &frame);
        self.local.publish_agent(agent, frame);
    }

    fn session_ends(&self) -> broadcast::Receiver<SessionEnd> {
        self.local.session_ends()
    }

    fn end_sessions(&self, end: SessionEnd) {
        self.send(format!("{}.sessions", self.prefix), &end);
        self.local.end_sessions(end);
    }

    fn resyncs(&self) -> broadcast::Receiver<()> {
        self.resyncs.subscribe()
    }
}
