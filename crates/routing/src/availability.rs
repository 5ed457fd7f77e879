//! Agents' availability: a manual toggle and an optional weekly schedule in
//! the agent's time zone. Pure: the time is passed in.
//!
//! Without a schedule the toggle is simply the agent's availability. With
//! one, the schedule decides, except that a manual switch holds until the
//! next scheduled block starts or ends, or midnight in the agent's zone,
//! whichever comes first.

use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use serde::{Deserialize, Serialize};

/// Most blocks in a schedule.
pub const MAX_BLOCKS: usize = 50;

/// A weekly schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    /// IANA time zone, e.g. `Europe/Amsterdam`.
    pub time_zone: String,
    /// When the agent is available.
    pub blocks: Vec<Block>,
}

/// Available on these days from `from` until `to` (local time, `HH:MM`;
/// `to` may be `24:00`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Block {
    /// `mon` … `sun`.
    pub days: Vec<String>,
    /// Start, `HH:MM`.
    pub from: String,
    /// End, `HH:MM` (later than `from`).
    pub to: String,
}

/// An agent's stored availability settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    /// The manual toggle.
    pub available: bool,
    /// With a schedule: until when the toggle overrides it (unix ms).
    pub until: Option<i64>,
    /// The weekly schedule, if any.
    pub schedule: Option<Schedule>,
}

/// A checked schedule, ready to evaluate.
#[derive(Debug, Clone)]
pub struct Weekly {
    tz: TimeZone,
    /// (weekday, from, to) in minutes since midnight; `to` ≤ 1440.
    blocks: Vec<(Weekday, u16, u16)>,
}

fn weekday(s: &str) -> Option<Weekday> {
    Some(match s.trim().to_ascii_lowercase().as_str() {
        "mon" | "monday" => Weekday::Monday,
        "tue" | "tuesday" => Weekday::Tuesday,
        "wed" | "wednesday" => Weekday::Wednesday,
        "thu" | "thursday" => Weekday::Thursday,
        "fri" | "friday" => Weekday::Friday,
        "sat" | "saturday" => Weekday::Saturday,
        "sun" | "sunday" => Weekday::Sunday,
        _ => return None,
    })
}

fn minutes(s: &str) -> Option<u16> {
    let (h, m) = s.trim().split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (m < 60 && (h < 24 || (h == 24 && m == 0))).then_some(h * 60 + m)
}

impl Schedule {
    /// Checks the schedule; the error says what is wrong, for a person.
    pub fn check(&self) -> Result<Weekly, String> {
        let tz = TimeZone::get(self.time_zone.trim()).map_err(|_| {
            format!("unknown time zone {:?}; use an IANA name like Europe/Amsterdam", self.time_zone)
        })?;
        if self.blocks.len() > MAX_BLOCKS {
            return Err(format!("at most {MAX_BLOCKS} blocks"));
        }
        let mut blocks = Vec::new();
        for (i, b) in self.blocks.iter().enumerate() {
            let at = format!("block {}", i + 1);
            let (Some(from), Some(to)) = (minutes(&b.from), minutes(&b.to)) else {
                return Err(format!("{at}: times are HH:MM, 00:00 to 24:00"));
            };
            if from >= to {
                return Err(format!("{at}: {} must be before {}", b.from, b.to));
            }
            if b.days.is_empty() {
                return Err(format!("{at}: name at least one day (mon … sun)"));
            }
            for d in &b.days {
                let day = weekday(d).ok_or_else(|| format!("{at}: unknown day {d:?}; use mon … sun"))?;
                blocks.push((day, from, to));
            }
        }
        Ok(Weekly { tz, blocks })
    }
}

impl Weekly {
    fn local(&self, now: Timestamp) -> (Date, u16) {
        let z = now.to_zoned(self.tz.clone());
        let t = z.time();
        (z.date(), u16::from(t.hour() as u8) * 60 + u16::from(t.minute() as u8))
    }

