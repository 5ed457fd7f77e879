//! Reports: what is going on now, and live chat performance over a range
//! of days (in all, per day or week as a chart, per agent, team and site),
//! each table also as CSV.

use leptos::prelude::*;
use leptos::task::spawn_local;
use switchboard_protocol::admin::{
    AgentRow, ChatFigures, ChatReport, LiveNow, ReportQuery, SiteView, Spread, StreamFigures,
};
use wasm_bindgen::JsCast;

use super::Status;
use crate::api;
use crate::i18n::Strings;
use crate::model::reports::{address_query, api_url, parse_query, percent, Chart, Part, Span};
use crate::model::route::Route;

/// How often "now" is read again (ms).
const LIVE_EVERY_MS: u64 = 15_000;

/// The chart's box (SVG units, about pixels: it is drawn as wide as the
/// window allows, up to 720, so its text stays readable on a phone).
const CHART_W: f64 = 720.0;
const CHART_H: f64 = 220.0;

/// The chart's width for this window.
fn chart_width() -> f64 {
    let window = window().inner_width().ok().and_then(|w| w.as_f64()).unwrap_or(CHART_W);
    // The console's side navigation (13 rem) and paddings, or a phone's margins.
    let room = if window > 760.0 { window - 320.0 } else { window - 64.0 };
    room.clamp(280.0, CHART_W)
}

/// A duration figure as text (`–` for none).
fn duration(s: Strings, ms: Option<i64>) -> String {
    ms.map_or_else(
        || "–".to_owned(),
        |ms| Span::of(ms).text([&s.t("unit_s"), &s.t("unit_min"), &s.t("unit_h")]),
    )
}

/// The browser's time zone (IANA), if it says.
fn browser_zone() -> Option<String> {
    let format = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new());
    let options = format.resolved_options();
    js_sys::Reflect::get(&options, &"timeZone".into()).ok()?.as_string()
}

/// Every time zone the browser knows, for the picker (the browser's own
/// and UTC at least).
fn zones(own: Option<&str>) -> Vec<String> {
    let listed = js_sys::Reflect::get(&js_sys::global(), &"Intl".into())
        .ok()
        .and_then(|intl| {
            let f = js_sys::Reflect::get(&intl, &"supportedValuesOf".into()).ok()?;
            let f = f.dyn_into::<js_sys::Function>().ok()?;
            f.call1(&intl, &"timeZone".into()).ok()
        })
        .map(|v| js_sys::Array::from(&v).iter().filter_map(|z| z.as_string()).collect::<Vec<_>>())
        .unwrap_or_default();
    let mut all: Vec<String> = listed;
    for z in own.into_iter().chain(["UTC"]) {
        if !all.iter().any(|x| x == z) {
            all.push(z.to_owned());
        }
    }
    all.sort();
    all
}

