//! The stream designer: the draft drawn as a tree ([`canvas`]), the
//! selected card's editor ([`card`]), the palette of card types, the
//! validator's findings (the protocol's own, compiled in), undo and redo,
//! search, import and export of stream files, and the test chat (the real
//! widget running the draft).

pub mod canvas;
pub mod card;
pub mod publish;

use leptos::prelude::*;
use leptos::task::spawn_local;
use switchboard_protocol::admin::{AgentView, DraftView, StreamFigures, TeamView};
use switchboard_protocol::site::Appearance;
use switchboard_protocol::stream::file;
use switchboard_protocol::stream::validate::{check, Report};
use switchboard_protocol::stream::Stream;

use super::{close_dialog, download, open_dialog, read_file, Status};
use crate::api::{self, ApiError};
use crate::i18n::Strings;
use crate::model::designer::edit::{
    answer_branch, branch_size, move_branch, remove_answer, remove_branch, remove_card, search, target,
    test_stream, CardType, EditError, Words, CARD_TYPES,
};
use crate::model::designer::history::Designer;
use crate::model::designer::layout::{layout, BoxKey, Layout, Placed, Shown};
use crate::model::designer::Slot;
use crate::model::route::Route;
use crate::preview::Preview;
use canvas::{focus_box, slot_for_adding, Canvas};

/// The designer's state, shared by its parts (cheap to copy).
#[derive(Clone, Copy)]
pub struct Ctx {
    /// UI strings.
    pub s: Strings,
    /// Where the console says what happened.
    pub status: Status,
    /// The draft, with undo and redo.
    pub d: RwSignal<Designer>,
    /// The box selected (and focused in the tree).
    pub selected: RwSignal<Option<BoxKey>>,
    /// Where the palette adds a card, while it is open.
    pub adding: RwSignal<Option<Slot>>,
    /// The branch cut, waiting to be pasted.
    pub clip: RwSignal<Option<String>>,
    /// The tree as drawn.
    pub layout: Memo<Layout>,
    /// The validator's findings.
    pub report: Memo<Report>,
    /// Every agent (for a live chat card's routing).
    pub agents: RwSignal<Vec<AgentView>>,
    /// Every team.
    pub teams: RwSignal<Vec<TeamView>>,
    /// The card the test chat starts from (`None`: the first).
    pub test_from: RwSignal<Option<String>>,
    /// The card the removal dialog asks about.
    pub removing: RwSignal<Option<String>>,
    /// The answer (question, position) the answer removal dialog asks about.
    pub removing_answer: RwSignal<Option<(String, usize)>>,
    /// How the published stream did over the last 30 days, shown on the
    /// cards while asked for (visits reached, and left there).
    pub visits: RwSignal<Option<StreamFigures>>,
}

impl Ctx {
    /// The state of a designer open on `d`.
    pub fn new(
        s: Strings,
        status: Status,
        d: RwSignal<Designer>,
        agents: RwSignal<Vec<AgentView>>,
        teams: RwSignal<Vec<TeamView>>,
    ) -> Self {
        Self {
            s,
            status,
            d,
            selected: RwSignal::new(None),
            adding: RwSignal::new(None),
            clip: RwSignal::new(None),
            layout: Memo::new(move |_| d.with(|d| layout(d.stream()))),
            report: Memo::new(move |_| d.with(|d| check(d.stream()))),
            agents,
            teams,
            test_from: RwSignal::new(None),
            removing: RwSignal::new(None),
            removing_answer: RwSignal::new(None),
            visits: RwSignal::new(None),
        }
    }

    /// The words new cards start with.
    pub fn words(&self) -> Words {
        let s = self.s;
        Words {
            message: s.t("new_message_text"),
            question: s.t("new_question_text"),
            answer: s.t("new_answer_label"),
            capture: s.t("new_capture_prompt"),
            end: s.t("new_end_text"),
        }
    }