    /// The moments a local time happens on `date`: one, or two in the hour
    /// repeated when clocks go back.
    fn instants(&self, date: Date, minute: u16) -> [Option<Timestamp>; 2] {
        let (date, minute) = match date.tomorrow() {
            Ok(next) if minute >= 1440 => (next, minute - 1440),
            _ => (date, minute.min(1439)),
        };
        let Ok(time) = Time::new((minute / 60) as i8, (minute % 60) as i8, 0, 0) else {
            return [None, None];
        };
        let local = self.tz.to_ambiguous_timestamp(date.to_datetime(time));
        [local.earlier().ok(), local.later().ok()]
    }

    /// Whether `now` falls in a block.
    pub fn covers(&self, now: Timestamp) -> bool {
        let (date, m) = self.local(now);
        self.blocks.iter().any(|&(d, from, to)| d == date.weekday() && from <= m && m < to)
    }

    /// The first moment after `now` when a block starts or ends, or midnight
    /// in the agent's zone, whichever comes first: how long a manual switch holds.
    pub fn override_until(&self, now: Timestamp) -> Timestamp {
        let (today, _) = self.local(now);
        let mut best = self.instants(today, 1440)[0].unwrap_or(now + 24.hours());
        for &(day, from, to) in &self.blocks {
            if day != today.weekday() {
                continue;
            }
            for t in [from, to].into_iter().flat_map(|m| self.instants(today, m)).flatten() {
                if t > now {
                    best = best.min(t);
                }
            }
        }
        best
    }
}

impl Weekly {
    /// The first moment after `now` when a block starts or ends (within the
    /// coming week), if there is one.
    pub fn next_edge(&self, now: Timestamp) -> Option<Timestamp> {
        let (today, _) = self.local(now);
        let mut best: Option<Timestamp> = None;
        let mut date = today;
        for _ in 0..8 {
            for &(day, from, to) in &self.blocks {
                if day != date.weekday() {
                    continue;
                }
                for t in [from, to].into_iter().flat_map(|m| self.instants(date, m)).flatten() {
                    if t > now && best.is_none_or(|b| t < b) {
                        best = Some(t);
                    }
                }
            }
            let Ok(next) = date.tomorrow() else { break };
            date = next;
        }
        best
    }
}