/// The reports page for the query in the address.
#[component]
pub fn ReportsPage(
    /// UI strings.
    strings: Strings,
    /// Where the console says what happened.
    status: Status,
    /// The days, zone and site, as the address's query string.
    query: String,
) -> impl IntoView {
    let s = strings;
    let mut asked = parse_query(&query);
    let own_zone = browser_zone();
    if asked.tz.is_none() {
        asked.tz = own_zone.clone();
    }
    let (from, to, by, site, tz) = (
        RwSignal::new(asked.from.clone().unwrap_or_default()),
        RwSignal::new(asked.to.clone().unwrap_or_default()),
        RwSignal::new(asked.by.clone().unwrap_or_else(|| "day".into())),
        RwSignal::new(asked.site.clone().unwrap_or_default()),
        RwSignal::new(asked.tz.clone().unwrap_or_else(|| "UTC".into())),
    );
    let zone_list = zones(own_zone.as_deref());
    let sites = RwSignal::new(Vec::<SiteView>::new());
    spawn_local(async move {
        if let Ok(v) = api::sites().await {
            sites.set(v);
        }
    });
    let report = RwSignal::new(None::<ChatReport>);
    let loading = RwSignal::new(true);
    let problems = RwSignal::new(Vec::<(String, String)>::new());
    let q = asked.clone();
    spawn_local(async move {
        match api::chat_report(&api_url("chats", &q)).await {
            Ok(r) => {
                // The form shows the days the server chose for what was left out.
                from.set(r.from.clone());
                to.set(r.to.clone());
                report.set(Some(r));
            }
            Err(api::ApiError::Invalid(i)) => {
                problems.set(i.fields.into_iter().map(|f| (f.field, f.message)).collect());
                status.say(s.t("fix_fields"));
            }
            Err(e) => status.failed(s, &e),
        }
        loading.set(false);
    });

    let dialogues = RwSignal::new(None::<Vec<StreamFigures>>);
    let q = asked.clone();
    spawn_local(async move {
        // (A bad query is told once, by the report above.)
        if let Ok(r) = api::stream_report(&api_url("streams", &q)).await {
            dialogues.set(Some(r.streams));
        }
    });

    let live = RwSignal::new(None::<LiveNow>);
    let live_site = asked.site.clone();
    let read_live = move || {
        let site = live_site.clone();
        spawn_local(async move {
            if let Ok(now) = api::live_now(site.as_deref()).await {
                live.set(Some(now));
            }
        });
    };
    read_live();
    let timer = set_interval_with_handle(read_live, std::time::Duration::from_millis(LIVE_EVERY_MS)).ok();
    on_cleanup(move || {
        if let Some(t) = timer {
            t.clear();
        }
    });

    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let some = |v: String| Some(v).filter(|v| !v.trim().is_empty());
        let q = ReportQuery {
            from: some(from.get_untracked()),
            to: some(to.get_untracked()),
            tz: some(tz.get_untracked()),
            by: some(by.get_untracked()),
            site: some(site.get_untracked()),
        };
        window().location().set_hash(&Route::Reports(address_query(&q)).href()).ok();
    };
    let problem = move |field: &'static str| {
        move || problems.with(|p| p.iter().find(|(f, _)| f == field).map(|(_, m)| m.clone()))
    };
    let field_invalid =
        move |field: &'static str| move || problems.with(|p| p.iter().any(|(f, _)| f == field)).to_string();
    let csv = move |what: &'static str| api_url(what, &asked);

    view! {
        <h1>{s.t("nav_reports")}</h1>
        <LivePanel strings=s live />
        <form class="filters" on:submit=apply novalidate data-testid="report-filters" aria-label=s.t("report_range")>
            <div class="field">
                <label for="rep-from">{s.t("from_date")}</label>
                <input id="rep-from" type="date" aria-describedby="rep-from-error" aria-invalid=field_invalid("from")
                    prop:value=move || from.get() on:input=move |ev| from.set(event_target_value(&ev)) />
                <span class="field-error" id="rep-from-error">{problem("from")}</span>
            </div>
            <div class="field">
                <label for="rep-to">{s.t("to_date")}</label>
                <input id="rep-to" type="date" aria-describedby="rep-to-error" aria-invalid=field_invalid("to")
                    prop:value=move || to.get() on:input=move |ev| to.set(event_target_value(&ev)) />
                <span class="field-error" id="rep-to-error">{problem("to")}</span>
            </div>
            <div class="field">
                <label for="rep-by">{s.t("report_by")}</label>
                <select id="rep-by" on:change=move |ev| by.set(event_target_value(&ev))>
                    <option value="day" selected=move || by.get() == "day">{s.t("by_day")}</option>
                    <option value="week" selected=move || by.get() == "week">{s.t("by_week")}</option>
                </select>
            </div>
            <div class="field">
                <label for="rep-site">{s.t("site")}</label>
                <select id="rep-site" on:change=move |ev| site.set(event_target_value(&ev))>
                    <option value="">{s.t("all_sites")}</option>
                    {move || sites.get().into_iter().map(|x| {
                        let key = x.key.as_str().to_owned();
                        let k2 = key.clone();
                        view! { <option value=key selected=move || site.get() == k2>{x.name}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="rep-tz">{s.t("time_zone")}</label>
                <select id="rep-tz" aria-describedby="rep-tz-error" aria-invalid=field_invalid("tz")
                    on:change=move |ev| tz.set(event_target_value(&ev))>
                    {zone_list.into_iter().map(|z| {
                        let z2 = z.clone();
                        view! { <option value=z.clone() selected=move || tz.get() == z2>{z.clone()}</option> }
                    }).collect_view()}
                </select>
                <span class="field-error" id="rep-tz-error">{problem("tz")}</span>
            </div>
            <div class="actions"><button type="submit">{s.t("show_report")}</button></div>
        </form>
        <p class="downloads">
            <a href=csv("conversations.csv") download data-testid="csv-conversations">{s.t("csv_conversations")}</a>
            " · "
            <a href=csv("agents.csv") download>{s.t("csv_agents")}</a>
            " · "
            <a href=csv("teams.csv") download>{s.t("csv_teams")}</a>
            " · "
            <a href=csv("periods.csv") download>{s.t("csv_periods")}</a>
            " · "
            <a href=csv("streams.csv") download>{s.t("csv_streams")}</a>
        </p>
        {move || match report.get() {
            None if loading.get() => view! { <p>{s.t("loading")}</p> }.into_any(),
            None => ().into_any(),
            Some(r) => view! { <Report strings=s report=r /> }.into_any(),
        }}
        {move || dialogues.get().map(|rows| view! { <Dialogues strings=s rows /> })}
    }
}

/// What is going on now.
#[component]
fn LivePanel(
    /// UI strings.
    strings: Strings,
    /// The latest reading.
    live: RwSignal<Option<LiveNow>>,
) -> impl IntoView {
    let s = strings;
    let tile = move |key: &'static str, value: Box<dyn Fn() -> String + Send + Sync>| {
        view! { <div class="tile"><dt>{s.t(key)}</dt><dd>{value}</dd></div> }
    };
    let get = move |f: fn(&LiveNow) -> u64| {
        move || live.with(|l| l.as_ref().map(|l| f(l).to_string()).unwrap_or_else(|| "–".into()))
    };
    view! {
        <section class="live" aria-labelledby="live-title" data-testid="live-now">
            <h2 id="live-title">{s.t("live_now")}</h2>
            <dl class="tiles">
                {tile("live_waiting", Box::new(get(|l| l.waiting)))}
                {tile("live_offered", Box::new(get(|l| l.offered)))}
                {tile("live_active", Box::new(get(|l| l.active)))}
                {tile("live_agents_online", Box::new(get(|l| l.agents_online)))}
                {tile("live_agents_available", Box::new(get(|l| l.agents_available)))}
                {tile("live_longest_wait", Box::new(move || duration(s, live.with(|l| l.as_ref().and_then(|l| l.longest_wait)))))}
            </dl>
        </section>
    }
}

/// A report's figures: the totals, the chart, and the tables.
#[component]
fn Report(
    /// UI strings.
    strings: Strings,
    /// The report.
    report: ChatReport,
) -> impl IntoView {
    let s = strings;
    let t = report.totals.clone();
    let chart = Chart::of(&report.periods, chart_width(), CHART_H);
    let rate = percent(t.accept_rate).unwrap_or_else(|| "–".into());
    let tiles = [
        ("fig_requested", t.requested.to_string()),
        ("fig_accepted", t.accepted.to_string()),
        ("fig_accept_rate", rate),
        ("fig_missed", t.missed.to_string()),
        ("fig_fallback", t.fallback.to_string()),
        ("fig_wait", duration(s, t.wait.median)),
        ("fig_first_response", duration(s, t.first_response.median)),
        ("fig_duration", duration(s, t.duration.median)),
    ];
    let caption =
        s.f("chart_caption", &[("from", &report.from), ("to", &report.to), ("tz", &report.time_zone)]);
    let periods = report.periods.clone();
    let by_key = if report.by == switchboard_protocol::admin::Period::Week { "week_of" } else { "day" };
    view! {
        <section aria-labelledby="totals-title">
            <h2 id="totals-title">{s.f("report_title", &[("from", &report.from), ("to", &report.to)])}</h2>
            <dl class="tiles" data-testid="totals">
                {tiles.into_iter().map(|(k, v)| view! { <div class="tile"><dt>{s.t(k)}</dt><dd>{v}</dd></div> }).collect_view()}
            </dl>
            <p class="hint-text">{s.t("medians_note")}</p>
        </section>
        <section aria-labelledby="chart-title">
            <h2 id="chart-title">{s.t("requests_by_period")}</h2>
            <ChartView strings=s chart caption />
            <FiguresTable strings=s first=s.t(by_key) rows=periods.into_iter().map(|p| (p.start, p.figures)).collect() testid="periods" labelledby="chart-title" />
        </section>
        <section aria-labelledby="agents-title">
            <h2 id="agents-title">{s.t("per_agent")}</h2>
            <AgentsTable strings=s rows=report.agents.clone() />
        </section>
        <section aria-labelledby="teams-title">
            <h2 id="teams-title">{s.t("per_team")}</h2>
            <FiguresTable strings=s first=s.t("team") rows=report.teams.iter().map(|t| (t.team.clone(), t.figures.clone())).collect() testid="teams" labelledby="teams-title" />
        </section>
        <section aria-labelledby="sites-title">
            <h2 id="sites-title">{s.t("per_site")}</h2>
            <FiguresTable strings=s first=s.t("site") rows=report.sites.iter().map(|x| (x.name.clone(), x.figures.clone())).collect() testid="sites" labelledby="sites-title" />
        </section>
    }
}

/// The bar chart: requests per period, stacked by outcome; a picture for
/// those who see it, described by its caption (the table under it holds
/// the same numbers).
#[component]
fn ChartView(
    /// UI strings.
    strings: Strings,
    /// Its geometry.
    chart: Chart,
    /// What it shows, in words.
    caption: String,
) -> impl IntoView {
    let s = strings;
    let view_box = format!("0 0 {} {}", chart.width, chart.height);
    let base = chart.height - Chart::BOTTOM;
    let right = chart.width;
    let ticks = chart.ticks.clone().into_iter().map(move |t| {
        view! {
            <g class="tick">
                <line x1=Chart::LEFT x2=right y1=t.y y2=t.y />
                <text x=Chart::LEFT - 6.0 y=t.y + 4.0 text-anchor="end">{t.value}</text>
            </g>
        }
    });
    let every = chart.label_every;
    let bars = chart.bars.into_iter().enumerate().map(move |(i, b)| {
        let label = (i % every == 0).then(|| {
            let short = b.label.get(5..).unwrap_or(&b.label).to_owned();
            view! { <text class="label" x=b.x + b.width / 2.0 y=base + 16.0 text-anchor="middle">{short}</text> }
        });
        let title = format!("{}: {}", b.label, b.total);
        view! {
            <g class="bar">
                <title>{title}</title>
                {b.segments.into_iter().map(|seg| view! {
                    <rect class=format!("seg {}", seg.part.key()) x=b.x y=seg.y width=b.width height=seg.height />
                }).collect_view()}
                {label}
            </g>
        }
    });
    view! {
        <figure class="chart">
            <svg viewBox=view_box role="img" aria-label=caption.clone() preserveAspectRatio="xMinYMin meet">
                {ticks.collect_view()}
                {bars.collect_view()}
            </svg>
            <figcaption>
                <ul class="legend">
                    {Part::ALL.into_iter().map(|p| view! { <li><span class=format!("swatch {}", p.key()) aria-hidden="true"></span>{s.t(&format!("part_{}", p.key()))}</li> }).collect_view()}
                </ul>
            </figcaption>
        </figure>
    }
}

fn spread_cells(s: Strings, sp: &Spread) -> [String; 2] {
    [duration(s, sp.median), duration(s, sp.p90)]
}

/// Groups' figures as a table, the first column named `first`.
#[component]
fn FiguresTable(
    /// UI strings.
    strings: Strings,
    /// The first column's heading.
    first: String,
    /// Each group's name and figures.
    rows: Vec<(String, ChatFigures)>,
    /// Its `data-testid`.
    testid: &'static str,
    /// The id of the heading that names it.
    labelledby: &'static str,
) -> impl IntoView {
    let s = strings;
    if rows.is_empty() {
        return view! { <p>{s.t("no_chats_in_range")}</p> }.into_any();
    }
    let heads = [
        "fig_requested",
        "fig_accepted",
        "fig_accept_rate",
        "fig_declined",
        "fig_missed",
        "fig_fallback",
        "fig_abandoned",
        "fig_wait",
        "fig_wait_p90",
        "fig_first_response",
        "fig_duration",
    ];
    view! {
        // Scrolls sideways on a phone: a region keyboards can reach.
        <div class="table-wrap" tabindex="0" role="region" aria-labelledby=labelledby>
            <table class="list" data-testid=testid>
                <thead><tr><th scope="col">{first}</th>{heads.map(|h| view! { <th scope="col">{s.t(h)}</th> }).collect_view()}</tr></thead>
                <tbody>
                    {rows.into_iter().map(|(name, f)| {
                        let [wait, wait90] = spread_cells(s, &f.wait);
                        view! {
                            <tr>
                                <th scope="row">{name}</th>
                                <td>{f.requested}</td>
                                <td>{f.accepted}</td>
                                <td>{percent(f.accept_rate).unwrap_or_else(|| "–".into())}</td>
                                <td>{f.declined}</td>
                                <td>{f.missed}</td>
                                <td>{f.fallback}</td>
                                <td>{f.abandoned}</td>
                                <td>{wait}</td>
                                <td>{wait90}</td>
                                <td>{duration(s, f.first_response.median)}</td>
                                <td>{duration(s, f.duration.median)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// One row per agent.
#[component]
fn AgentsTable(
    /// UI strings.
    strings: Strings,
    /// The agents' figures.
    rows: Vec<AgentRow>,
) -> impl IntoView {
    let s = strings;
    if rows.is_empty() {
        return view! { <p>{s.t("no_chats_in_range")}</p> }.into_any();
    }
    let heads = [
        "fig_offered",
        "fig_accepted",
        "fig_accept_rate",
        "fig_declined",
        "fig_missed",
        "fig_time_to_accept",
        "fig_first_response",
        "fig_duration",
        "fig_transfers",
    ];
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-labelledby="agents-title">
            <table class="list" data-testid="agents">
                <thead><tr><th scope="col">{s.t("agent")}</th>{heads.map(|h| view! { <th scope="col">{s.t(h)}</th> }).collect_view()}</tr></thead>
                <tbody>
                    {rows.into_iter().map(|a| view! {
                        <tr>
                            <th scope="row">{a.name}</th>
                            <td>{a.offered}</td>
                            <td>{a.accepted}</td>
                            <td>{percent(a.accept_rate).unwrap_or_else(|| "–".into())}</td>
                            <td>{a.declined}</td>
                            <td>{a.missed}</td>
                            <td>{duration(s, a.time_to_accept.median)}</td>
                            <td>{duration(s, a.first_response.median)}</td>
                            <td>{duration(s, a.duration.median)}</td>
                            <td>{a.transfers}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// How each dialogue did, with where most visitors left and a way to see
/// it on the stream's tree.
#[component]
fn Dialogues(
    /// UI strings.
    strings: Strings,
    /// Each stream's figures.
    rows: Vec<StreamFigures>,
) -> impl IntoView {
    let s = strings;
    let body = if rows.is_empty() {
        view! { <p>{s.t("no_visits_in_range")}</p> }.into_any()
    } else {
        let heads =
            ["dlg_shown", "dlg_engaged", "dlg_completed", "dlg_emails", "dlg_live_chat", "dlg_most_left"];
        view! {
            <div class="table-wrap" tabindex="0" role="region" aria-labelledby="dialogues-title">
                <table class="list" data-testid="dialogues">
                    <thead><tr><th scope="col">{s.t("dlg_stream")}</th>{heads.map(|h| view! { <th scope="col">{s.t(h)}</th> }).collect_view()}<th scope="col"><span class="sr-only">{s.t("dlg_open_tree")}</span></th></tr></thead>
                    <tbody>
                        {rows.into_iter().map(|f| {
                            let most = f.cards.iter().filter(|c| c.left > 0).max_by_key(|c| c.left)
                                .map(|c| format!("{} ({})", c.card, c.left)).unwrap_or_else(|| "–".into());
                            let tree = Route::Designer(f.site.clone(), f.stream.clone()).href();
                            view! {
                                <tr>
                                    <th scope="row">{format!("{} / {}", f.site, f.stream)}</th>
                                    <td>{f.shown}</td>
                                    <td>{f.engaged}</td>
                                    <td>{f.completed}</td>
                                    <td>{f.emails}</td>
                                    <td>{f.live_chat}</td>
                                    <td>{most}</td>
                                    <td><a href=tree>{s.t("dlg_open_tree")}</a></td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <section aria-labelledby="dialogues-title">
            <h2 id="dialogues-title">{s.t("per_dialogue")}</h2>
            {body}
        </section>
    }
}
