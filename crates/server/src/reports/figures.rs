//! Adding conversations up: the live chat figures of every group a
//! report shows (all, each period, site, team and agent), as the
//! definitions in [`switchboard_protocol::admin::reports`] say.

use std::collections::{BTreeMap, HashMap};

use switchboard_protocol::admin::{
    day_name, AgentRow, ChatFigures, ChatReport, Outcome, PeriodRow, SiteRow, Spread, TeamRow,
};

use super::chat::{Answer, Chat};
use super::days::Days;
use crate::ids::{AgentId, SiteId};

/// The counts and values of one group, as conversations are added.
#[derive(Debug, Default)]
struct Tally {
    requested: u64,
    offered: u64,
    accepted: u64,
    declined: u64,
    missed: u64,
    fallback: u64,
    abandoned: u64,
    transfers: u64,
    time_to_accept: Vec<i64>,
    wait: Vec<i64>,
    first_response: Vec<i64>,
    duration: Vec<i64>,
    messages: Vec<i64>,
}

impl Tally {
    fn add(&mut self, chat: &Chat) {
        let f = chat.figures();
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
        self.time_to_accept.extend(chat.offers.iter().filter_map(|o| match o.answer {
            Answer::Accepted(ms) => ms,
            _ => None,
        }));
        self.wait.extend(f.wait);
        self.first_response.extend(f.first_response);
        self.duration.extend(f.duration);
        self.messages.extend(f.messages);
    }

    fn figures(self) -> ChatFigures {
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
            time_to_accept: Spread::of(self.time_to_accept),
            wait: Spread::of(self.wait),
            first_response: Spread::of(self.first_response),
            duration: Spread::of(self.duration),
            messages: Spread::of(self.messages),
        }
    }
}

fn rate(part: u64, whole: u64) -> Option<f64> {
    #[allow(clippy::cast_precision_loss)] // counts far below 2^52
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// One agent's counts and values.
#[derive(Debug, Default)]
struct AgentTally {
    offered: u64,
    accepted: u64,
    declined: u64,
    missed: u64,
    withdrawn: u64,
    transfers: u64,
    time_to_accept: Vec<i64>,
    first_response: Vec<i64>,
    duration: Vec<i64>,
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
    all: Tally,
    periods: BTreeMap<i64, Tally>,
    sites: BTreeMap<SiteId, Tally>,
    teams: BTreeMap<String, Tally>,
    agents: BTreeMap<AgentId, AgentTally>,
}

impl ChatTotals {
    /// Nothing added yet, over `days`.
    pub fn new(days: Days) -> Self {
        let periods = days.periods().into_iter().map(|p| (p, Tally::default())).collect();
        Self {
            days,
            all: Tally::default(),
            periods,
            sites: BTreeMap::new(),
            teams: BTreeMap::new(),
            agents: BTreeMap::new(),
        }
    }

    /// Adds a conversation (one that started in the range).
    pub fn add(&mut self, chat: &Chat) {
        self.all.add(chat);
        let period = self.days.period_of(self.days.day_of(chat.started));
        self.periods.entry(period).or_default().add(chat);
        self.sites.entry(chat.site).or_default().add(chat);
        if let Some(team) = &chat.team {
            self.teams.entry(team.clone()).or_default().add(chat);
        }
        for offer in &chat.offers {
            let a = self.agents.entry(offer.agent).or_default();
            a.offered += 1;
            match offer.answer {
                Answer::Accepted(ms) => {
                    a.accepted += 1;
                    a.time_to_accept.extend(ms);
                }
                Answer::Declined => a.declined += 1,
                Answer::Missed => a.missed += 1,
                Answer::Withdrawn => a.withdrawn += 1,
                Answer::Open => {}
            }
        }
        for s in &chat.stretches {
            if let Some(to) = s.to {
                self.agents.entry(s.agent).or_default().duration.push((to - s.from).max(0));
            }
        }
        for by in &chat.transfers {
            self.agents.entry(*by).or_default().transfers += 1;
        }
        if let Some((Some(agent), ms)) = chat.first_reply {
            self.agents.entry(agent).or_default().first_response.push(ms);
        }
    }

    /// The report, with names from `names`; `site` is the key asked for.
    pub fn finish(self, names: &Names, site: Option<String>) -> ChatReport {
        let agent_name = |id: AgentId| {
            names.agents.get(&id).map_or_else(
                || (format!("Removed agent {}", id.get()), None),
                |(name, email)| (name.clone(), Some(email.clone())),
            )
        };
        ChatReport {
            from: self.days.from_name(),
            to: self.days.to_name(),
            time_zone: self.days.tz_name.clone(),
            by: self.days.by,
            site,
            totals: self.all.figures(),
            periods: self
                .periods
                .into_iter()
                .map(|(start, t)| PeriodRow { start: day_name(start), figures: t.figures() })
                .collect(),
            sites: self
                .sites
                .into_iter()
                .map(|(id, t)| {
                    let (key, name) = names.sites.get(&id).cloned().unwrap_or_default();
                    SiteRow { site: key, name, figures: t.figures() }
                })
                .collect(),
            teams: self.teams.into_iter().map(|(team, t)| TeamRow { team, figures: t.figures() }).collect(),
            agents: self
                .agents
                .into_iter()
                .map(|(id, a)| {
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
                        time_to_accept: Spread::of(a.time_to_accept),
                        first_response: Spread::of(a.first_response),
                        duration: Spread::of(a.duration),
                        transfers: a.transfers,
                    }
                })
                .collect(),
        }
    }
}
