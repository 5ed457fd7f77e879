//! Adding conversations up: the live chat figures of every group a
//! report shows (all, each period, site, team and agent), as the
//! definitions in [`switchboard_protocol::admin::reports`] say.
//!
//! A report adds up to a million conversations, so the values behind its
//! medians are kept once, in columns ([`Column`]: each value with whose it
//! is), not once per group; [`ChatTotals::finish`] sorts each column into
//! its groups (a counting sort) and selects the ranks, a column per
//! thread. Several threads can add up parts of a range side by side
//! ([`ChatTotals::merge`] keeps the parts, copying nothing).

use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasherDefault;

use switchboard_protocol::admin::{
    day_name, AgentRow, ChatFigures, ChatReport, Outcome, PeriodRow, SiteRow, Spread, TeamRow,
};

use super::chat::{Answer, Chat, Figures};
use super::days::Days;
use crate::ids::{AgentId, SiteId};

/// The counts of one group.
#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    requested: u64,
    offered: u64,
    accepted: u64,
    declined: u64,
    missed: u64,
    fallback: u64,
    abandoned: u64,
    transfers: u64,
}

impl Counts {
    fn add(&mut self, chat: &Chat, f: &Figures) {
        self.requested += 1;
        self.offered += u64::from(!chat.offers.is_empty());
        match f.outcome {
            Outcome::Accepted => self.accepted += 1,
            Outcome::Fallback => self.fallback += 1,
            Outcome::Abandoned => self.abandoned += 1,
            Outcome::Open => {}
        }
        self.declined += chat.count(|a| *a == Answer::Declined);
        self.missed += chat.count(|a| *a == Answer::Missed);
        self.transfers += chat.transfers.len() as u64;
    }

    fn merge(&mut self, o: &Self) {
        self.requested += o.requested;
        self.offered += o.offered;
        self.accepted += o.accepted;
        self.declined += o.declined;
        self.missed += o.missed;
        self.fallback += o.fallback;
        self.abandoned += o.abandoned;
        self.transfers += o.transfers;
    }

    /// The group's figures, with its spreads in [`MEASURES`] order.
    fn figures(
        &self,
        [time_to_accept, wait, first_response, duration, messages]: [Spread; MEASURES],
    ) -> ChatFigures {
        ChatFigures {
            requested: self.requested,
            offered: self.offered,
            accepted: self.accepted,
            declined: self.declined,
            missed: self.missed,
            fallback: self.fallback,
            abandoned: self.abandoned,
            transfers: self.transfers,
            accept_rate: rate(self.accepted, self.requested),
            time_to_accept,
            wait,
            first_response,
            duration,
            messages,
        }
    }
}

fn rate(part: u64, whole: u64) -> Option<f64> {
    #[allow(clippy::cast_precision_loss)] // counts far below 2^52
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// A conversation's measures, in this order in every array of them:
/// time to accept (each accepted offer), wait, first response, duration,
/// messages.
const MEASURES: usize = 5;
const TIME_TO_ACCEPT: usize = 0;

/// An agent's measures, in this order: time to accept, first response,
/// duration (each stretch).
const AGENT_MEASURES: usize = 3;

/// One agent's counts.
#[derive(Debug, Default, Clone, Copy)]
struct AgentCounts {
    offered: u64,
    accepted: u64,
    declined: u64,
    missed: u64,
    withdrawn: u64,
    transfers: u64,
}

impl AgentCounts {
    fn merge(&mut self, o: &Self) {
        self.offered += o.offered;
        self.accepted += o.accepted;
        self.declined += o.declined;
        self.missed += o.missed;
        self.withdrawn += o.withdrawn;
        self.transfers += o.transfers;
    }
}

/// One measure's values, each with whose it is (a conversation's row, or
/// an agent's slot, in its part).
#[derive(Debug, Default)]
struct Column {
    values: Vec<i64>,
    keys: Vec<u32>,
}

impl Column {
    fn push(&mut self, key: u32, value: i64) {
        self.values.push(value);
        self.keys.push(key);
    }
}

/// No period, or no team.
const NONE: u32 = u32::MAX;

/// A conversation's groups in its part: its period (index), site and team
/// (slots).
#[derive(Debug, Clone, Copy)]
struct Row {
    period: u32,
    site: u32,
    team: u32,
}

/// Slots for keys seen in a part, in the order first seen.
#[derive(Debug)]
struct Slots<K> {
    keys: Vec<K>,
    index: HashMap<K, u32, BuildHasherDefault<IdHash>>,
}

impl<K> Default for Slots<K> {
    fn default() -> Self {
        Self { keys: Vec::new(), index: HashMap::default() }
    }
}

impl<K: std::hash::Hash + Eq + Clone> Slots<K> {
    /// `key`'s slot, and whether it is new.
    fn slot<Q>(&mut self, key: &Q) -> (u32, bool)
    where
        K: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        if let Some(&i) = self.index.get(key) {
            return (i, false);
        }
        let i = u32::try_from(self.keys.len()).unwrap_or(NONE);
        self.keys.push(key.to_owned());
        self.index.insert(key.to_owned(), i);
        (i, true)
    }
}

