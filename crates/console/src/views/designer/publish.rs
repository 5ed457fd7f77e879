//! The draft on the server: saved as the admin works (a moment after each
//! pause), never over someone else's save (a conflict is shown, with the
//! choice of theirs or ours); publishing with a release note; and the
//! release history, each release with what it changed, any one restorable.

use leptos::prelude::*;
use leptos::task::spawn_local;
use switchboard_protocol::admin::{DraftView, PublishDraft, ReleaseView, SaveDraft, StreamFinding};
use switchboard_protocol::stream::Stream;

use super::{close_dialog, open_dialog, Ctx};
use crate::api::{self, DraftError};

/// How long typing must pause before the draft is saved.
const SAVE_AFTER: std::time::Duration = std::time::Duration::from_millis(800);
/// How long after a failed save it is tried again.
const RETRY_AFTER: std::time::Duration = std::time::Duration::from_secs(5);

/// Where the draft stands against the server's copy.
#[derive(Debug, Clone, PartialEq)]
pub enum Saving {
    /// The server has what the admin sees.
    Saved,
    /// Changed since the last save; a save is coming.
    Unsaved,
    /// A save is on its way.
    Saving,
    /// Someone else saved first: their draft, not overwritten.
    Conflict(Box<DraftView>),
    /// The last save failed (said how); the next change tries again.
    Failed(String),
}

/// The draft's place on the server (cheap to copy).
#[derive(Clone, Copy)]
pub struct Draft {
    /// The site's key.
    pub key: StoredValue<String>,
    /// The revision the server has (what the next save starts from).
    pub revision: RwSignal<u64>,
    /// What the server has.
    pub saved: RwSignal<Stream>,
    /// Where the draft stands.
    pub state: RwSignal<Saving>,
    /// The version now published, if any.
    pub published: RwSignal<Option<u32>>,
    /// A save is on its way (another waits for it).
    in_flight: StoredValue<bool>,
    /// The timer of the save to come.
    pending: StoredValue<Option<TimeoutHandle>, LocalStorage>,
}

impl Draft {
    /// The draft as the server answered it.
    pub fn new(key: &str, view: &DraftView) -> Self {
        Self {
            key: StoredValue::new(key.to_owned()),
            revision: RwSignal::new(view.revision),
            saved: RwSignal::new(view.stream.clone()),
            state: RwSignal::new(Saving::Saved),
            published: RwSignal::new(view.published_version),
            in_flight: StoredValue::new(false),
            pending: StoredValue::new_local(None),
        }
    }

    /// Saves as the admin works: a moment after each change.
    pub fn autosave(self, ctx: Ctx) {
        Effect::new(move |_| {
            let changed = ctx.d.with(|d| self.saved.with_untracked(|s| d.stream() != s));
            if !changed || matches!(self.state.get_untracked(), Saving::Conflict(_)) {
                return;
            }
            if !matches!(self.state.get_untracked(), Saving::Saving) {
                self.state.set(Saving::Unsaved);
            }
            if let Some(h) = self.pending.try_update_value(Option::take).flatten() {
                h.clear();
            }
            let later = set_timeout_with_handle(move || self.save_now(ctx, None), SAVE_AFTER).ok();
            self.pending.set_value(later);
        });
    }