    /// Makes an edit (see [`Designer::edit`]); a refusal is said, and
    /// changes nothing.
    pub fn edit<T>(
        &self,
        field: Option<&str>,
        f: impl FnOnce(&mut Stream) -> Result<T, EditError>,
    ) -> Option<T> {
        let mut out = None;
        self.d.update(|d| out = Some(d.edit(field, f)));
        match out? {
            Ok(v) => {
                self.forget_gone();
                Some(v)
            }
            Err(e) => {
                self.status.say(self.s.t(e.key()));
                None
            }
        }
    }

    /// Unselects a box an edit took away.
    fn forget_gone(&self) {
        let gone = self.selected.with_untracked(|k| {
            k.as_ref().is_some_and(|k| self.layout.with_untracked(|l| l.find(k).is_none()))
        });
        if gone {
            self.selected.set(None);
        }
        let clip_gone = self.clip.with_untracked(|c| {
            c.as_ref().is_some_and(|c| self.d.with_untracked(|d| d.stream().card(c).is_none()))
        });
        if clip_gone {
            self.clip.set(None);
        }
    }

    /// Selects card `id` and puts the focus on its box.
    pub fn focus_card(&self, id: &str) {
        let key = BoxKey::Card(id.to_owned());
        self.selected.set(Some(key.clone()));
        self.adding.set(None);
        if let Some(i) = self.layout.with_untracked(|l| l.find(&key)) {
            focus_box(i);
        }
    }

    /// What Enter (or a click) on box `p` does: edit its card, add a card
    /// into its open slot, or go to the card it links to.
    pub fn open(&self, p: &Placed) {
        match &p.shown {
            Shown::Card(_) => request_animation_frame(|| {
                if let Some(e) = document()
                    .query_selector(".designer-side input, .designer-side textarea, .designer-side select")
                    .ok()
                    .flatten()
                {
                    use wasm_bindgen::JsCast;
                    let _ = e.unchecked_into::<web_sys::HtmlElement>().focus();
                }
            }),
            Shown::Open => {
                if let Some(slot) = p.slot.clone() {
                    self.open_palette(slot);
                }
            }
            Shown::Link(to) => self.focus_card(to),
        }
    }

    /// Opens the palette for adding a card at box `p`.
    pub fn add_at(&self, p: &Placed) {
        if let Some(slot) = slot_for_adding(*self, p) {
            self.open_palette(slot);
        }
    }

    /// Opens the palette for adding a card at `slot`, with the focus on its
    /// first card type.
    pub fn open_palette(&self, slot: Slot) {
        self.adding.set(Some(slot));
        request_animation_frame(|| {
            if let Some(e) = document().query_selector(".palette button:not([disabled])").ok().flatten() {
                use wasm_bindgen::JsCast;
                let _ = e.unchecked_into::<web_sys::HtmlElement>().focus();
            }
        });
    }

    /// Puts the focus back on the selected box (Escape in the side panel).
    pub fn back_to_tree(&self) {
        let i = self
            .selected
            .with_untracked(|k| k.as_ref().and_then(|k| self.layout.with_untracked(|l| l.find(k))));
        self.adding.set(None);
        focus_box(i.unwrap_or(0));
    }

    /// Asks whether to remove card `id` (alone, or with its branch).
    pub fn ask_removal(&self, id: String) {
        self.removing.set(Some(id));
        open_dialog("remove-card");
    }

    /// Removes answer `i` of question `id`, asking first when its branch
    /// goes with it.
    pub fn ask_answer_removal(&self, id: String, i: usize) {
        let takes =
            self.d.with_untracked(|d| answer_branch(d.stream(), &id, i).map(|c| c.len()).unwrap_or(0));
        if takes == 0 {
            self.edit(None, |s| remove_answer(s, &id, i));
        } else {
            self.removing_answer.set(Some((id, i)));
            open_dialog("remove-answer");
        }
    }

    /// Cuts the branch at `id`, to be pasted somewhere else.
    pub fn cut(&self, id: String) {
        self.status.say(self.s.f("branch_cut", &[("id", &id)]));
        self.clip.set(Some(id));
    }