/// The conversations one thread added up.
#[derive(Debug, Default)]
struct Part {
    rows: Vec<Row>,
    measures: [Column; MEASURES],
    all: Counts,
    periods: Vec<Counts>,
    sites: Slots<SiteId>,
    site_counts: Vec<Counts>,
    teams: Slots<String>,
    team_counts: Vec<Counts>,
    agents: Slots<AgentId>,
    agent_counts: Vec<AgentCounts>,
    agent_measures: [Column; AGENT_MEASURES],
}

impl Part {
    fn new(periods: usize) -> Self {
        Self { periods: vec![Counts::default(); periods], ..Self::default() }
    }

    fn agent(&mut self, id: AgentId) -> u32 {
        let (slot, new) = self.agents.slot(&id);
        if new {
            self.agent_counts.push(AgentCounts::default());
        }
        slot
    }

    fn add(&mut self, chat: &Chat, period: Option<usize>) {
        let f = chat.figures();
        let row = u32::try_from(self.rows.len()).unwrap_or(NONE);
        let (site, new) = self.sites.slot(&chat.site);
        if new {
            self.site_counts.push(Counts::default());
        }
        let team = chat.team.as_deref().map_or(NONE, |t| {
            let (slot, new) = self.teams.slot(t);
            if new {
                self.team_counts.push(Counts::default());
            }
            slot
        });
        let period = period.and_then(|p| u32::try_from(p).ok()).unwrap_or(NONE);
        self.rows.push(Row { period, site, team });
        self.all.add(chat, &f);
        for (slot, counts) in
            [(period, &mut self.periods), (site, &mut self.site_counts), (team, &mut self.team_counts)]
        {
            if let Some(c) = counts.get_mut(slot as usize) {
                c.add(chat, &f);
            }
        }
        for ms in chat.offers.iter().filter_map(|o| match o.answer {
            Answer::Accepted(ms) => ms,
            _ => None,
        }) {
            self.measures[TIME_TO_ACCEPT].push(row, ms);
        }
        for (m, value) in [f.wait, f.first_response, f.duration, f.messages].into_iter().enumerate() {
            if let Some(v) = value {
                self.measures[m + 1].push(row, v);
            }
        }
        for offer in &chat.offers {
            let a = self.agent(offer.agent);
            let counts = &mut self.agent_counts[a as usize];
            counts.offered += 1;
            match offer.answer {
                Answer::Accepted(ms) => {
                    counts.accepted += 1;
                    if let Some(ms) = ms {
                        self.agent_measures[0].push(a, ms);
                    }
                }
                Answer::Declined => counts.declined += 1,
                Answer::Missed => counts.missed += 1,
                Answer::Withdrawn => counts.withdrawn += 1,
                Answer::Open => {}
            }
        }
        for s in &chat.stretches {
            if let Some(to) = s.to {
                let a = self.agent(s.agent);
                self.agent_measures[2].push(a, (to - s.from).max(0));
            }
        }
        for by in &chat.transfers {
            let a = self.agent(*by);
            self.agent_counts[a as usize].transfers += 1;
        }
        if let Some((Some(agent), ms)) = chat.first_reply {
            let a = self.agent(agent);
            self.agent_measures[1].push(a, ms);
        }
    }
}

