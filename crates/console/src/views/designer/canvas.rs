//! The stream drawn as a tree: one box per card (and per open link and
//! "goes to" link), lines from each box to those under it, zoomable and
//! scrollable. It is an ARIA tree: the arrow keys move between boxes,
//! Enter edits, Delete removes, `A` or Insert adds a card, Ctrl+X and
//! Ctrl+V move a branch.

use leptos::prelude::*;
use switchboard_protocol::stream::CardKind;
use wasm_bindgen::JsCast;

use super::Ctx;
use crate::model::designer::edit::{add_slot, CardType};
use crate::model::designer::layout::{BoxKey, Nav, Placed, Shown, BOX_H, BOX_W};

/// Puts the keyboard's focus on box `i` once it is drawn.
pub fn focus_box(i: usize) {
    request_animation_frame(move || {
        if let Some(e) = document().get_element_by_id(&format!("box-{i}")) {
            let _ = e.unchecked_into::<web_sys::HtmlElement>().focus();
        }
    });
}

/// The first few words of a card, for its box.
fn excerpt(kind: &CardKind) -> String {
    let text = match kind {
        CardKind::Message { text, .. } | CardKind::Question { text, .. } => text.clone(),
        CardKind::Capture(c) => c.prompt.clone(),
        CardKind::LiveChat { text, .. } | CardKind::End { text } => text.clone().unwrap_or_default(),
    };
    let mut short: String = text.chars().take(90).collect();
    if text.chars().count() > 90 {
        short.push('…');
    }
    short
}

/// "1 error", "3 errors" (and the same for warnings).
pub fn count(s: crate::i18n::Strings, n: usize, what: &str) -> String {
    if n == 1 {
        s.t(&format!("one_{what}"))
    } else {
        s.f(&format!("n_{what}s"), &[("n", &n.to_string())])
    }
}

/// The tree.
#[component]
pub fn Canvas(
    /// The designer's state.
    ctx: Ctx,
    /// How much the drawing is scaled.
    zoom: RwSignal<f64>,
    /// Cards whose words match the search.
    hits: Memo<Vec<String>>,
) -> impl IntoView {
    let s = ctx.s;
    let layout = ctx.layout;
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let l = layout.get_untracked();
        let current = ctx.selected.with_untracked(|k| k.as_ref().and_then(|k| l.find(k)));
        let ctrl = ev.ctrl_key() || ev.meta_key();
        let nav = match ev.key().as_str() {
            "ArrowDown" => Some(Nav::Next),
            "ArrowUp" => Some(Nav::Prev),
            "ArrowRight" => Some(Nav::Child),
            "ArrowLeft" => Some(Nav::Parent),
            "Home" => Some(Nav::First),
            "End" => Some(Nav::Last),
            _ => None,
        };
        if let Some(nav) = nav {
            ev.prevent_default();
            if let Some(i) = l.nav(current, nav) {
                ctx.selected.set(Some(l.placed[i].key()));
                ctx.adding.set(None);
                focus_box(i);
            }
            return;
        }
        let Some(p) = current.map(|i| l.placed[i].clone()) else { return };
        match ev.key().as_str() {
            "Enter" | " " => {
                ev.prevent_default();
                ctx.open(&p);
            }
            "Delete" | "Backspace" => {
                if let Shown::Card(id) = &p.shown {
                    ev.prevent_default();
                    ctx.ask_removal(id.clone());
                }
            }
            "a" | "A" | "Insert" if !ctrl => {
                ev.prevent_default();
                ctx.add_at(&p);
            }
            "x" | "X" if ctrl => {
                if let Shown::Card(id) = &p.shown {
                    ev.prevent_default();
                    ctx.cut(id.clone());
                }
            }
            "v" | "V" if ctrl => {
                ev.prevent_default();
                if let Some(slot) = &p.slot {
                    ctx.paste(slot.clone());
                }
            }
            _ => {}
        }
    };
    let edges = move || {
        let l = layout.get();
        l.placed
            .iter()
            .filter_map(|c| {
                let p = &l.placed[c.parent?];
                let (px, py) = (p.x + BOX_W / 2.0, p.y + BOX_H);
                let (cx, cy) = (c.x + BOX_W / 2.0, c.y);
                let mid = py + (cy - py) / 2.0;
                Some(format!("M{px},{py} V{mid} H{cx} V{cy}"))
            })
            .map(|d| view! { <path d=d /> })
            .collect_view()
    };
    // Drawn again on every edit (a box shows its card's words); the
    // selection only restyles the boxes, so the focus stays where it is.
    let boxes = move || {
        let stream = ctx.d.with(|d| d.stream().clone());
        let l = layout.get();
        l.placed.iter().enumerate().map(|(i, p)| one_box(ctx, &stream, i, p, hits)).collect_view()
    };
    let empty = move || ctx.d.with(|d| d.stream().cards.is_empty());
    view! {
        <div class="canvas-scroll" data-testid="canvas">
            <div class="canvas-size"
                style:width=move || format!("{}px", layout.with(|l| l.width) * zoom.get())
                style:height=move || format!("{}px", layout.with(|l| l.height) * zoom.get())>
                <div class="canvas" style:transform=move || format!("scale({})", zoom.get())
                    style:width=move || format!("{}px", layout.with(|l| l.width))
                    style:height=move || format!("{}px", layout.with(|l| l.height))>
                    <svg class="edges" aria-hidden="true"
                        width=move || layout.with(|l| l.width) height=move || layout.with(|l| l.height)>
                        {edges}
                    </svg>
                    <div role="tree" aria-label=s.t("designer_tree") aria-describedby="designer-keys" on:keydown=on_key data-testid="tree">
                        {boxes}
                    </div>
                </div>
            </div>
            {move || empty().then(|| view! {
                <button type="button" class="add-first" id="add-first" data-testid="add-first"
                    on:click=move |_| ctx.open_palette(crate::model::designer::Slot::Start)>{s.t("add_first_card")}</button>
            })}
        </div>
    }
}

