//! The side panel: the selected card's editor (each card type's fields,
//! text with a token picker, answers, the live chat card's routing from the
//! site's real agents and teams) and the stream's own settings.
//!
//! The panel is drawn again only when the card's shape changes (its type,
//! how many answers, pick-list or not, the routing option): typing changes
//! values in place, so the focus stays in the field.

use leptos::prelude::*;
use switchboard_protocol::attribute::{Attribute, InputKind, BUILT_IN};
use switchboard_protocol::site::Locale;
use switchboard_protocol::stream::{CardKind, IfKnown, Routing, SetValue, Stream};
use wasm_bindgen::JsCast;

use super::Ctx;
use crate::model::designer::edit::{add_answer, move_answer, update, CardType, EditError};
use crate::model::designer::layout::BoxKey;
use crate::model::designer::Slot;
use crate::model::site::locales;

/// What decides how the editor is laid out.
#[derive(Debug, Clone, PartialEq)]
struct Shape {
    ty: CardType,
    answers: usize,
    pick: bool,
    routing: &'static str,
}

fn shape_of(kind: &CardKind) -> Shape {
    Shape {
        ty: CardType::of(kind),
        answers: match kind {
            CardKind::Question { answers, .. } => answers.len(),
            _ => 0,
        },
        pick: matches!(kind, CardKind::Capture(c) if c.input == InputKind::Pick),
        routing: match kind {
            CardKind::LiveChat { routing, .. } => routing_name(routing),
            _ => "",
        },
    }
}

fn routing_name(r: &Routing) -> &'static str {
    match r {
        Routing::RoundRobin => "round_robin",
        Routing::Rules => "rules",
        Routing::Agent(_) => "agent",
        Routing::Team(_) => "team",
    }
}

/// Reads and writes one card of the draft.
#[derive(Clone, Copy)]
struct Of {
    ctx: Ctx,
    card: StoredValue<String>,
}

impl Of {
    fn id(&self) -> String {
        self.card.get_value()
    }

    fn get<T: Default>(&self, f: impl Fn(&CardKind) -> T) -> T {
        let id = self.id();
        self.ctx.d.with(|d| d.stream().card(&id).map(|c| f(&c.kind)).unwrap_or_default())
    }

    /// Changes the card; edits of one `field` in a row are one undo step.
    fn set(&self, field: &str, f: impl FnOnce(&mut CardKind)) {
        let id = self.id();
        let key = format!("{id}.{field}");
        self.ctx.edit(Some(&key), |s| update(s, &id, f));
    }

    fn edit<T>(&self, f: impl FnOnce(&mut Stream) -> Result<T, EditError>) -> Option<T> {
        self.ctx.edit(None, f)
    }

    /// The validator's errors about `fields` of this card.
    fn errors(&self, fields: &'static [&'static str]) -> Signal<Option<String>> {
        let (ctx, id) = (self.ctx, self.id());
        Signal::derive(move || {
            let found: Vec<String> = ctx.report.with(|r| {
                r.errors
                    .iter()
                    .filter(|f| {
                        f.card.as_deref() == Some(id.as_str()) && f.field.is_some_and(|x| fields.contains(&x))
                    })
                    .map(|f| f.message.clone())
                    .collect()
            });
            (!found.is_empty()).then(|| found.join(" "))
        })
    }
}

/// What a text area shows: what the admin typed, so spaces and blank lines
/// survive typing, and the model's value again when it changes otherwise
/// (undo, a reload).
fn raw_text(
    model: impl Fn() -> String + Send + Sync + 'static,
    same: fn(&str, &str) -> bool,
) -> RwSignal<String> {
    let raw = RwSignal::new(untrack(&model));
    Effect::new(move |_| {
        let m = model();
        if !same(&raw.get_untracked(), &m) {
            raw.set(m);
        }
    });
    raw
}

/// Whether typed lines mean the same list as the model's (one per line).
fn same_lines(typed: &str, model: &str) -> bool {
    lines(typed).join("\n") == model
}

/// A problem line under a field.
fn error_line(id: String, error: Signal<Option<String>>) -> impl IntoView {
    view! { <span class="field-error" id=id>{move || error.get()}</span> }
}