    /// Moves the cut branch to `slot` (what was there takes its old place).
    pub fn paste(&self, slot: Slot) {
        let Some(id) = self.clip.get_untracked() else {
            self.status.say(self.s.t("nothing_cut"));
            return;
        };
        if self.edit(None, |s| move_branch(s, &id, &slot)).is_some() {
            self.clip.set(None);
            self.status.say(self.s.f("branch_moved", &[("id", &id)]));
            self.focus_card(&id);
        }
    }
}

/// The designer open on stream `id` of site `key`.
#[component]
pub fn DesignerPage(
    /// UI strings.
    strings: Strings,
    /// Where the console says what happened.
    status: Status,
    /// The site's key.
    key: String,
    /// The stream's id.
    id: String,
) -> impl IntoView {
    let s = strings;
    let loaded = RwSignal::new(None::<DraftView>);
    let appearance = RwSignal::new(Appearance::default());
    let agents = RwSignal::new(Vec::new());
    let teams = RwSignal::new(Vec::new());
    let (k, i) = (key.clone(), id.clone());
    spawn_local(async move {
        // The site first: a site that is not there is said, not opened as a new stream.
        match api::site(&k).await {
            Ok(site) => appearance.set(site.appearance),
            Err(e) => {
                status.failed(s, &e);
                return;
            }
        }
        match api::draft(&k, &i).await {
            Ok(v) => loaded.set(Some(v)),
            // A new stream: an empty draft, saved once the first card is added.
            Err(ApiError::NotFound(_)) => loaded.set(Some(DraftView {
                stream: Stream {
                    id: i.clone(),
                    name: i.clone(),
                    priority: 0,
                    targets: vec!["*".to_owned()],
                    exclude: Vec::new(),
                    locale: Default::default(),
                    cards: Vec::new(),
                    version: 0,
                },
                revision: 0,
                saved_at: 0,
                saved_by: String::new(),
                published_version: None,
            })),
            Err(e) => status.failed(s, &e),
        }
        if let Ok(a) = api::agents().await {
            agents.set(a);
        }
        if let Ok(t) = api::teams().await {
            teams.set(t);
        }
    });
    view! {
        <h1>{s.f("designer_of", &[("id", &id)])}</h1>
        <p class="links"><a href=Route::Streams(key.clone()).href()>{s.t("back_to_streams")}</a></p>
        {move || match loaded.get() {
            None => view! { <p>{s.t("loading")}</p> }.into_any(),
            Some(opened) => view! { <Workspace strings=s status key=key.clone() opened appearance agents teams /> }.into_any(),
        }}
    }
}