fn one_box(
    ctx: Ctx,
    stream: &switchboard_protocol::stream::Stream,
    i: usize,
    p: &Placed,
    hits: Memo<Vec<String>>,
) -> impl IntoView {
    let s = ctx.s;
    let key = p.key();
    let key2 = key.clone();
    let selected = Signal::derive(move || ctx.selected.with(|k| k.as_ref() == Some(&key2)));
    let errors = match &p.shown {
        Shown::Card(id) => {
            ctx.report.with_untracked(|r| r.errors.iter().filter(|f| f.card.as_deref() == Some(id)).count())
        }
        _ => 0,
    };
    let warnings = match &p.shown {
        Shown::Card(id) => {
            ctx.report.with_untracked(|r| r.warnings.iter().filter(|f| f.card.as_deref() == Some(id)).count())
        }
        _ => 0,
    };
    let (kind_class, kind_name, body, id_text) = match &p.shown {
        Shown::Card(id) => match stream.card(id) {
            Some(c) => {
                let ty = CardType::of(&c.kind).name();
                (format!("box box-{ty}"), s.t(&format!("card_{ty}")), excerpt(&c.kind), id.clone())
            }
            None => ("box".to_owned(), String::new(), String::new(), id.clone()),
        },
        Shown::Link(to) => {
            ("box box-link".to_owned(), s.t("goes_to"), s.f("goes_to_card", &[("id", to)]), String::new())
        }
        Shown::Open => ("box box-open".to_owned(), s.t("open_slot"), s.t("open_slot_hint"), String::new()),
    };
    let hit_id = match &p.shown {
        Shown::Card(id) => Some(id.clone()),
        _ => None,
    };
    let visits_of = hit_id.clone();
    let is_hit = move || hit_id.as_ref().is_some_and(|id| hits.with(|h| h.contains(id)));
    let class = move || {
        let mut c = kind_class.clone();
        if selected.get() {
            c.push_str(" selected");
        }
        if errors > 0 {
            c.push_str(" has-errors");
        }
        if is_hit() {
            c.push_str(" hit");
        }
        c
    };
    let has_children = ctx.layout.with_untracked(|l| l.children(i).next().is_some());
    let placed = p.clone();
    let click_key = key.clone();
    let focus_key = key.clone();
    let level = (p.depth + 1).to_string();
    let cut =
        move || ctx.clip.with(|c| matches!(&key, BoxKey::Card(id) if c.as_deref() == Some(id.as_str())));
    view! {
        <div role="treeitem" id=format!("box-{i}") class=class
            style:left=format!("{}px", p.x) style:top=format!("{}px", p.y)
            style:width=format!("{BOX_W}px") style:height=format!("{BOX_H}px")
            aria-posinset=p.pos.0.to_string() aria-setsize=p.pos.1.to_string()
            aria-selected=move || selected.get().to_string()
            aria-expanded=has_children.then_some("true")
            tabindex=move || if selected.get() || (i == 0 && ctx.selected.with(Option::is_none)) { "0" } else { "-1" }
            data-testid="box" data-card=placed.card().map(str::to_owned)
            on:focus=move |_| {
                // Tabbing into the tree selects the box the focus lands on.
                if !selected.get_untracked() {
                    ctx.selected.set(Some(focus_key.clone()));
                }
            }
            on:click=move |_| {
                ctx.selected.set(Some(click_key.clone()));
                ctx.adding.set(None);
                if !matches!(placed.shown, Shown::Card(_)) {
                    ctx.open(&placed);
                }
            }>
            {p.answer.clone().map(|a| view! { <span class="box-answer">{s.f("under_answer", &[("answer", &a)])}</span> })}
            <span class="box-head"><span class="box-type">{kind_name}</span>" "<span class="box-id">{id_text}</span></span>
            <span class="box-text">{body}</span>
            {(errors > 0).then(|| view! { <span class="box-problems">{count(s, errors, "error")}</span> })}
            {move || visits_of.as_ref().and_then(|id| ctx.visits.with(|v| v.as_ref().map(|f| {
                let c = f.cards.iter().find(|c| &c.card == id).cloned().unwrap_or_default();
                view! { <span class="box-visits" data-testid="box-visits">{s.f("reached_left", &[("reached", &c.reached.to_string()), ("left", &c.left.to_string())])}</span> }
            })))}
            {(errors == 0 && warnings > 0).then(|| view! { <span class="box-warnings">{count(s, warnings, "warning")}</span> })}
            {move || cut().then(|| view! { <span class="box-cut">{s.t("cut_marker")}</span> })}
        </div>
    }
    // Tachys has no `aria-level` of its own: set as a custom attribute.
    .add_any_attr(leptos::attr::custom::custom_attribute("aria-level", level))
}

/// Where "add" puts a card for box `p` (see [`add_slot`]).
pub fn slot_for_adding(ctx: Ctx, p: &Placed) -> Option<crate::model::designer::Slot> {
    ctx.d.with_untracked(|d| add_slot(d.stream(), &p.shown, p.slot.as_ref()))
}
