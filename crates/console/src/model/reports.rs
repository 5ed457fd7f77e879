//! The reports page's plain model: its query kept in the address
//! (`#/reports?from=2026-11-01&by=week`), durations in words, and the
//! chart's geometry. The chart is drawn by hand as SVG from this geometry:
//! a bar per period, stacked by outcome, on a scale with round ticks; no
//! charting library (what a bar chart needs is a few rectangles, and this
//! costs the bundle a few kilobytes where a library costs tens).

use switchboard_protocol::admin::{PeriodRow, ReportQuery};

use crate::model::route::{decode, encode};

/// The query read from the address's query string (unknown keys ignored).
pub fn parse_query(query: &str) -> ReportQuery {
    let mut q = ReportQuery::default();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let v = Some(decode(&v.replace('+', " "))).filter(|v| !v.trim().is_empty());
        match k {
            "from" => q.from = v,
            "to" => q.to = v,
            "tz" => q.tz = v,
            "by" => q.by = v,
            "site" => q.site = v,
            _ => {}
        }
    }
    q
}

/// The address's query string of `q` (what is given, trimmed).
pub fn address_query(q: &ReportQuery) -> String {
    [("from", &q.from), ("to", &q.to), ("tz", &q.tz), ("by", &q.by), ("site", &q.site)]
        .iter()
        .filter_map(|(k, v)| {
            v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(|v| format!("{k}={}", encode(v)))
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// The API address of report `what` (`chats`, `conversations.csv`, …)
/// for `q`.
pub fn api_url(what: &str, q: &ReportQuery) -> String {
    let query = q.to_query_string();
    if query.is_empty() {
        format!("/api/admin/reports/{what}")
    } else {
        format!("/api/admin/reports/{what}?{query}")
    }
}

/// A duration in milliseconds as its hours, minutes and seconds (rounded
/// to the second; under a second reads as `0.4 s`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    /// Under a minute: tenths of a second.
    Seconds(i64),
    /// Under an hour: minutes and seconds.
    Minutes(i64, i64),
    /// Hours and minutes.
    Hours(i64, i64),
}

impl Span {
    /// `ms` split up.
    pub fn of(ms: i64) -> Self {
        let ms = ms.max(0);
        let s = (ms + 500) / 1000;
        if ms < 60_000 {
            Self::Seconds((ms + 50) / 100)
        } else if s < 3600 {
            Self::Minutes(s / 60, s % 60)
        } else {
            let minutes = (s + 30) / 60;
            Self::Hours(minutes / 60, minutes % 60)
        }
    }

    /// As text with the units given (`s`, `min`, `h`): `4.5 s`, `2 min 05 s`, `1 h 20 min`.
    pub fn text(self, units: [&str; 3]) -> String {
        let [s, m, h] = units;
        match self {
            Self::Seconds(tenths) if tenths % 10 == 0 => format!("{} {s}", tenths / 10),
            Self::Seconds(tenths) => format!("{}.{} {s}", tenths / 10, tenths % 10),
            Self::Minutes(min, sec) => format!("{min} {m} {sec:02} {s}"),
            Self::Hours(hours, min) => format!("{hours} {h} {min:02} {m}"),
        }
    }
}

/// A rate (0..=1) as a whole percentage (`67%`).
pub fn percent(rate: Option<f64>) -> Option<String> {
    rate.map(|r| format!("{}%", (r * 100.0).round()))
}

/// What a bar's segments stand for, bottom up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Accepted by an agent.
    Accepted,
    /// Ended with the fallback message.
    Fallback,
    /// The visitor left first.
    Abandoned,
    /// Still open.
    Open,
}

impl Part {
    /// Every part, bottom up.
    pub const ALL: [Part; 4] = [Part::Accepted, Part::Fallback, Part::Abandoned, Part::Open];

    /// Its key in the locale files, and its CSS class.
    pub fn key(self) -> &'static str {
        match self {
            Part::Accepted => "accepted",
            Part::Fallback => "fallback",
            Part::Abandoned => "abandoned",
            Part::Open => "open",
        }
    }
}