/// How a column's values are grouped, for one list of groups.
#[derive(Debug, Clone, Copy)]
enum Grouping {
    All,
    Periods,
    Sites,
    Teams,
    Agents,
}

/// Working space of one thread adding up columns.
#[derive(Default)]
struct Scratch {
    groups: Vec<u32>,
    values: Vec<i64>,
}

/// The spread of each of `n` groups, from the values of `columns` (each
/// with its keys' groups: `group_of(part, key)`, `NONE` for none): a
/// counting sort into `scratch`, then each group's ranks selected.
fn spreads(
    n: usize,
    columns: &[&Column],
    group_of: impl Fn(usize, u32) -> u32,
    scratch: &mut Scratch,
) -> Vec<Spread> {
    let total: usize = columns.iter().map(|c| c.values.len()).sum();
    if n == 1 {
        // (One group of every value: no sorting into groups.)
        scratch.values.clear();
        scratch.values.reserve(total);
        for (part, c) in columns.iter().enumerate() {
            for (&k, &v) in c.keys.iter().zip(&c.values) {
                if group_of(part, k) == 0 {
                    scratch.values.push(v);
                }
            }
        }
        return vec![Spread::of_slice(&mut scratch.values)];
    }
    scratch.groups.clear();
    scratch.groups.reserve(total);
    for (part, c) in columns.iter().enumerate() {
        scratch.groups.extend(c.keys.iter().map(|&k| group_of(part, k)));
    }
    let mut starts = vec![0usize; n + 1];
    for &g in &scratch.groups {
        if let Some(s) = starts.get_mut(g as usize + 1) {
            *s += 1;
        }
    }
    for i in 0..n {
        starts[i + 1] += starts[i];
    }
    scratch.values.clear();
    scratch.values.resize(starts[n], 0);
    let mut next = starts[..n].to_vec();
    let values = columns.iter().flat_map(|c| c.values.iter());
    for (&g, &v) in scratch.groups.iter().zip(values) {
        if let Some(at) = next.get_mut(g as usize) {
            scratch.values[*at] = v;
            *at += 1;
        }
    }
    (0..n).map(|g| Spread::of_slice(&mut scratch.values[starts[g]..starts[g + 1]])).collect()
}

/// Hashes an id by one multiplication (Fibonacci hashing): agent and
/// site ids are small numbers a report looks up millions of times;
/// nothing here is keyed by what a visitor chose.
#[derive(Default)]
struct IdHash(u64);