/// The designer itself, on a loaded draft.
#[component]
pub fn Workspace(
    /// UI strings.
    strings: Strings,
    /// Where the console says what happened.
    status: Status,
    /// The site's key.
    key: String,
    /// The draft as opened.
    opened: DraftView,
    /// The site's appearance (for the test chat).
    appearance: RwSignal<Appearance>,
    /// Every agent.
    agents: RwSignal<Vec<AgentView>>,
    /// Every team.
    teams: RwSignal<Vec<TeamView>>,
) -> impl IntoView {
    let s = strings;
    let d = RwSignal::new(Designer::new(opened.stream.clone()));
    let ctx = Ctx::new(s, status, d, agents, teams);
    let draft = publish::Draft::new(&key, &opened);
    draft.autosave(ctx);
    // Leaving with changes the server does not have yet: the browser asks.
    let guard = window_event_listener(leptos::ev::beforeunload, move |ev| {
        if !matches!(draft.state.get_untracked(), publish::Saving::Saved) {
            ev.prevent_default();
            ev.set_return_value("unsaved");
        }
    });
    on_cleanup(move || guard.remove());
    // An empty stream: the focus starts on "Add the first card".
    if d.with_untracked(|d| d.stream().cards.is_empty()) {
        request_animation_frame(|| {
            if let Some(e) = document().get_element_by_id("add-first") {
                use wasm_bindgen::JsCast;
                let _ = e.unchecked_into::<web_sys::HtmlElement>().focus();
            }
        });
    }
    let zoom = RwSignal::new(1.0_f64);
    let visits_key = (key.clone(), d.with_untracked(|d| d.stream().id.clone()));
    let query = RwSignal::new(String::new());
    let hits = Memo::new(move |_| d.with(|d| search(d.stream(), &query.get())));
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if !(ev.ctrl_key() || ev.meta_key()) {
            return;
        }
        // The draft's undo, not in the search box, the token picker, the
        // test chat or a dialog (their own fields keep the browser's).
        use wasm_bindgen::JsCast;
        let elsewhere = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|e| {
                e.closest(".designer-bar, .token-picker, .test-chat, dialog, #release-note, #designer-import")
                    .ok()
                    .flatten()
            })
            .is_some();
        if elsewhere {
            return;
        }
        let in_tree = document()
            .active_element()
            .is_some_and(|e| e.get_attribute("role").as_deref() == Some("treeitem"));
        let done = match ev.key().as_str() {
            "z" | "Z" if ev.shift_key() => Some(d.try_update(Designer::redo)),
            "z" | "Z" => Some(d.try_update(Designer::undo)),
            "y" | "Y" => Some(d.try_update(Designer::redo)),
            _ => None,
        };
        if let Some(changed) = done {
            ev.prevent_default();
            if changed != Some(true) {
                status.say(s.t("nothing_to_undo"));
            } else {
                ctx.forget_gone();
                // The focus follows the selected card (boxes are drawn again by position).
                if in_tree {
                    ctx.back_to_tree();
                }
            }
        }
    };
    let undo = move |_| {
        d.update(|d| {
            d.undo();
        });
        ctx.forget_gone();
    };
    let redo = move |_| {
        d.update(|d| {
            d.redo();
        });
        ctx.forget_gone();
    };
    let export = move |_| {
        let (name, text) = d.with_untracked(|d| (format!("{}.toml", d.stream().id), file::write(d.stream())));
        download(&name, "application/toml", &text);
    };
    let import_errors = RwSignal::new(Vec::<String>::new());
    let import = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        spawn_local(async move {
            let Some((name, text)) = read_file("designer-import").await else {
                status.say(s.t("choose_file"));
                return;
            };
            // A draft need not be publishable: read leniently, as `stream push` does.
            match file::read(&text) {
                Ok(read) => {
                    let mut stream = read.stream;
                    if stream.cards.len() > switchboard_protocol::admin::MAX_DRAFT_CARDS {
                        import_errors
                            .set(vec![s.f("import_too_many", &[("n", &stream.cards.len().to_string())])]);
                        return;
                    }
                    let id = d.with_untracked(|d| d.stream().id.clone());
                    if stream.id != id {
                        import_errors
                            .set(vec![s.f("import_other_stream", &[("file", &stream.id), ("id", &id)])]);
                        return;
                    }
                    stream.version = d.with_untracked(|d| d.stream().version);
                    import_errors.set(Vec::new());
                    d.update(|d| d.replace(stream));
                    ctx.forget_gone();
                    status.say(s.f("imported", &[("file", &name)]));
                }
                Err(errors) => {
                    import_errors.set(errors.iter().map(ToString::to_string).collect());
                    status.say(s.f("import_refused", &[("file", &name)]));
                }
            }
        });
    };
    let test_streams = Signal::derive(move || {
        let from = ctx.test_from.get();
        d.with(|d| vec![test_stream(d.stream(), from.as_deref())])
    });
    let test_appearance = Memo::new(move |_| appearance.get());
    let counts = move || {
        ctx.report.with(|r| {
            if r.errors.is_empty() && r.warnings.is_empty() {
                s.t("no_problems")
            } else {
                s.f(
                    "n_problems",
                    &[("errors", &r.errors.len().to_string()), ("warnings", &r.warnings.len().to_string())],
                )
            }
        })
    };
    view! {
        <div class="designer" on:keydown=on_key data-testid="designer">
            <div class="designer-bar" role="toolbar" aria-label=s.t("designer_tools")>
                <button type="button" class="secondary" on:click=undo disabled=move || !d.with(Designer::can_undo)
                    aria-keyshortcuts="Control+Z Meta+Z" data-testid="undo">{s.t("undo")}</button>
                <button type="button" class="secondary" on:click=redo disabled=move || !d.with(Designer::can_redo)
                    aria-keyshortcuts="Control+Shift+Z Meta+Shift+Z" data-testid="redo">{s.t("redo")}</button>
                <button type="button" class="secondary" aria-label=s.t("zoom_out")
                    on:click=move |_| zoom.update(|z| *z = (*z - 0.1).max(0.4))>"−"</button>
                <span class="zoom" aria-live="polite">{move || format!("{:.0}%", zoom.get() * 100.0)}</span>
                <button type="button" class="secondary" aria-label=s.t("zoom_in")
                    on:click=move |_| zoom.update(|z| *z = (*z + 0.1).min(1.5))>"+"</button>
                <label class="search">{s.t("search_cards")}" "
                    <input type="search" prop:value=move || query.get() data-testid="search"
                        on:input=move |ev| query.set(event_target_value(&ev))
                        on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Enter" {
                            ev.prevent_default();
                            if let Some(first) = hits.get_untracked().first() { ctx.focus_card(first) }
                        } />
                </label>
                <span class="muted" aria-live="polite">{move || (!query.get().trim().is_empty()).then(|| s.f("n_matches", &[("n", &hits.get().len().to_string())]))}</span>
                <button type="button" class="secondary" on:click=export data-testid="export">{s.t("export")}</button>
                <button type="button" class="secondary" data-testid="show-visits"
                    aria-pressed=move || ctx.visits.with(Option::is_some).to_string()
                    on:click=move |_| toggle_visits(ctx, visits_key.clone())>{s.t("show_visits")}</button>
                <button type="button" class="secondary" data-testid="open-settings" on:click=move |_| { ctx.selected.set(None); ctx.adding.set(None) }>{s.t("stream_settings")}</button>
            </div>
            <p id="designer-keys" class="hint-text">{s.t("designer_keys")}</p>
            <publish::SaveStatus ctx draft />
            <p class="designer-counts" data-testid="counts">{counts}</p>
            <div class="designer-main">
                <Canvas ctx zoom hits />
                <aside class="designer-side card" aria-label=s.t("designer_side") data-testid="side"
                    on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Escape" { ev.prevent_default(); ctx.back_to_tree() }>
                    {move || match (ctx.adding.get(), ctx.selected.get()) {
                        (Some(slot), _) => view! { <Palette ctx at=slot /> }.into_any(),
                        (None, Some(BoxKey::Card(id))) => view! { <card::CardEditor ctx id /> }.into_any(),
                        (None, Some(BoxKey::Slot(slot))) => {
                            let to = ctx.d.with_untracked(|d| target(d.stream(), &slot).ok().flatten());
                            match to {
                                Some(to) => view! {
                                    <h2>{s.t("goes_to")}</h2>
                                    <p>{s.f("goes_to_card", &[("id", &to)])}</p>
                                    <button type="button" on:click=move |_| ctx.focus_card(&to)>{s.t("show_card")}</button>
                                }.into_any(),
                                None => view! { <Palette ctx at=slot /> }.into_any(),
                            }
                        }
                        (None, None) => view! { <card::StreamSettings ctx /> }.into_any(),
                    }}
                </aside>
            </div>
            <section class="card" aria-labelledby="problems-title">
                <h2 id="problems-title">{s.t("problems")}</h2>
                <Problems ctx />
            </section>
            <publish::Publishing ctx draft />
            <section class="card" aria-labelledby="test-title">
                <h2 id="test-title">{s.t("test_chat")}</h2>
                <p class="hint-text">{move || match ctx.test_from.get() {
                    Some(id) => s.f("test_from_card", &[("id", &id)]),
                    None => s.t("test_from_start"),
                }}</p>
                <button type="button" class="secondary" on:click=move |_| ctx.test_from.set(None) data-testid="test-restart">{s.t("test_restart")}</button>
                <div class="test-chat" data-testid="test-chat">
                    <Preview site=key.clone() appearance=test_appearance label=s.t("test_chat") streams=test_streams />
                </div>
            </section>
            <section class="card" aria-labelledby="import-title">
                <h2 id="import-title">{s.t("import")}</h2>
                <form on:submit=import novalidate class="inline">
                    <div class="field">
                        <label for="designer-import">{s.t("import_file")}</label>
                        <span class="hint-text" id="designer-import-hint">{s.t("import_hint")}</span>
                        <input id="designer-import" type="file" accept=".toml,text/plain" aria-describedby="designer-import-hint" />
                    </div>
                    <button type="submit" data-testid="import">{s.t("import")}</button>
                </form>
                <ul class="field-error" data-testid="import-errors">{move || import_errors.get().into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}</ul>
            </section>
            <RemoveDialog ctx />
            <RemoveAnswerDialog ctx />
        </div>
    }
}