/// A text area for card text, with a token picker that puts
/// `{{attribute:"default"}}` where the cursor is.
fn token_text(
    of: Of,
    field: &'static str,
    label: String,
    get: fn(&CardKind) -> String,
    put: fn(&mut CardKind, String),
) -> impl IntoView {
    let s = of.ctx.s;
    let input_id = format!("card-{field}");
    let error_id = format!("{input_id}-error");
    let error = of.errors(match field {
        "prompt" => &["prompt"],
        _ => &["text"],
    });
    let (o1, o2) = (of, of);
    let attribute = RwSignal::new("first_name".to_owned());
    let fallback = RwSignal::new(String::new());
    let i2 = input_id.clone();
    let insert = move |_| {
        let token = match fallback.get_untracked().trim() {
            "" => format!("{{{{{}}}}}", attribute.get_untracked()),
            d => format!("{{{{{}:\"{}\"}}}}", attribute.get_untracked(), d.replace('"', "")),
        };
        let area =
            document().get_element_by_id(&i2).and_then(|e| e.dyn_into::<web_sys::HtmlTextAreaElement>().ok());
        let text = o2.get(get);
        let chars: Vec<char> = text.chars().collect();
        // The caret counts UTF-16 units; the text is cut on a character.
        let caret =
            area.as_ref().and_then(|a| a.selection_start().ok().flatten()).unwrap_or(u32::MAX) as usize;
        let mut units = 0;
        let at = chars.iter().position(|c| {
            let here = units >= caret;
            units += c.len_utf16();
            here
        });
        let at = at.unwrap_or(chars.len());
        let new: String =
            chars[..at].iter().collect::<String>() + &token + &chars[at..].iter().collect::<String>();
        o2.set(field, |k| put(k, new));
        let caret: u32 = chars[..at].iter().map(|c| c.len_utf16() as u32).sum::<u32>()
            + token.encode_utf16().count() as u32;
        if let Some(a) = area {
            request_animation_frame(move || {
                let _ = a.focus();
                let _ = a.set_selection_range(caret, caret);
            });
        }
    };
    let attrs = {
        let mut a: Vec<String> = BUILT_IN.iter().map(|s| (*s).to_owned()).collect();
        a.extend(of.ctx.d.with_untracked(|d| custom_attributes(d.stream())));
        a
    };
    view! {
        <div class="field">
            <label for=input_id.clone()>{label}</label>
            <textarea id=input_id.clone() rows="3" aria-describedby=error_id.clone()
                aria-invalid=move || error.get().is_some().to_string()
                prop:value=move || o1.get(get)
                on:input=move |ev| { let v = event_target_value(&ev); of_set(&o1, field, put, v) }></textarea>
            {error_line(error_id, error)}
            <div class="token-picker" role="group" aria-label=s.t("token_picker")>
                <label>{s.t("token_attribute")}" "
                    <select on:change=move |ev| attribute.set(event_target_value(&ev))>
                        {attrs.into_iter().map(|a| view! { <option value=a.clone()>{a.clone()}</option> }).collect_view()}
                    </select>
                </label>
                <label>{s.t("token_default")}" "
                    <input prop:value=move || fallback.get() on:input=move |ev| fallback.set(event_target_value(&ev)) placeholder=s.t("token_default_hint") />
                </label>
                <button type="button" class="secondary" on:click=insert data-testid="insert-token">{s.t("insert_token")}</button>
            </div>
        </div>
    }
}

fn of_set(of: &Of, field: &'static str, put: fn(&mut CardKind, String), v: String) {
    of.set(field, |k| put(k, v));
}

/// The `custom:` attributes the stream already uses.
fn custom_attributes(stream: &Stream) -> Vec<String> {
    let mut out: Vec<String> = stream
        .cards
        .iter()
        .flat_map(|c| match &c.kind {
            CardKind::Capture(cap) => vec![cap.attribute.clone()],
            CardKind::Question { answers, .. } => {
                answers.iter().filter_map(|a| a.set.as_ref().map(|s| s.attribute.clone())).collect()
            }
            _ => Vec::new(),
        })
        .filter(|a| matches!(a, Attribute::Custom(_)))
        .map(|a| a.to_string())
        .collect();
    out.sort();
    out.dedup();
    out
}

fn text_of(k: &CardKind) -> String {
    match k {
        CardKind::Message { text, .. } | CardKind::Question { text, .. } => text.clone(),
        CardKind::Capture(c) => c.prompt.clone(),
        CardKind::LiveChat { text, .. } | CardKind::End { text } => text.clone().unwrap_or_default(),
    }
}