    /// Saves what the admin sees now (after one already on its way), then
    /// runs `then` with whether the server has it.
    pub fn save_now(self, ctx: Ctx, then: Option<Callback<bool>>) {
        if self.in_flight.get_value() {
            // The save on its way saves again when it is back.
            if let Some(then) = then {
                set_timeout(move || self.save_now(ctx, Some(then)), std::time::Duration::from_millis(100));
            }
            return;
        }
        let stream = ctx.d.with_untracked(|d| d.stream().clone());
        if self.saved.with_untracked(|s| *s == stream) && self.revision.get_untracked() > 0 {
            if !matches!(self.state.get_untracked(), Saving::Conflict(_)) {
                self.state.set(Saving::Saved);
            }
            if let Some(then) = then {
                then.run(true);
            }
            return;
        }
        if matches!(self.state.get_untracked(), Saving::Conflict(_)) {
            if let Some(then) = then {
                then.run(false);
            }
            return;
        }
        self.in_flight.set_value(true);
        self.state.set(Saving::Saving);
        let (key, id) = (self.key.get_value(), stream.id.clone());
        let save = SaveDraft { stream: stream.clone(), base_revision: self.revision.get_untracked() };
        spawn_local(async move {
            let answer = api::save_draft(&key, &id, &save).await;
            self.in_flight.set_value(false);
            let sees = |x: &Stream| ctx.d.with_untracked(|d| d.stream() == x);
            match answer {
                Ok(v) => {
                    // Never backwards (a restore may have moved it on meanwhile).
                    self.revision.update(|r| *r = (*r).max(v.revision));
                    self.saved.set(stream);
                    if self.saved.with_untracked(|s| sees(s)) {
                        self.state.set(Saving::Saved);
                        if let Some(then) = then {
                            then.run(true);
                        }
                    } else {
                        // Changed while saving: save that too, then go on.
                        self.state.set(Saving::Unsaved);
                        self.save_now(ctx, then);
                    }
                }
                // What the server has is what the admin sees (a save whose
                // answer was lost, or the same edit elsewhere): no conflict.
                Err(DraftError::Conflict(theirs)) if sees(&theirs.stream) => {
                    self.revision.update(|r| *r = (*r).max(theirs.revision));
                    self.saved.set(theirs.stream);
                    self.state.set(Saving::Saved);
                    if let Some(then) = then {
                        then.run(true);
                    }
                }
                Err(DraftError::Conflict(theirs)) => {
                    self.state.set(Saving::Conflict(theirs));
                    if let Some(then) = then {
                        then.run(false);
                    }
                }
                Err(e) => {
                    let why = match e {
                        DraftError::Api(e) => super::super::describe(ctx.s, &e),
                        _ => ctx.s.t("save_failed"),
                    };
                    self.state.set(Saving::Failed(why));
                    // Tried again in a while (a network blip on the last edit).
                    set_timeout(
                        move || {
                            if matches!(self.state.get_untracked(), Saving::Failed(_)) {
                                self.save_now(ctx, None);
                            }
                        },
                        RETRY_AFTER,
                    );
                    if let Some(then) = then {
                        then.run(false);
                    }
                }
            }
        });
    }

    /// Runs `f` once no save is on its way and none is waiting (a restore
    /// must not race the draft's own saves).
    fn after_saves(self, f: impl FnOnce() + 'static) {
        if let Some(h) = self.pending.try_update_value(Option::take).flatten() {
            h.clear();
        }
        if self.in_flight.get_value() {
            set_timeout(move || self.after_saves(f), std::time::Duration::from_millis(100));
        } else {
            f();
        }
    }
}

/// A time (unix ms) as `YYYY-MM-DD HH:MM UTC`.
fn when(ms: i64) -> String {
    let iso: String = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64)).to_iso_string().into();
    format!("{} {} UTC", iso.get(..10).unwrap_or_default(), iso.get(11..16).unwrap_or_default())
}