/// One segment of a bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    /// What it counts.
    pub part: Part,
    /// How many.
    pub value: u64,
    /// Its top edge.
    pub y: f64,
    /// Its height.
    pub height: f64,
}

/// One period's bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// The period's first day.
    pub label: String,
    /// Its left edge.
    pub x: f64,
    /// Its width.
    pub width: f64,
    /// Requests in all.
    pub total: u64,
    /// Its segments with a value, bottom up.
    pub segments: Vec<Segment>,
}

/// A line of the scale.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    /// The value.
    pub value: u64,
    /// Its height on the chart.
    pub y: f64,
}

/// The chart's geometry, in a `width` × `height` box whose plot starts at
/// [`Chart::LEFT`] and ends [`Chart::BOTTOM`] above the foot.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// The box's width.
    pub width: f64,
    /// The box's height.
    pub height: f64,
    /// A bar per period.
    pub bars: Vec<Bar>,
    /// The scale's lines, from 0 up.
    pub ticks: Vec<Tick>,
    /// Which bars get their label drawn (every n-th, so they do not overlap).
    pub label_every: usize,
}

impl Chart {
    /// Room for the scale's numbers.
    pub const LEFT: f64 = 36.0;
    /// Room for the labels under the bars.
    pub const BOTTOM: f64 = 24.0;
    /// Room above the top tick.
    pub const TOP: f64 = 8.0;

    /// The bars of `periods` (requests by outcome) in a `width` × `height` box.
    pub fn of(periods: &[PeriodRow], width: f64, height: f64) -> Self {
        let most = periods.iter().map(|p| p.figures.requested).max().unwrap_or(0);
        let (top, step) = scale(most);
        let plot_h = height - Self::BOTTOM - Self::TOP;
        let base = height - Self::BOTTOM;
        #[allow(clippy::cast_precision_loss)] // counts and periods far below 2^52
        let y_of = |v: u64| base - plot_h * (v as f64) / (top as f64);
        let n = periods.len().max(1);
        #[allow(clippy::cast_precision_loss)]
        let slot = (width - Self::LEFT) / n as f64;
        let bar_w = (slot * 0.7).max(1.0);
        let bars = periods
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let f = &p.figures;
                let open = f.requested.saturating_sub(f.accepted + f.fallback + f.abandoned);
                let mut below = 0;
                let mut segments = Vec::new();
                for (part, value) in [
                    (Part::Accepted, f.accepted),
                    (Part::Fallback, f.fallback),
                    (Part::Abandoned, f.abandoned),
                    (Part::Open, open),
                ] {
                    if value > 0 {
                        let (y0, y1) = (y_of(below), y_of(below + value));
                        segments.push(Segment { part, value, y: y1, height: y0 - y1 });
                        below += value;
                    }
                }
                #[allow(clippy::cast_precision_loss)]
                let x = Self::LEFT + slot * i as f64 + (slot - bar_w) / 2.0;
                Bar { label: p.start.clone(), x, width: bar_w, total: f.requested, segments }
            })
            .collect();
        let ticks = (0..=top / step).map(|k| Tick { value: k * step, y: y_of(k * step) }).collect();
        // Labels are about 70 units wide.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let label_every = ((70.0 / slot).ceil() as usize).max(1);
        Self { width, height, bars, ticks, label_every }
    }
}