fn put_text(k: &mut CardKind, v: String) {
    match k {
        CardKind::Message { text, .. } | CardKind::Question { text, .. } => *text = v,
        CardKind::Capture(c) => c.prompt = v,
        CardKind::LiveChat { text, .. } | CardKind::End { text } => {
            *text = (!v.trim().is_empty()).then_some(v)
        }
    }
}

/// The selected card's editor.
#[component]
pub fn CardEditor(
    /// The designer's state.
    ctx: Ctx,
    /// The card.
    id: String,
) -> impl IntoView {
    let s = ctx.s;
    let i2 = id.clone();
    let shape = Memo::new(move |_| ctx.d.with(|d| d.stream().card(&i2).map(|c| shape_of(&c.kind))));
    let of = Of { ctx, card: StoredValue::new(id.clone()) };
    view! {
        <div class="card-editor" data-testid="card-editor">
            {move || shape.get().map(|sh| {
                let name = sh.ty.name();
                view! {
                    <h2>{s.t(&format!("card_{name}"))}" "<span class="box-id">{of.id()}</span></h2>
                    {fields(of, &sh)}
                    {actions(of, &sh)}
                }
            })}
        </div>
    }
}

fn fields(of: Of, sh: &Shape) -> AnyView {
    let s = of.ctx.s;
    match sh.ty {
        CardType::Message => token_text(of, "text", s.t("card_text"), text_of, put_text).into_any(),
        CardType::Question => view! {
            {token_text(of, "text", s.t("question_text"), text_of, put_text)}
            {answers(of, sh.answers)}
        }
        .into_any(),
        CardType::Capture => capture(of, sh.pick).into_any(),
        CardType::LiveChat => view! {
            {routing(of, sh.routing)}
            {token_text(of, "text", s.t("connecting_text"), text_of, put_text)}
            {error_line("card-next-error".into(), of.errors(&["next"]))}
        }
        .into_any(),
        CardType::End => token_text(of, "text", s.t("goodbye_text"), text_of, put_text).into_any(),
    }
}