/// Where the draft stands, and the choice when someone else saved first.
#[component]
pub fn SaveStatus(
    /// The designer's state.
    ctx: Ctx,
    /// The draft on the server.
    draft: Draft,
) -> impl IntoView {
    let s = ctx.s;
    let line = move || match draft.state.get() {
        Saving::Saved => s.f("draft_saved", &[("revision", &draft.revision.get().to_string())]),
        Saving::Unsaved => s.t("draft_unsaved"),
        Saving::Saving => s.t("draft_saving"),
        Saving::Failed(why) => s.f("draft_save_failed", &[("why", &why)]),
        Saving::Conflict(_) => String::new(),
    };
    let conflict = move || match draft.state.get() {
        Saving::Conflict(theirs) => Some(theirs),
        _ => None,
    };
    view! {
        <p class="save-status" role="status" data-testid="save-status">{line}</p>
        {move || conflict().map(|theirs| {
            let who = if theirs.saved_by.is_empty() { s.t("someone") } else { theirs.saved_by.clone() };
            let message = s.f("draft_conflict", &[("who", &who), ("when", &when(theirs.saved_at))]);
            let (t1, t2) = (theirs.clone(), theirs);
            view! {
                <div class="conflict" role="alert" data-testid="conflict">
                    <p>{message}</p>
                    <div class="actions">
                        <button type="button" data-testid="load-theirs" on:click=move |_| {
                            draft.revision.set(t1.revision);
                            draft.saved.set(t1.stream.clone());
                            draft.state.set(Saving::Saved);
                            ctx.d.update(|d| d.replace(t1.stream.clone()));
                            ctx.status.say(s.t("draft_loaded_theirs"));
                        }>{s.t("load_theirs")}</button>
                        <button type="button" class="secondary" data-testid="keep-mine" on:click=move |_| {
                            // The server has theirs: ours is saved over it, from their revision.
                            draft.revision.set(t2.revision);
                            draft.saved.set(t2.stream.clone());
                            draft.state.set(Saving::Unsaved);
                            draft.save_now(ctx, None);
                        }>{s.t("keep_mine")}</button>
                    </div>
                </div>
            }
        })}
    }
}