/// The card types to add at `slot`.
#[component]
fn Palette(ctx: Ctx, at: Slot) -> impl IntoView {
    let slot = at;
    let s = ctx.s;
    let s2 = slot.clone();
    let leads_on = Signal::derive(move || ctx.d.with(|d| target(d.stream(), &s2).ok().flatten().is_some()));
    let at_start = slot == Slot::Start;
    view! {
        <div class="palette" data-testid="palette">
            <h2>{s.t("add_card")}</h2>
            <ul>
                {CARD_TYPES.into_iter().map(|ty| {
                    let slot = slot.clone();
                    let blocked = move || ty == CardType::End && leads_on.get();
                    let name = ty.name();
                    view! {
                        <li>
                            <button type="button" class="palette-item" disabled=blocked data-type=name
                                on:click=move |_| {
                                    let words = ctx.words();
                                    if let Some(id) = ctx.edit(None, |st| crate::model::designer::edit::insert(st, &slot, ty, &words)) {
                                        ctx.status.say(s.f("card_added", &[("id", &id)]));
                                        ctx.focus_card(&id);
                                    }
                                }>
                                <strong>{s.t(&format!("card_{name}"))}</strong>
                                <span class="hint-text">{move || if blocked() { s.t("end_blocked") } else { s.t(&format!("card_{name}_hint")) }}</span>
                            </button>
                        </li>
                    }
                }).collect_view()}
            </ul>
            {(!at_start).then(|| view! {
                <button type="button" class="secondary" on:click=move |_| ctx.adding.set(None)>{s.t("cancel")}</button>
            })}
        </div>
    }
}