fn answers(of: Of, n: usize) -> impl IntoView {
    let s = of.ctx.s;
    let rows = (0..n)
        .map(|i| {
            let (o1, o2, o3) = (of, of, of);
            let label_id = format!("answer-{i}-label");
            let set_id = format!("answer-{i}-attribute");
            let value_id = format!("answer-{i}-value");
            let raw_attr = raw_text(
                move || of.get(|k| answer(k, i).and_then(|a| a.set.map(|s| s.attribute.to_string())).unwrap_or_default()),
                |typed, model| Attribute::parse(typed.trim()).map(|a| a.to_string()).ok().as_deref().unwrap_or(typed.trim()) == model
                    || (typed.trim().is_empty() && model.is_empty()),
            );
            let attr_error = RwSignal::new(None::<String>);
            let next = Memo::new(move |_| of.get(|k| answer(k, i).and_then(|a| a.next)));
            let (ou, od, ox, oa) = (of, of, of, of);
            let n_s = (i + 1).to_string();
            view! {
                <fieldset class="answer" data-testid="answer">
                    <legend>{s.f("answer_n", &[("n", &n_s)])}</legend>
                    <div class="field">
                        <label for=label_id.clone()>{s.t("answer_label")}</label>
                        <input id=label_id prop:value=move || o1.get(|k| answer(k, i).map(|a| a.label).unwrap_or_default())
                            on:input=move |ev| { let v = event_target_value(&ev); o1.set(&format!("answers.{i}.label"), |k| { if let Some(a) = answer_mut(k, i) { a.label = v } }) } />
                    </div>
                    <div class="answer-set">
                        <div class="field">
                            <label for=set_id.clone()>{s.t("answer_stores")}</label>
                            <input id=set_id list="designer-attributes" placeholder=s.t("answer_stores_hint") prop:value=move || raw_attr.get()
                                aria-invalid=move || attr_error.get().is_some().to_string()
                                on:input=move |ev| {
                                    let v = event_target_value(&ev);
                                    raw_attr.set(v.clone());
                                    let v = v.trim().to_owned();
                                    if v.is_empty() {
                                        attr_error.set(None);
                                        o2.set(&format!("answers.{i}.set"), |k| { if let Some(a) = answer_mut(k, i) { a.set = None } });
                                        return;
                                    }
                                    match Attribute::parse(&v) {
                                        Ok(attribute) => {
                                            attr_error.set(None);
                                            o2.set(&format!("answers.{i}.set"), |k| { if let Some(a) = answer_mut(k, i) {
                                                let value = a.set.take().map(|s| s.value).unwrap_or_default();
                                                a.set = Some(SetValue { attribute, value });
                                            } });
                                        }
                                        Err(e) => attr_error.set(Some(e.to_string())),
                                    }
                                } />
                            <span class="field-error">{move || attr_error.get()}</span>
                        </div>
                        <div class="field">
                            <label for=value_id.clone()>{s.t("answer_value")}</label>
                            <input id=value_id prop:value=move || o3.get(|k| answer(k, i).and_then(|a| a.set.map(|s| s.value)).unwrap_or_default())
                                disabled=move || raw_attr.with(|r| r.trim().is_empty())
                                on:input=move |ev| { let v = event_target_value(&ev); o3.set(&format!("answers.{i}.value"), |k| { if let Some(SetValue { value, .. }) = answer_mut(k, i).and_then(|a| a.set.as_mut()) { *value = v } }) } />
                        </div>
                    </div>
                    <div class="actions">
                        <button type="button" class="secondary" disabled=i == 0 aria-label=s.f("answer_up", &[("n", &n_s)])
                            on:click=move |_| { ou.edit(|st| move_answer(st, &ou.id(), i, true)); }>"↑"</button>
                        <button type="button" class="secondary" disabled=i + 1 == n aria-label=s.f("answer_down", &[("n", &n_s)])
                            on:click=move |_| { od.edit(|st| move_answer(st, &od.id(), i, false)); }>"↓"</button>
                        <button type="button" class="secondary" aria-label=s.f("answer_remove", &[("n", &n_s)])
                            on:click=move |_| ox.ctx.ask_answer_removal(ox.id(), i)>{s.t("remove")}</button>
                        {move || match next.get() {
                            Some(to) => view! { <button type="button" class="secondary" on:click=move |_| oa.ctx.focus_card(&to)>{s.t("show_branch")}</button> }.into_any(),
                            None => view! { <button type="button" class="secondary" data-testid="add-under-answer"
                                on:click=move |_| oa.ctx.open_palette(Slot::Answer(oa.id(), i))>{s.t("add_under_answer")}</button> }.into_any(),
                        }}
                    </div>
                </fieldset>
            }
        })
        .collect_view();
    let o = of;
    view! {
        <datalist id="designer-attributes">{BUILT_IN.iter().map(|a| view! { <option value=*a></option> }).collect_view()}</datalist>
        {error_line("card-answers-error".into(), of.errors(&["answers", "answers.label", "answers.set", "answers.next"]))}
        {rows}
        <button type="button" class="secondary" data-testid="add-answer" on:click=move |_| {
            let words = o.ctx.words();
            o.edit(|st| add_answer(st, &o.id(), &words));
        }>{s.t("add_answer")}</button>
    }
}

fn answer(k: &CardKind, i: usize) -> Option<switchboard_protocol::stream::Answer> {
    match k {
        CardKind::Question { answers, .. } => answers.get(i).cloned(),
        _ => None,
    }
}

fn answer_mut(k: &mut CardKind, i: usize) -> Option<&mut switchboard_protocol::stream::Answer> {
    match k {
        CardKind::Question { answers, .. } => answers.get_mut(i),
        _ => None,
    }
}