impl std::hash::Hasher for IdHash {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }

    fn write_i64(&mut self, n: i64) {
        self.0 = (self.0 ^ n.cast_unsigned()).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

/// Names for what a report shows by id.
#[derive(Debug, Default)]
pub struct Names {
    /// Each site's key and name.
    pub sites: HashMap<SiteId, (String, String)>,
    /// Each agent's name and email.
    pub agents: HashMap<AgentId, (String, String)>,
}

impl Names {
    /// An agent as a conversation row names them: their email, or `#id`
    /// for one removed since.
    pub fn agent_email(&self, id: AgentId) -> String {
        self.agents.get(&id).map_or_else(|| format!("#{}", id.get()), |(_, email)| email.clone())
    }

    /// A site's key (empty for one removed since: its conversations went
    /// with it, so only a race shows this).
    pub fn site_key(&self, id: SiteId) -> String {
        self.sites.get(&id).map(|(key, _)| key.clone()).unwrap_or_default()
    }
}

/// The live chat report being added up.
#[derive(Debug)]
pub struct ChatTotals {
    days: Days,
    /// Each period by its first day, in order.
    periods: Vec<i64>,
    /// The last day a conversation fell on: its first moment, the first
    /// after it, and its period's index (conversations come in the order
    /// they started: most fall on the day before them).
    day: Option<(i64, i64, Option<usize>)>,
    part: Part,
    /// Parts merged in.
    others: Vec<Part>,
}

impl ChatTotals {
    /// Nothing added yet, over `days`.
    pub fn new(days: Days) -> Self {
        let periods = days.periods();
        let part = Part::new(periods.len());
        Self { days, periods, day: None, part, others: Vec::new() }
    }

    /// The period `ms` (unix ms) falls in, by its index (none outside
    /// the range).
    fn period_at(&mut self, ms: i64) -> Option<usize> {
        match self.day {
            Some((from, to, index)) if (from..to).contains(&ms) => index,
            _ => {
                let day = self.days.day_of(ms);
                let (from, to) = self.days.day_bounds(day);
                let index = self.periods.binary_search(&self.days.period_of(day)).ok();
                self.day = Some((from, to, index));
                index
            }
        }
    }

    /// Adds a conversation (one that started in the range).
    pub fn add(&mut self, chat: &Chat) {
        let period = self.period_at(chat.started);
        self.part.add(chat, period);
    }

    /// Adds another part of the same range's conversations (kept as it
    /// is: a spread does not depend on the order of its values).
    pub fn merge(&mut self, other: Self) {
        self.others.push(other.part);
        self.others.extend(other.others);
    }

    /// The report, with names from `names`; `site` is the key asked for.
    /// (Each column's groups are worked out on a thread of their own, as
    /// many at once as there are cores.)
    pub fn finish(self, names: &Names, site: Option<String>) -> ChatReport {
        let Self { days, periods, part, others, .. } = self;
        let parts: Vec<Part> = std::iter::once(part).chain(others).collect();
        // Every part's slots as the report's groups, in the report's order.
        let sites = Groups::of(&parts, |p| &p.sites.keys);
        let teams = Groups::of(&parts, |p| &p.teams.keys);
        let agents = Groups::of(&parts, |p| &p.agents.keys);
        let (mut all, mut period_counts) = (Counts::default(), vec![Counts::default(); periods.len()]);
        let mut site_counts = vec![Counts::default(); sites.keys.len()];
        let mut team_counts = vec![Counts::default(); teams.keys.len()];
        let mut agent_counts = vec![AgentCounts::default(); agents.keys.len()];
        for (i, p) in parts.iter().enumerate() {
            all.merge(&p.all);
            for (into, c) in period_counts.iter_mut().zip(&p.periods) {
                into.merge(c);
            }
            for (slot, c) in p.site_counts.iter().enumerate() {
                site_counts[sites.of[i][slot] as usize].merge(c);
            }
            for (slot, c) in p.team_counts.iter().enumerate() {
                team_counts[teams.of[i][slot] as usize].merge(c);
            }
            for (slot, c) in p.agent_counts.iter().enumerate() {
                agent_counts[agents.of[i][slot] as usize].merge(c);
            }
        }
        let mut jobs = Vec::new();
        for m in 0..MEASURES {
            for g in [Grouping::All, Grouping::Periods, Grouping::Sites, Grouping::Teams] {
                jobs.push((m, g));
            }
        }
        for m in 0..AGENT_MEASURES {
            jobs.push((m, Grouping::Agents));
        }
        let (parts, sites_of, teams_of, agents_of) = (&parts, &sites.of, &teams.of, &agents.of);
        let group = |m: usize, g: Grouping, scratch: &mut Scratch| -> Vec<Spread> {
            let columns: Vec<&Column> = parts
                .iter()
                .map(|p| match g {
                    Grouping::Agents => &p.agent_measures[m],
                    _ => &p.measures[m],
                })
                .collect();
            let of = |slots: &[u32], slot: u32| slots.get(slot as usize).copied().unwrap_or(NONE);
            let row = |part: usize, key: u32| parts[part].rows[key as usize];
            match g {
                Grouping::All => spreads(1, &columns, |_, _| 0, scratch),
                Grouping::Periods => spreads(periods.len(), &columns, |p, k| row(p, k).period, scratch),
                Grouping::Sites => {
                    spreads(sites.keys.len(), &columns, |p, k| of(&sites_of[p], row(p, k).site), scratch)
                }
                Grouping::Teams => {
                    spreads(teams.keys.len(), &columns, |p, k| of(&teams_of[p], row(p, k).team), scratch)
                }
                Grouping::Agents => {
                    spreads(agents.keys.len(), &columns, |p, k| of(&agents_of[p], k), scratch)
                }
            }
        };
        let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get).min(jobs.len());
        let mut done: Vec<Vec<Spread>> = vec![Vec::new(); jobs.len()];
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    let (jobs, group) = (&jobs, &group);
                    scope.spawn(move || {
                        let mut scratch = Scratch::default();
                        let mut out = Vec::new();
                        for (j, &(m, g)) in jobs.iter().enumerate().skip(t).step_by(threads) {
                            out.push((j, group(m, g, &mut scratch)));
                        }
                        out
                    })
                })
                .collect();
            for h in handles {
                // (A panic goes on as if it had happened here.)
                for (j, spreads) in h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)) {
                    done[j] = spreads;
                }
            }
        });
        // Group `i`'s spread of measure `m` grouped by `g` (the jobs' order).
        let spread = |m: usize, g: usize, i: usize| done[m * 4 + g].get(i).copied().unwrap_or_default();
        let chat_figures =
            |c: &Counts, g: usize, i: usize| c.figures(std::array::from_fn(|m| spread(m, g, i)));
        let agent_spread = |m: usize, i: usize| done[MEASURES * 4 + m].get(i).copied().unwrap_or_default();
        let agent_name = |id: AgentId| {
            names.agents.get(&id).map_or_else(
                || (format!("Removed agent {}", id.get()), None),
                |(name, email)| (name.clone(), Some(email.clone())),
            )
        };
        ChatReport {
            from: days.from_name(),
            to: days.to_name(),
            time_zone: days.tz_name.clone(),
            by: days.by,
            site,
            totals: chat_figures(&all, 0, 0),
            periods: periods
                .iter()
                .zip(&period_counts)
                .enumerate()
                .map(|(i, (&start, c))| PeriodRow { start: day_name(start), figures: chat_figures(c, 1, i) })
                .collect(),
            sites: sites
                .keys
                .iter()
                .zip(&site_counts)
                .enumerate()
                .map(|(i, (id, c))| {
                    let (key, name) = names.sites.get(id).cloned().unwrap_or_default();
                    SiteRow { site: key, name, figures: chat_figures(c, 2, i) }
                })
                .collect(),
            teams: teams
                .keys
                .iter()
                .zip(&team_counts)
                .enumerate()
                .map(|(i, (team, c))| TeamRow { team: team.clone(), figures: chat_figures(c, 3, i) })
                .collect(),
            agents: agents
                .keys
                .iter()
                .zip(&agent_counts)
                .enumerate()
                .map(|(i, (&id, a))| {
                    let (name, email) = agent_name(id);
                    AgentRow {
                        agent: id.get(),
                        name,
                        email,
                        offered: a.offered,
                        accepted: a.accepted,
                        declined: a.declined,
                        missed: a.missed,
                        withdrawn: a.withdrawn,
                        accept_rate: rate(a.accepted, a.offered),
                        time_to_accept: agent_spread(0, i),
                        first_response: agent_spread(1, i),
                        duration: agent_spread(2, i),
                        transfers: a.transfers,
                    }
                })
                .collect(),
        }
    }
}

/// The report's groups of one kind (sites, teams, agents), in order, and
/// for each part, each of its slots' group.
struct Groups<K> {
    keys: Vec<K>,
    of: Vec<Vec<u32>>,
}

impl<K: Ord + Clone> Groups<K> {
    fn of(parts: &[Part], slots: impl Fn(&Part) -> &Vec<K>) -> Self {
        let sorted: BTreeMap<K, u32> =
            parts.iter().flat_map(|p| slots(p).iter().cloned()).map(|k| (k, 0)).collect();
        let keys: Vec<K> = sorted.into_keys().collect();
        let of = parts
            .iter()
            .map(|p| {
                slots(p)
                    .iter()
                    .map(|k| keys.binary_search(k).ok().and_then(|i| u32::try_from(i).ok()).unwrap_or(NONE))
                    .collect()
            })
            .collect();
        Self { keys, of }
    }
}