/// The validator's errors and warnings; each jumps to its card.
#[component]
fn Problems(ctx: Ctx) -> impl IntoView {
    let s = ctx.s;
    let item = move |f: switchboard_protocol::stream::Finding, warning: bool| {
        let label = f.to_string();
        let card = f.card.clone();
        view! {
            <li class=if warning { "warning" } else { "error" }>
                <button type="button" class="link" on:click=move |_| match &card {
                    Some(c) => ctx.focus_card(c),
                    None => { ctx.selected.set(None); ctx.adding.set(None) }
                }>
                    {if warning { s.t("warning") } else { s.t("error") }}": "{label}
                </button>
            </li>
        }
    };
    view! {
        {move || ctx.report.with(|r| r.errors.is_empty() && r.warnings.is_empty()).then(|| view! { <p>{s.t("no_problems")}</p> })}
        <ul class="problems" data-testid="problems">
            {move || {
                let r = ctx.report.get();
                r.errors.into_iter().map(|f| item(f, false)).chain(r.warnings.into_iter().map(|f| item(f, true))).collect_view()
            }}
        </ul>
    }
}

/// Asks whether to remove an answer with the cards of its branch.
#[component]
fn RemoveAnswerDialog(ctx: Ctx) -> impl IntoView {
    let s = ctx.s;
    let what = move || ctx.removing_answer.get();
    let size = move || {
        what().map_or(0, |(id, i)| {
            ctx.d.with(|d| answer_branch(d.stream(), &id, i).map(|c| c.len()).unwrap_or(0))
        })
    };
    let yes = move |_| {
        close_dialog("remove-answer");
        if let Some((id, i)) = what() {
            if ctx.edit(None, |st| remove_answer(st, &id, i)).is_some() {
                ctx.status.say(s.f("answer_removed", &[("n", &(i + 1).to_string())]));
            }
        }
    };
    view! {
        <dialog id="remove-answer" aria-labelledby="remove-answer-title" class="dialog">
            <p id="remove-answer-title">{move || s.f("confirm_remove_answer", &[
                ("n", &what().map_or(0, |(_, i)| i + 1).to_string()),
                ("cards", &size().to_string()),
            ])}</p>
            <div class="actions">
                <button type="button" class="danger" data-testid="confirm-remove-answer" on:click=yes>{s.t("remove")}</button>
                <button type="button" class="secondary" autofocus on:click=move |_| close_dialog("remove-answer")>{s.t("cancel")}</button>
            </div>
        </dialog>
    }
}