fn capture(of: Of, pick: bool) -> impl IntoView {
    let s = of.ctx.s;
    let (o1, o2, o3, o4, o5, o6) = (of, of, of, of, of, of);
    let raw_attr = raw_text(
        move || {
            of.get(|k| match k {
                CardKind::Capture(c) => c.attribute.to_string(),
                _ => String::new(),
            })
        },
        |typed, model| Attribute::parse(typed.trim()).map(|a| a.to_string()).ok().as_deref() == Some(model),
    );
    let attr_error = RwSignal::new(None::<String>);
    let kinds = [
        (InputKind::Text, "text"),
        (InputKind::Email, "email"),
        (InputKind::Phone, "phone"),
        (InputKind::Pick, "pick"),
    ];
    let input_now = Signal::derive(move || {
        o2.get(|k| match k {
            CardKind::Capture(c) => Some(c.input),
            _ => None,
        })
    });
    let o7 = of;
    view! {
        <datalist id="designer-attributes">{BUILT_IN.iter().map(|a| view! { <option value=*a></option> }).collect_view()}</datalist>
        <div class="field">
            <label for="capture-attribute">{s.t("capture_attribute")}</label>
            <span class="hint-text" id="capture-attribute-hint">{s.t("capture_attribute_hint")}</span>
            <input id="capture-attribute" list="designer-attributes" aria-describedby="capture-attribute-hint capture-attribute-error"
                prop:value=move || raw_attr.get() aria-invalid=move || attr_error.get().is_some().to_string()
                on:input=move |ev| {
                    let v = event_target_value(&ev);
                    raw_attr.set(v.clone());
                    match Attribute::parse(v.trim()) {
                        Ok(a) => { attr_error.set(None); o1.set("attribute", |k| if let CardKind::Capture(c) = k { c.attribute = a }) }
                        Err(e) => attr_error.set(Some(e.to_string())),
                    }
                } />
            <span class="field-error" id="capture-attribute-error">{move || attr_error.get()}</span>
        </div>
        <div class="field">
            <label for="capture-input">{s.t("capture_input")}</label>
            <select id="capture-input" on:change=move |ev| {
                let v = event_target_value(&ev);
                let kind = kinds.iter().find(|(_, n)| *n == v).map(|(k, _)| *k).unwrap_or(InputKind::Text);
                o3.set("input", |k| if let CardKind::Capture(c) = k {
                    c.input = kind;
                    if kind != InputKind::Pick { c.options.clear() }
                });
            }>
                {kinds.into_iter().map(|(k, n)| view! { <option value=n selected=move || input_now.get() == Some(k)>{s.t(&format!("input_{n}"))}</option> }).collect_view()}
            </select>
        </div>
        {pick.then(|| {
            let o = o4;
            let raw = raw_text(move || o.get(|k| match k { CardKind::Capture(c) => c.options.join("\n"), _ => String::new() }), same_lines);
            view! {
                <div class="field">
                    <label for="capture-options">{s.t("capture_options")}</label>
                    <span class="hint-text" id="capture-options-hint">{s.t("capture_options_hint")}</span>
                    <textarea id="capture-options" rows="4" aria-describedby="capture-options-hint card-options-error"
                        prop:value=move || raw.get()
                        on:input=move |ev| {
                            let v = event_target_value(&ev);
                            raw.set(v.clone());
                            o4.set("options", |k| if let CardKind::Capture(c) = k { c.options = lines(&v) });
                        }></textarea>
                    {error_line("card-options-error".into(), o.errors(&["options"]))}
                </div>
            }
        })}
        {token_text(of, "prompt", s.t("capture_prompt"), text_of, put_text)}
        <div class="field">
            <label for="capture-placeholder">{s.t("capture_placeholder")}</label>
            <input id="capture-placeholder" prop:value=move || o5.get(|k| match k { CardKind::Capture(c) => c.placeholder.clone(), _ => String::new() })
                on:input=move |ev| { let v = event_target_value(&ev); o5.set("placeholder", |k| if let CardKind::Capture(c) = k { c.placeholder = v }) } />
        </div>
        <label class="check"><input type="checkbox" prop:checked=move || o6.get(|k| matches!(k, CardKind::Capture(c) if c.required))
            on:change=move |ev| { let on = event_target_checked(&ev); o6.set("required", |k| if let CardKind::Capture(c) = k { c.required = on }) } />{s.t("capture_required")}</label>
        <fieldset>
            <legend>{s.t("capture_if_known")}</legend>
            {[(IfKnown::Skip, "if_known_skip"), (IfKnown::Ask, "if_known_ask")].into_iter().map(|(v, key)| {
                let (a, b) = (o7, o7);
                view! {
                    <label class="check"><input type="radio" name="if-known"
                        prop:checked=move || a.get(|k| matches!(k, CardKind::Capture(c) if c.if_known == v))
                        on:change=move |_| b.set("if_known", |k| if let CardKind::Capture(c) = k { c.if_known = v }) />{s.t(key)}</label>
                }
            }).collect_view()}
        </fieldset>
    }
}