impl Settings {
    /// When, after `now`, the agent's availability may change by itself (a
    /// manual switch running out, a block starting or ending); `None`
    /// without a schedule.
    pub fn next_change(&self, now: Timestamp) -> Option<Timestamp> {
        let weekly = self.schedule.as_ref()?.check().ok()?;
        let until = self.until.and_then(|u| Timestamp::from_millisecond(u).ok()).filter(|u| *u > now);
        match (until, weekly.next_edge(now)) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Whether the agent is available at `now`. A schedule
    /// that no longer checks (say, a time zone gone from the database) is ignored.
    pub fn available_at(&self, now: Timestamp) -> bool {
        let weekly = self.schedule.as_ref().and_then(|s| s.check().ok());
        match weekly {
            None => self.available,
            Some(_) if self.until.is_some_and(|u| now.as_millisecond() < u) => self.available,
            Some(w) => w.covers(now),
        }
    }

    /// Whether the toggle (rather than the schedule) decides at `now`: always
    /// without a schedule (or one that no longer checks), else until its
    /// `until`.
    pub fn switch_in_force(&self, now: Timestamp) -> bool {
        match self.schedule.as_ref().and_then(|s| s.check().ok()) {
            None => true,
            Some(_) => self.until.is_some_and(|u| now.as_millisecond() < u),
        }
    }

    /// The settings after the agent switches the toggle at `now`.
    pub fn switched(&self, available: bool, now: Timestamp) -> Settings {
        let until = self
            .schedule
            .as_ref()
            .and_then(|s| s.check().ok())
            .map(|w| w.override_until(now).as_millisecond());
        Settings { available, until, schedule: self.schedule.clone() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn office() -> Schedule {
        Schedule {
            time_zone: "Europe/Amsterdam".into(),
            blocks: vec![
                Block {
                    days: vec!["mon".into(), "tue".into(), "wed".into(), "thu".into(), "fri".into()],
                    from: "09:00".into(),
                    to: "17:00".into(),
                },
                Block { days: vec!["sat".into()], from: "10:00".into(), to: "12:00".into() },
            ],
        }
    }

    #[test]
    fn a_schedule_follows_the_agents_time_zone() {
        let w = office().check().unwrap();
        // 2026-11-24 is a Tuesday; Amsterdam is UTC+1 in winter.
        assert!(!w.covers(at("2026-11-24T07:59:00Z")));
        assert!(w.covers(at("2026-11-24T08:00:00Z")));
        assert!(w.covers(at("2026-11-24T15:59:00Z")));
        assert!(!w.covers(at("2026-11-24T16:00:00Z")));
        // In summer (UTC+2) the same local hours are an hour earlier in UTC.
        assert!(w.covers(at("2026-06-23T07:00:00Z")));
        assert!(!w.covers(at("2026-06-23T15:00:00Z")));
        // Saturday morning only; never on Sunday.
        assert!(w.covers(at("2026-11-28T09:30:00Z")));
        assert!(!w.covers(at("2026-11-28T11:00:00Z")));
        assert!(!w.covers(at("2026-11-29T10:00:00Z")));
    }

    #[test]
    fn a_manual_switch_lasts_until_the_next_block_edge_or_midnight() {
        let w = office().check().unwrap();
        // Tuesday 07:00 local: the block starts at 09:00 local.
        assert_eq!(w.override_until(at("2026-11-24T06:00:00Z")), at("2026-11-24T08:00:00Z"));
        // Inside the block: until it ends.
        assert_eq!(w.override_until(at("2026-11-24T10:00:00Z")), at("2026-11-24T16:00:00Z"));
        // After it: until local midnight.
        assert_eq!(w.override_until(at("2026-11-24T18:00:00Z")), at("2026-11-24T23:00:00Z"));
        // Sunday has no block: midnight.
        assert_eq!(w.override_until(at("2026-11-29T12:00:00Z")), at("2026-11-29T23:00:00Z"));
    }

    #[test]
    fn a_switch_is_in_force_until_the_schedule_takes_over_again() {
        let tuesday_evening = at("2026-11-24T18:00:00Z");
        let plain =
            Settings { available: true, until: None, schedule: None }.switched(false, tuesday_evening);
        assert!(plain.switch_in_force(at("2027-01-01T00:00:00Z")), "no schedule: until switched again");
        let s = Settings { available: true, until: None, schedule: Some(office()) }
            .switched(false, tuesday_evening);
        assert!(s.switch_in_force(at("2026-11-24T22:59:00Z")));
        assert!(!s.switch_in_force(at("2026-11-24T23:00:00Z")), "midnight: the schedule again");
    }

    #[test]
    fn the_toggle_overrides_the_schedule_only_until_then() {
        let s = Settings { available: true, until: None, schedule: Some(office()) };
        let tuesday_evening = at("2026-11-24T18:00:00Z");
        assert!(!s.available_at(tuesday_evening), "outside the schedule");
        let on = s.switched(true, tuesday_evening);
        assert!(on.available_at(tuesday_evening));
        assert!(on.available_at(at("2026-11-24T22:59:00Z")));
        assert!(!on.available_at(at("2026-11-24T23:00:00Z")), "midnight in Amsterdam ends it");
        // Switched off during the block: off until the block ends, then the schedule.
        let off = s.switched(false, at("2026-11-25T09:00:00Z"));
        assert!(!off.available_at(at("2026-11-25T15:59:00Z")));
        assert!(off.available_at(at("2026-11-26T09:00:00Z")));
    }

    #[test]
    fn in_the_hour_clocks_go_back_a_block_edge_is_not_missed() {
        // Amsterdam, Sunday 2026-10-25: 03:00 CEST becomes 02:00 CET, so
        // 02:00-03:00 happens twice. A block starts at 02:30 local.
        let s = Schedule {
            time_zone: "Europe/Amsterdam".into(),
            blocks: vec![Block { days: vec!["sun".into()], from: "02:30".into(), to: "05:00".into() }],
        };
        let w = s.check().unwrap();
        // The second 02:15 (01:15 UTC): the next edge is the second 02:30.
        assert_eq!(w.override_until(at("2026-10-25T01:15:00Z")), at("2026-10-25T01:30:00Z"));
        // The first 02:15 (00:15 UTC): the first 02:30.
        assert_eq!(w.override_until(at("2026-10-25T00:15:00Z")), at("2026-10-25T00:30:00Z"));
        // Spring forward (2026-03-29, 02:00 → 03:00): a block at 02:30 that
        // never happens on the clock does not stop midnight from being found.
        let s = Schedule {
            time_zone: "Europe/Amsterdam".into(),
            blocks: vec![Block { days: vec!["sun".into()], from: "02:30".into(), to: "02:45".into() }],
        };
        let until = s.check().unwrap().override_until(at("2026-03-29T12:00:00Z"));
        assert_eq!(until, at("2026-03-29T22:00:00Z"));
    }

    #[test]
    fn the_next_change_is_the_next_block_edge_or_the_end_of_a_manual_switch() {
        let w = office().check().unwrap();
        // Friday 18:00 local: the next edge is Saturday 10:00 local.
        assert_eq!(w.next_edge(at("2026-11-27T17:00:00Z")), Some(at("2026-11-28T09:00:00Z")));
        // Saturday 13:00 local: nothing on Sunday, so Monday 09:00.
        assert_eq!(w.next_edge(at("2026-11-28T12:00:00Z")), Some(at("2026-11-30T08:00:00Z")));
        let s = Settings { available: true, until: None, schedule: Some(office()) };
        assert_eq!(s.next_change(at("2026-11-28T12:00:00Z")), Some(at("2026-11-30T08:00:00Z")));
        // A manual switch running out first.
        let switched = s.switched(true, at("2026-11-28T12:00:00Z"));
        assert_eq!(switched.next_change(at("2026-11-28T12:00:00Z")), Some(at("2026-11-28T23:00:00Z")));
        assert_eq!(Settings::default().next_change(at("2026-11-28T12:00:00Z")), None);
        let empty = Schedule { time_zone: "UTC".into(), blocks: vec![] };
        assert_eq!(empty.check().unwrap().next_edge(at("2026-11-28T12:00:00Z")), None);
    }

    #[test]
    fn without_a_schedule_the_toggle_holds() {
        let s = Settings::default().switched(true, at("2026-11-24T18:00:00Z"));
        assert_eq!(s.until, None);
        assert!(s.available_at(at("2027-01-01T00:00:00Z")));
        assert!(!s.switched(false, at("2026-11-24T18:00:00Z")).available_at(at("2027-01-01T00:00:00Z")));
    }

    #[test]
    fn bad_schedules_are_refused_with_a_reason() {
        let mut s = office();
        s.time_zone = "Mars/Olympus".into();
        assert!(s.check().unwrap_err().contains("unknown time zone"));
        for (from, to, days, err) in [
            ("9:00", "17:00", "mon", "HH:MM"),
            ("17:00", "09:00", "mon", "before"),
            ("09:00", "24:01", "mon", "HH:MM"),
            ("09:00", "17:00", "funday", "unknown day"),
        ] {
            let s = Schedule {
                time_zone: "UTC".into(),
                blocks: vec![Block { days: vec![days.into()], from: from.into(), to: to.into() }],
            };
            assert!(s.check().unwrap_err().contains(err), "{from}-{to} {days}");
        }
        let whole_day = Schedule {
            time_zone: "UTC".into(),
            blocks: vec![Block { days: vec!["sun".into()], from: "00:00".into(), to: "24:00".into() }],
        };
        let w = whole_day.check().unwrap();
        assert!(w.covers(at("2026-11-29T23:59:00Z")));
        assert_eq!(w.override_until(at("2026-11-29T12:00:00Z")), at("2026-11-30T00:00:00Z"));
    }
}