/// The scale for a largest value of `most`: its top (at least `most`, at
/// least 1) and the step between ticks (1, 2 or 5 times a power of ten),
/// so there are at most five steps.
pub fn scale(most: u64) -> (u64, u64) {
    let mut step = 1;
    loop {
        for m in [1, 2, 5] {
            let s = step * m;
            if s * 5 >= most {
                return (most.max(1).div_ceil(s) * s, s);
            }
        }
        step *= 10;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchboard_protocol::admin::ChatFigures;

    #[test]
    fn the_query_goes_to_the_address_and_back() {
        let q = parse_query("from=2026-11-01&by=week&tz=Europe%2FAmsterdam&junk=1&site=");
        assert_eq!(q.from.as_deref(), Some("2026-11-01"));
        assert_eq!(q.tz.as_deref(), Some("Europe/Amsterdam"));
        assert_eq!(q.site, None, "an empty value is not given");
        assert_eq!(address_query(&q), "from=2026-11-01&tz=Europe%2FAmsterdam&by=week");
        assert_eq!(parse_query(&address_query(&q)), q);
        assert_eq!(api_url("chats", &ReportQuery::default()), "/api/admin/reports/chats");
        assert_eq!(
            api_url("agents.csv", &q),
            "/api/admin/reports/agents.csv?from=2026-11-01&tz=Europe%2FAmsterdam&by=week"
        );
    }

    #[test]
    fn durations_read_in_the_largest_sensible_units() {
        let units = ["s", "min", "h"];
        assert_eq!(Span::of(400).text(units), "0.4 s");
        assert_eq!(Span::of(4000).text(units), "4 s");
        assert_eq!(Span::of(59_940).text(units), "59.9 s");
        assert_eq!(Span::of(125_000).text(units), "2 min 05 s");
        assert_eq!(Span::of(4_830_000).text(units), "1 h 21 min");
        assert_eq!(Span::of(7_199_000).text(units), "2 h 00 min");
        assert_eq!(percent(Some(2.0 / 3.0)).as_deref(), Some("67%"));
        assert_eq!(percent(None), None);
    }

    #[test]
    fn the_scale_has_round_steps_and_room_for_the_tallest_bar() {
        assert_eq!(scale(0), (1, 1));
        assert_eq!(scale(4), (4, 1));
        assert_eq!(scale(7), (8, 2));
        assert_eq!(scale(23), (25, 5));
        assert_eq!(scale(480), (500, 100));
    }

    fn period(start: &str, requested: u64, accepted: u64, fallback: u64, abandoned: u64) -> PeriodRow {
        PeriodRow {
            start: start.into(),
            figures: ChatFigures { requested, accepted, fallback, abandoned, ..ChatFigures::default() },
        }
    }

    #[test]
    fn bars_stack_outcomes_and_never_overlap() {
        let periods = [
            period("2026-11-30", 4, 2, 1, 0),
            period("2026-12-01", 0, 0, 0, 0),
            period("2026-12-02", 2, 0, 0, 1),
        ];
        let c = Chart::of(&periods, 336.0, 200.0);
        assert_eq!(c.bars.len(), 3);
        let first = &c.bars[0];
        let parts: Vec<_> = first.segments.iter().map(|s| (s.part, s.value)).collect();
        assert_eq!(parts, [(Part::Accepted, 2), (Part::Fallback, 1), (Part::Open, 1)]);
        // Stacked: each segment sits on the one below; the whole bar reaches the top tick (4).
        let base = 200.0 - Chart::BOTTOM;
        assert!((first.segments[0].y + first.segments[0].height - base).abs() < 1e-9);
        for w in first.segments.windows(2) {
            assert!((w[1].y + w[1].height - w[0].y).abs() < 1e-9);
        }
        assert!((first.segments[2].y - Chart::TOP).abs() < 1e-9);
        assert!(c.bars[1].segments.is_empty());
        for w in c.bars.windows(2) {
            assert!(w[0].x + w[0].width < w[1].x, "bars side by side");
        }
        assert_eq!(c.ticks.iter().map(|t| t.value).collect::<Vec<_>>(), [0, 1, 2, 3, 4]);
        assert_eq!(c.label_every, 1);
        let month: Vec<_> = (1..=30).map(|d| period(&format!("2026-11-{d:02}"), 1, 1, 0, 0)).collect();
        assert!(Chart::of(&month, 336.0, 200.0).label_every > 1, "30 labels do not fit in 300 units");
    }
}