fn routing(of: Of, kind: &'static str) -> impl IntoView {
    let s = of.ctx.s;
    let (ctx, o1, o2) = (of.ctx, of, of);
    let chosen = Signal::derive(move || {
        o2.get(|k| match k {
            CardKind::LiveChat { routing: Routing::Agent(n) | Routing::Team(n), .. } => n.clone(),
            _ => String::new(),
        })
    });
    let o3 = of;
    let pick = move |v: String| {
        o3.set("routing", |k| {
            if let CardKind::LiveChat { routing: Routing::Agent(n) | Routing::Team(n), .. } = k {
                *n = v
            }
        })
    };
    let pick2 = pick;
    view! {
        <div class="field">
            <label for="card-routing">{s.t("routing_option")}</label>
            <select id="card-routing" aria-describedby="card-routing-error" on:change=move |ev| {
                let v = event_target_value(&ev);
                o1.set("routing", |k| if let CardKind::LiveChat { routing, .. } = k {
                    *routing = match v.as_str() {
                        "rules" => Routing::Rules,
                        "agent" => Routing::Agent(String::new()),
                        "team" => Routing::Team(String::new()),
                        _ => Routing::RoundRobin,
                    }
                });
            }>
                {["round_robin", "rules", "agent", "team"].into_iter().map(|n| view! {
                    <option value=n selected=kind == n>{s.t(&format!("routing_{n}"))}</option>
                }).collect_view()}
            </select>
            {error_line("card-routing-error".into(), of.errors(&["routing"]))}
        </div>
        {(kind == "agent").then(|| view! {
            <div class="field">
                <label for="card-routing-agent">{s.t("agent")}</label>
                <select id="card-routing-agent" on:change=move |ev| pick(event_target_value(&ev))>
                    <option value="">"—"</option>
                    {move || { let c = chosen.get(); ctx.agents.get().into_iter().map(|a| {
                        let e = a.profile.email.clone();
                        let sel = e.eq_ignore_ascii_case(&c);
                        view! { <option value=e selected=sel>{format!("{} ({})", a.profile.name, a.profile.email)}</option> }
                    }).collect_view() }}
                </select>
            </div>
        })}
        {(kind == "team").then(|| { view! {
            <div class="field">
                <label for="card-routing-team">{s.t("team")}</label>
                <select id="card-routing-team" on:change=move |ev| pick2(event_target_value(&ev))>
                    <option value="">"—"</option>
                    {move || { let c = chosen.get(); ctx.teams.get().into_iter().map(|t| {
                        let sel = t.name == c;
                        view! { <option value=t.name.clone() selected=sel>{t.name.clone()}</option> }
                    }).collect_view() }}
                </select>
            </div>
        } })}
    }
}

fn actions(of: Of, sh: &Shape) -> impl IntoView {
    let s = of.ctx.s;
    let ctx = of.ctx;
    let id = of.id();
    let (i1, i2, i3, i4, i5) = (id.clone(), id.clone(), id.clone(), id.clone(), id.clone());
    let _ = sh;
    view! {
        <div class="actions card-actions">
            <button type="button" data-testid="add-after" on:click=move |_| {
                if let Some(i) = ctx.layout.with_untracked(|l| l.find(&BoxKey::Card(i1.clone()))) {
                    let p = ctx.layout.with_untracked(|l| l.placed[i].clone());
                    ctx.add_at(&p);
                }
            }>{s.t("add_card_after")}</button>
            <button type="button" class="secondary" data-testid="test-from-here" on:click=move |_| {
                ctx.test_from.set(Some(i2.clone()));
                ctx.status.say(s.f("test_from_card", &[("id", &i2)]));
            }>{s.t("test_from_here")}</button>
            <button type="button" class="secondary" aria-keyshortcuts="Control+X Meta+X" on:click=move |_| ctx.cut(i3.clone())>{s.t("cut_branch")}</button>
            {move || ctx.clip.get().filter(|c| *c != i4).map(|_| {
                let i = i5.clone();
                view! {
                    <button type="button" class="secondary" aria-keyshortcuts="Control+V Meta+V" on:click=move |_| {
                        if let Some(slot) = crate::model::designer::edit::parent_slot(&ctx.d.get_untracked().stream().clone(), &i) {
                            ctx.paste(slot);
                        }
                    }>{s.t("paste_branch_here")}</button>
                }
            })}
            <button type="button" class="danger" data-testid="remove-card" on:click=move |_| ctx.ask_removal(id.clone())>{s.t("remove_card")}</button>
        </div>
    }
}