/// Asks whether to remove a card alone or with its branch.
#[component]
fn RemoveDialog(ctx: Ctx) -> impl IntoView {
    let s = ctx.s;
    let id = move || ctx.removing.get().unwrap_or_default();
    let alone_ok = move || {
        let id = id();
        ctx.d.with(|d| remove_card(&mut d.stream().clone(), &id).is_ok())
    };
    let size = move || {
        let id = id();
        ctx.d.with(|d| branch_size(d.stream(), &id))
    };
    let after = move |f: fn(&mut Stream, &str) -> Result<(), EditError>| {
        close_dialog("remove-card");
        let id = id();
        if ctx.edit(None, |s| f(s, &id)).is_some() {
            ctx.status.say(s.f("card_removed", &[("id", &id)]));
            ctx.selected.set(None);
            focus_box(0);
        }
    };
    view! {
        <dialog id="remove-card" aria-labelledby="remove-card-title" class="dialog">
            <p id="remove-card-title">{move || s.f("confirm_remove_card", &[("id", &id())])}</p>
            <div class="actions">
                {move || alone_ok().then(|| view! {
                    <button type="button" class="danger" data-testid="remove-card-only" on:click=move |_| after(remove_card)>{s.t("remove_card_only")}</button>
                })}
                <button type="button" class="danger" data-testid="remove-branch" on:click=move |_| after(remove_branch)>
                    {move || s.f("remove_branch_n", &[("n", &size().to_string())])}
                </button>
                <button type="button" class="secondary" autofocus on:click=move |_| close_dialog("remove-card")>{s.t("cancel")}</button>
            </div>
        </dialog>
    }
}

/// Shows on each card how many visits of the last 30 days (in the
/// browser's time zone) reached it and left there, or hides it again.
fn toggle_visits(ctx: Ctx, (site, stream): (String, String)) {
    if ctx.visits.with_untracked(Option::is_some) {
        ctx.visits.set(None);
        return;
    }
    let day =
        |d: &js_sys::Date| format!("{:04}-{:02}-{:02}", d.get_full_year(), d.get_month() + 1, d.get_date());
    let today = js_sys::Date::new_0();
    let from = js_sys::Date::new(&(today.get_time() - 29.0 * 86_400_000.0).into());
    let zone =
        js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new()).resolved_options();
    let tz = js_sys::Reflect::get(&zone, &"timeZone".into()).ok().and_then(|z| z.as_string());
    let q = switchboard_protocol::admin::ReportQuery {
        from: Some(day(&from)),
        to: Some(day(&today)),
        tz,
        by: None,
        site: Some(site),
    };
    let s = ctx.s;
    leptos::task::spawn_local(async move {
        match crate::api::stream_report(&crate::model::reports::api_url("streams", &q)).await {
            Ok(r) => {
                let mine = r
                    .streams
                    .into_iter()
                    .find(|f| f.stream == stream)
                    .unwrap_or_else(|| StreamFigures { stream: stream.clone(), ..StreamFigures::default() });
                ctx.status.say(s.f("visits_shown", &[("n", &mine.shown.to_string())]));
                ctx.visits.set(Some(mine));
            }
            Err(e) => ctx.status.failed(s, &e),
        }
    });
}
