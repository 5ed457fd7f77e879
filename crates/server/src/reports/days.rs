//! A report's days in its time zone: where the range starts and ends, the
//! day and period of a moment, and moments as ISO 8601 with the offset.

use jiff::tz::TimeZone;
use jiff::Timestamp;
use switchboard_protocol::admin::{day_name, InvalidRequest, Period, ReportRange};

const DAY_MS: i64 = 86_400_000;

/// The days a report covers (days since 1970-01-01, both ends included),
/// in its time zone, grouped by `by`.
#[derive(Debug, Clone)]
pub struct Days {
    tz: TimeZone,
    /// The zone's name as asked (`UTC` if not).
    pub tz_name: String,
    /// The first day.
    pub from: i64,
    /// The last day (included).
    pub to: i64,
    /// Rows per day or week.
    pub by: Period,
}

impl Days {
    /// The days `range` names, with today (in its zone, at `now_ms`) for
    /// what it leaves out; an unknown zone is refused by field (`tz`).
    pub fn new(range: &ReportRange, now_ms: i64) -> Result<Self, InvalidRequest> {
        let tz_name = range.tz.clone().unwrap_or_else(|| "UTC".to_owned());
        let tz = TimeZone::get(&tz_name).map_err(|_| {
            InvalidRequest::field("tz", format!("{tz_name:?} is not a time zone this server knows"))
        })?;
        let today = day_in(&tz, now_ms);
        let (from, to) = range.days(today)?;
        Ok(Self { tz, tz_name, from, to, by: range.by })
    }

    /// The first moment of the range (unix ms).
    pub fn start_ms(&self) -> i64 {
        self.midnight(self.from)
    }

    /// The first moment after the range (unix ms).
    pub fn end_ms(&self) -> i64 {
        self.midnight(self.to + 1)
    }

    /// When `day` begins in the zone (unix ms): its first moment, which is
    /// not midnight where a clock change skips midnight.
    fn midnight(&self, day: i64) -> i64 {
        let utc = Timestamp::from_millisecond(day * DAY_MS).unwrap_or(Timestamp::UNIX_EPOCH);
        let date = utc.to_zoned(TimeZone::UTC).date();
        // (Midnight in a gap is the moment the gap ends.)
        date.to_zoned(self.tz.clone()).map_or(day * DAY_MS, |z| z.timestamp().as_millisecond())
    }

    /// The first moment of `day` and the first after it (unix ms).
    pub fn day_bounds(&self, day: i64) -> (i64, i64) {
        (self.midnight(day), self.midnight(day + 1))
    }

    /// The day (in the zone) of a moment (unix ms).
    pub fn day_of(&self, ms: i64) -> i64 {
        day_in(&self.tz, ms)
    }

    /// The first day of the period that holds `day`.
    pub fn period_of(&self, day: i64) -> i64 {
        match self.by {
            Period::Day => day,
            // 1970-01-01 was a Thursday: weeks start three days later in
            // the count.
            Period::Week => day - (day + 3).rem_euclid(7),
        }
    }

    /// Every period of the range, in order, by its first day.
    pub fn periods(&self) -> Vec<i64> {
        let step = match self.by {
            Period::Day => 1,
            Period::Week => 7,
        };
        let mut out = Vec::new();
        let mut p = self.period_of(self.from);
        while p <= self.to {
            out.push(p);
            p += step;
        }
        out
    }

    /// A moment (unix ms) as ISO 8601 in the zone, to the second, with
    /// its offset (`2026-11-30T09:15:02+01:00`).
    pub fn iso(&self, ms: i64) -> String {
        let at = Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH);
        at.to_zoned(self.tz.clone()).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
    }

    /// The first day as `YYYY-MM-DD`.
    pub fn from_name(&self) -> String {
        day_name(self.from)
    }

    /// The last day as `YYYY-MM-DD`.
    pub fn to_name(&self) -> String {
        day_name(self.to)
    }
}

fn day_in(tz: &TimeZone, ms: i64) -> i64 {
    let at = Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH);
    let offset = i64::from(tz.to_offset(at).seconds()) * 1000;
    (ms + offset).div_euclid(DAY_MS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchboard_protocol::admin::ReportQuery;

    fn days(from: &str, to: &str, tz: &str, by: &str) -> Days {
        let q = ReportQuery {
            from: Some(from.into()),
            to: Some(to.into()),
            tz: Some(tz.into()),
            by: Some(by.into()),
            site: None,
        };
        Days::new(&q.check().unwrap(), 0).unwrap()
    }

    fn ms(iso: &str) -> i64 {
        iso.parse::<Timestamp>().unwrap().as_millisecond()
    }

    #[test]
    fn a_range_is_whole_days_in_its_zone() {
        let d = days("2026-11-30", "2026-12-01", "Europe/Amsterdam", "day");
        assert_eq!(d.start_ms(), ms("2026-11-29T23:00:00Z"));
        assert_eq!(d.end_ms(), ms("2026-12-01T23:00:00Z"));
        assert_eq!(d.iso(ms("2026-11-30T08:15:02.500Z")), "2026-11-30T09:15:02+01:00");
        assert_eq!(d.day_of(ms("2026-11-30T23:30:00Z")), d.to, "half past midnight in Amsterdam");
        let utc = days("2026-11-30", "2026-11-30", "UTC", "day");
        assert_eq!(utc.iso(ms("2026-11-30T08:15:02Z")), "2026-11-30T08:15:02+00:00");
    }

    #[test]
    fn a_day_with_a_clock_change_is_as_long_as_it_is() {
        // Summer time began in Amsterdam at 02:00 on 2026-03-29: 23 hours.
        let d = days("2026-03-29", "2026-03-29", "Europe/Amsterdam", "day");
        assert_eq!(d.end_ms() - d.start_ms(), 23 * 3_600_000);
        // Santiago's clocks skip midnight itself (2026-09-06 starts at 01:00).
        let d = days("2026-09-06", "2026-09-06", "America/Santiago", "day");
        assert_eq!(d.iso(d.start_ms()), "2026-09-06T01:00:00-03:00");
    }

    #[test]
    fn weeks_start_on_monday_and_cover_the_range() {
        let d = days("2026-11-25", "2026-12-09", "UTC", "week");
        let names: Vec<_> = d.periods().into_iter().map(day_name).collect();
        assert_eq!(names, ["2026-11-23", "2026-11-30", "2026-12-07"]);
        let days_only = days("2026-11-29", "2026-12-01", "UTC", "day");
        assert_eq!(days_only.periods().len(), 3);
    }

    #[test]
    fn an_unknown_zone_is_refused_by_field() {
        let q = ReportQuery { tz: Some("Mars/Olympus_Mons".into()), ..ReportQuery::default() };
        let e = Days::new(&q.check().unwrap(), 0).unwrap_err();
        assert_eq!(e.fields[0].field, "tz");
    }
}
