//! A data directory for the benches over many stored conversations: five
//! sites, an admin who can log in, 40 agents in 4 teams, and `n`
//! conversations over the past year, seeded in bulk
//! ([`Store::bulk_seed`]).

use anyhow::Context;
use std::path::Path;
use std::time::Instant;
use switchboard_protocol::auth::Role;
use switchboard_protocol::site::{Appearance, SiteKey};
use switchboard_server::auth::hash_password;
use switchboard_server::ids::AgentId;
use switchboard_server::store::bulk::{BulkPlan, Seeded};
use switchboard_server::store::Store;

/// The admin the benches log in as.
pub const ADMIN: &str = "admin@bench.test";
/// Their password (a throwaway database).
pub const PASSWORD: &str = "bench-admin-password";
/// Sites (`site0`…), the conversations spread evenly over them.
pub const SITES: usize = 5;
/// Agents (`agent0@bench.test`…).
pub const AGENTS: usize = 40;
/// Teams (`Team 0`…), a quarter of the agents each.
pub const TEAMS: usize = 4;
const YEAR_MS: i64 = 365 * 24 * 3600 * 1000;

/// The database of the data directory `dir` (the server's own name for it).
pub fn database_url(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("switchboard.db").display())
}

/// Seeds `dir` with `n` conversations; answers the seconds it took and
/// what it stored.
pub async fn seed(dir: &Path, n: u64) -> anyhow::Result<(f64, Seeded)> {
    let store = Store::open(&database_url(dir)).await.context("opening the database")?;
    let now = switchboard_server::Clock::system().now_ms();
    let mut sites = Vec::new();
    for i in 0..SITES {
        let key = SiteKey::parse(&format!("site{i}"))?;
        sites.push(store.create_site(&key, &format!("Site {i}"), &Appearance::default(), &[], now).await?);
    }
    let hash = tokio::task::spawn_blocking(|| hash_password(PASSWORD)).await?;
    store.create_agent("Bench admin", ADMIN, &hash, Role::Admin, now).await?;
    let mut agents = Vec::new();
    for i in 0..AGENTS {
        let email = format!("agent{i}@bench.test");
        agents.push(store.create_agent(&format!("Agent {i}"), &email, "not a hash", Role::Agent, now).await?);
    }
    let mut teams = Vec::new();
    for (t, members) in agents.chunks(AGENTS / TEAMS).enumerate() {
        teams.push(store.create_team(&format!("Team {t}"), members).await?);
    }
    let plan = BulkPlan {
        conversations: n,
        sites,
        agents: agents.into_iter().map(AgentId::new).collect(),
        teams,
        first_start: now - YEAR_MS,
        step_ms: (YEAR_MS / i64::try_from(n.max(1))?).max(1),
        batch: 100_000,
    };
    let started = Instant::now();
    let seeded = store
        .bulk_seed(&plan, |done| eprintln!("  seeded {done} of {n} ({:.0?})", started.elapsed()))
        .await
        .context("seeding")?;
    let seed_secs = started.elapsed().as_secs_f64();
    store.close().await;
    Ok((seed_secs, seeded))
}