/// The stream's own settings: name, pages, priority, language.
#[component]
pub fn StreamSettings(
    /// The designer's state.
    ctx: Ctx,
) -> impl IntoView {
    let s = ctx.s;
    let d = ctx.d;
    let get = move |f: fn(&Stream) -> String| d.with(|d| f(d.stream()));
    let set = move |field: &'static str, f: Box<dyn FnOnce(&mut Stream)>| {
        ctx.edit(Some(&format!("stream.{field}")), |st| {
            f(st);
            Ok(())
        });
    };
    let error = move |field: &'static str| {
        Signal::derive(move || {
            let found: Vec<String> = ctx.report.with(|r| {
                r.errors
                    .iter()
                    .filter(|f| f.card.is_none() && f.field == Some(field))
                    .map(|f| f.message.clone())
                    .collect()
            });
            (!found.is_empty()).then(|| found.join(" "))
        })
    };
    let priority =
        raw_text(move || d.with(|d| d.stream().priority.to_string()), |typed, model| typed.trim() == model);
    let targets = raw_text(move || d.with(|d| d.stream().targets.join("\n")), same_lines);
    let exclude = raw_text(move || d.with(|d| d.stream().exclude.join("\n")), same_lines);
    view! {
        <div class="stream-settings" data-testid="stream-settings">
            <h2>{s.t("stream_settings")}</h2>
            <div class="field">
                <label for="stream-name">{s.t("stream_title")}</label>
                <input id="stream-name" prop:value=move || get(|st| st.name.clone()) aria-describedby="stream-name-error"
                    on:input=move |ev| { let v = event_target_value(&ev); set("name", Box::new(move |st| st.name = v)) } />
                {error_line("stream-name-error".into(), error("name"))}
            </div>
            <div class="field">
                <label for="stream-targets">{s.t("stream_targets")}</label>
                <span class="hint-text" id="stream-targets-hint">{s.t("stream_targets_hint")}</span>
                <textarea id="stream-targets" rows="3" aria-describedby="stream-targets-hint stream-targets-error"
                    prop:value=move || targets.get()
                    on:input=move |ev| { let v = event_target_value(&ev); targets.set(v.clone()); set("targets", Box::new(move |st| st.targets = lines(&v))) }></textarea>
                {error_line("stream-targets-error".into(), error("targets"))}
            </div>
            <div class="field">
                <label for="stream-exclude">{s.t("stream_exclude")}</label>
                <span class="hint-text" id="stream-exclude-hint">{s.t("stream_exclude_hint")}</span>
                <textarea id="stream-exclude" rows="2" aria-describedby="stream-exclude-hint stream-exclude-error"
                    prop:value=move || exclude.get()
                    on:input=move |ev| { let v = event_target_value(&ev); exclude.set(v.clone()); set("exclude", Box::new(move |st| st.exclude = lines(&v))) }></textarea>
                {error_line("stream-exclude-error".into(), error("exclude"))}
            </div>
            <div class="field">
                <label for="stream-priority">{s.t("stream_priority")}</label>
                <span class="hint-text" id="stream-priority-hint">{s.t("stream_priority_hint")}</span>
                <input id="stream-priority" type="number" aria-describedby="stream-priority-hint" prop:value=move || priority.get()
                    on:input=move |ev| {
                        let v = event_target_value(&ev);
                        priority.set(v.clone());
                        if let Ok(p) = v.trim().parse::<i32>() { set("priority", Box::new(move |st| st.priority = p)) }
                    } />
            </div>
            <div class="field">
                <label for="stream-locale">{s.t("stream_locale")}</label>
                <select id="stream-locale" on:change=move |ev| {
                    let v = event_target_value(&ev);
                    if let Ok(l) = Locale::parse(&v) { set("locale", Box::new(move |st| st.locale = l)) }
                }>
                    {locales().into_iter().map(|l| view! {
                        <option value=l.tag() selected=move || d.with(|d| d.stream().locale == l)>{s.t(&format!("language_{}", l.tag()))}</option>
                    }).collect_view()}
                </select>
            </div>
        </div>
    }
}

fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
}