/// Publishing with a note, and the release history with restore.
#[component]
pub fn Publishing(
    /// The designer's state.
    ctx: Ctx,
    /// The draft on the server.
    draft: Draft,
) -> impl IntoView {
    let s = ctx.s;
    let note = RwSignal::new(String::new());
    let publishing = RwSignal::new(false);
    let refused = RwSignal::new(Vec::<StreamFinding>::new());
    let releases = RwSignal::new(Vec::<ReleaseView>::new());
    let id = ctx.d.with_untracked(|d| d.stream().id.clone());
    let (k, i) = (draft.key.get_value(), id.clone());
    let load = move || {
        let (k, i) = (k.clone(), i.clone());
        spawn_local(async move {
            if let Ok(list) = api::releases(&k, &i).await {
                releases.set(list);
            }
        })
    };
    load();
    let (k, i, l) = (draft.key.get_value(), id.clone(), load.clone());
    let publish = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if ctx.report.with_untracked(|r| !r.errors.is_empty()) {
            ctx.status.say(s.t("publish_fix_errors"));
            return;
        }
        if publishing.get_untracked() {
            return;
        }
        publishing.set(true);
        let (k, i, l) = (k.clone(), i.clone(), l.clone());
        // What is published is what the admin sees: saved first.
        draft.save_now(
            ctx,
            Some(Callback::new(move |saved: bool| {
                if !saved {
                    publishing.set(false);
                    ctx.status.say(s.t("publish_not_saved"));
                    return;
                }
                let (k, i, l) = (k.clone(), i.clone(), l.clone());
                let request = PublishDraft {
                    base_revision: draft.revision.get_untracked(),
                    note: note.get_untracked(),
                };
                spawn_local(async move {
                    let answer = api::publish_draft(&k, &i, &request).await;
                    publishing.set(false);
                    match answer {
                        Ok(p) => {
                            refused.set(Vec::new());
                            note.set(String::new());
                            draft.published.set(Some(p.version));
                            ctx.status.say(s.f(
                                "stream_published",
                                &[("id", &p.id), ("version", &p.version.to_string())],
                            ));
                            l();
                        }
                        Err(DraftError::Invalid(found)) => {
                            refused.set(found);
                            ctx.status.say(s.t("publish_refused"));
                        }
                        Err(DraftError::Conflict(theirs)) => draft.state.set(Saving::Conflict(theirs)),
                        Err(DraftError::Api(e)) => ctx.status.failed(s, &e),
                    }
                });
            })),
        );
    };
    let restoring = RwSignal::new(0u32);
    let (k, i, l) = (draft.key.get_value(), id.clone(), load.clone());
    let restore = move |_| {
        close_dialog("restore-release");
        let (k, i, l, v) = (k.clone(), i.clone(), l.clone(), restoring.get_untracked());
        draft.after_saves(move || {
            spawn_local(async move {
                match api::restore_release(&k, &i, v).await {
                    Ok(p) => {
                        draft.published.set(Some(p.version));
                        ctx.status.say(s.f(
                            "release_restored",
                            &[("old", &v.to_string()), ("version", &p.version.to_string())],
                        ));
                        // The server made the restored stream the draft.
                        if let Ok(d) = api::draft(&k, &i).await {
                            draft.revision.set(d.revision);
                            draft.saved.set(d.stream.clone());
                            draft.state.set(Saving::Saved);
                            ctx.d.update(|x| x.replace(d.stream));
                        }
                        l();
                    }
                    Err(e) => ctx.status.failed(s, &e),
                }
            })
        });
    };
    let errors = move || ctx.report.with(|r| r.errors.len());
    view! {
        <section class="card" aria-labelledby="publish-title" data-testid="publishing">
            <h2 id="publish-title">{s.t("publish_stream")}</h2>
            <p>{move || match draft.published.get() {
                Some(v) => s.f("published_version", &[("version", &v.to_string())]),
                None => s.t("not_published"),
            }}</p>
            <form on:submit=publish novalidate>
                <div class="field">
                    <label for="release-note">{s.t("release_note")}</label>
                    <span class="hint-text" id="release-note-hint">{s.t("release_note_hint")}</span>
                    <textarea id="release-note" rows="2" maxlength="500" aria-describedby="release-note-hint" prop:value=move || note.get()
                        on:input=move |ev| note.set(event_target_value(&ev))></textarea>
                </div>
                <button type="submit" data-testid="publish-draft" disabled=move || publishing.get() aria-disabled=move || (errors() > 0).to_string()>{s.t("publish")}</button>
                {move || (errors() > 0).then(|| view! { <span class="field-error">" "{s.t("publish_fix_errors")}</span> })}
            </form>
            <ul class="field-error" data-testid="publish-refused">
                {move || refused.get().into_iter().map(|f| view! {
                    <li>{f.card.map(|c| format!("card {c}: ")).unwrap_or_default()}{f.message}</li>
                }).collect_view()}
            </ul>
            <h3>{s.t("releases")}</h3>
            {move || releases.with(Vec::is_empty).then(|| view! { <p>{s.t("no_releases")}</p> })}
            <ol class="releases" data-testid="releases" reversed>
                {move || releases.get().into_iter().map(|r| {
                    let v = r.version;
                    let current = draft.published.get() == Some(v);
                    let who = if r.published_by.is_empty() { String::new() } else { format!(" · {}", r.published_by) };
                    let mut changed = Vec::new();
                    if !r.changes.added.is_empty() { changed.push(s.f("cards_added", &[("ids", &r.changes.added.join(", "))])) }
                    if !r.changes.changed.is_empty() { changed.push(s.f("cards_changed", &[("ids", &r.changes.changed.join(", "))])) }
                    if !r.changes.removed.is_empty() { changed.push(s.f("cards_removed", &[("ids", &r.changes.removed.join(", "))])) }
                    if r.settings_changed { changed.push(s.t("settings_changed")) }
                    view! {
                        <li data-testid="release" data-version=v.to_string()>
                            <strong>{s.f("version_n", &[("version", &v.to_string())])}</strong>
                            " · "{when(r.published_at)}{who}
                            {(!r.note.is_empty()).then(|| view! { <p class="release-note">{r.note.clone()}</p> })}
                            <p class="muted">{changed.join("; ")}</p>
                            {(!current).then(|| view! {
                                <button type="button" class="secondary" data-testid="restore"
                                    aria-label=s.f("restore_version", &[("version", &v.to_string())])
                                    on:click=move |_| { restoring.set(v); open_dialog("restore-release") }>{s.t("restore")}</button>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ol>
            <dialog id="restore-release" aria-labelledby="restore-release-title" class="dialog">
                <p id="restore-release-title">{move || s.f("confirm_restore", &[("version", &restoring.get().to_string())])}</p>
                <div class="actions">
                    <button type="button" data-testid="confirm-restore" on:click=restore>{s.t("restore")}</button>
                    <button type="button" class="secondary" autofocus on:click=move |_| close_dialog("restore-release")>{s.t("cancel")}</button>
                </div>
            </dialog>
        </section>
    }
}
