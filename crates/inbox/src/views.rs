//! The inbox's parts, each fed by signals and reporting through callbacks so
//! it can be mounted and tested on its own: the offer banner, the
//! conversation list, the conversation view with its composer and transfer
//! menu, and the visitor panel. All text from visitors, agents and streams
//! is rendered as text.

use leptos::prelude::*;
use switchboard_protocol::admin::CannedView;
use switchboard_protocol::attribute::Attributes;
use switchboard_protocol::inbox::{Colleagues, ConversationSummary};
use switchboard_protocol::stream::runner::Entry;
use switchboard_protocol::wire::{Author, ChatMessage, ConversationState, TransferTarget, MAX_MESSAGE_CHARS};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::canned::{self, Picker};
use crate::canned_views::{self, CannedPicker, Loaded};
use crate::file_views::{self, FileLink, Sending, UploadList};
use crate::i18n::Strings;
use crate::model::{visitor_name, Conversation, Offer};
use crate::notify;

/// One offered chat: who, their first question, the time left, Accept and
/// Decline.
#[component]
pub fn OfferBanner(
    /// The offer.
    offer: Offer,
    /// The current time in milliseconds since the epoch (ticks every second).
    #[prop(into)]
    now: Signal<f64>,
    /// UI strings.
    strings: Strings,
    /// Accept, with the conversation id.
    on_accept: Callback<i64>,
    /// Decline, with the conversation id.
    on_decline: Callback<i64>,
) -> impl IntoView {
    let id = offer.conversation;
    let name = visitor_name(&offer.attributes, id);
    let heading_id = format!("offer-{id}");
    let labelled_by = heading_id.clone();
    let accepting = RwSignal::new(false);
    let left = {
        let template = strings.offer_time_left.clone();
        let deadline = offer.clone();
        move || Strings::fill(&template, &[("secs", &deadline.seconds_left(now.get()).to_string())])
    };
    view! {
        <article class="offer" data-testid="offer" data-conversation=id.to_string() aria-labelledby=labelled_by>
            <div class="offer-text">
                <h2 id=heading_id>{Strings::fill(&strings.offer_from, &[("name", &name)])}</h2>
                {offer.transferred_by.clone().map(|by| view! {
                    <p class="muted" data-testid="transferred-by">{Strings::fill(&strings.offer_transferred, &[("name", &by)])}</p>
                })}
                {offer.first_question().map(|q| view! { <p class="question" data-testid="first-question">{q.to_owned()}</p> })}
                {(!offer.page.url.is_empty()).then(|| view! { <p class="muted url">{offer.page.url.clone()}</p> })}
            </div>
            <p class="countdown" data-testid="countdown">{left}</p>
            <div class="offer-actions">
                // One accept per offer: a second click would only earn a "not yours".
                <button type="button" data-testid="accept" disabled=move || accepting.get()
                    on:click=move |_| { accepting.set(true); on_accept.run(id); }>{strings.accept.clone()}</button>
                <button type="button" class="secondary" data-testid="decline" on:click=move |_| on_decline.run(id)>{strings.decline.clone()}</button>
            </div>
        </article>
    }
}

/// Which list is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    /// The agent's own conversations.
    Active,
    /// Everyone's past conversations.
    All,
}

/// One row of a conversation list.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Conversation id.
    pub id: i64,
    /// The visitor's name.
    pub name: String,
    /// The last message, or the state.
    pub line: String,
    /// Unread visitor messages.
    pub unread: usize,
}

impl Row {
    /// A row for one of the agent's own conversations.
    pub fn mine(c: &Conversation, s: &Strings) -> Self {
        let line = c
            .messages
            .last()
            .map_or_else(|| state_label(c.state, s), |m| last_line(&m.text, m.author == Author::Note, s));
        Row { id: c.id, name: c.visitor_name(), line, unread: c.unread() }
    }

    /// A row for a past conversation.
    pub fn past(c: &ConversationSummary, s: &Strings) -> Self {
        let line = c
            .preview
            .as_deref()
            .map_or_else(|| state_label(Some(c.state), s), |p| last_line(p, c.preview_note, s));
        Row { id: c.id, name: visitor_name(&c.attributes, c.id), line, unread: 0 }
    }
}

/// A list row's line from the last message: a private note says it is one.
fn last_line(text: &str, note: bool, s: &Strings) -> String {
    if note {
        Strings::fill(&s.note_preview, &[("text", text)])
    } else {
        text.to_owned()
    }
}

/// A state in words.
pub fn state_label(state: Option<ConversationState>, s: &Strings) -> String {
    match state {
        None | Some(ConversationState::Waiting) => s.state_waiting.clone(),
        Some(ConversationState::Offered) => s.state_offered.clone(),
        Some(ConversationState::Active) => s.state_active.clone(),
        Some(ConversationState::Ended) => s.state_ended.clone(),
        Some(ConversationState::Fallback) => s.state_fallback.clone(),
    }
}

/// The Active / All switch and the rows of the chosen list.
#[component]
pub fn ConversationList(
    /// Which list.
    tab: RwSignal<Tab>,
    /// Its rows, newest activity first.
    #[prop(into)]
    rows: Signal<Vec<Row>>,
    /// The conversation on screen.
    #[prop(into)]
    selected: Signal<Option<i64>>,
    /// UI strings.
    strings: Strings,
    /// A row was chosen.
    on_select: Callback<i64>,
) -> impl IntoView {
    let unread_tpl = strings.unread.clone();
    let empty = move || match tab.get() {
        Tab::Active => strings.no_chats.clone(),
        Tab::All => strings.no_past.clone(),
    };
    view! {
        <div class="tabs" role="group" aria-label=strings.conversations.clone()>
            <button type="button" class="tab" data-testid="tab-active" aria-pressed=move || (tab.get() == Tab::Active).to_string()
                on:click=move |_| tab.set(Tab::Active)>{strings.tab_active.clone()}</button>
            <button type="button" class="tab" data-testid="tab-all" aria-pressed=move || (tab.get() == Tab::All).to_string()
                on:click=move |_| tab.set(Tab::All)>{strings.tab_all.clone()}</button>
        </div>
        <Show when=move || rows.with(Vec::is_empty)>
            <p class="muted empty" data-testid="list-empty">{empty.clone()}</p>
        </Show>
        <ul class="rows" data-testid="conversation-list">
            // Keyed by conversation, its text reactive: a new message updates
            // the row in place, and keyboard focus on it stays.
            <For each=move || rows.get() key=|r| r.id children=move |r: Row| {
                let id = r.id;
                let row = Memo::new(move |_| rows.with(|rs| rs.iter().find(|x| x.id == id).cloned()));
                let unread_tpl = unread_tpl.clone();
                let unread = move || {
                    row.get().filter(|r| r.unread > 0).map(|r| {
                        let label = Strings::fill(&unread_tpl, &[("n", &r.unread.to_string())]);
                        view! { <span class="badge" data-testid="unread" aria-label=label>{r.unread}</span> }
                    })
                };
                view! {
                    <li>
                        <button type="button" class="row" data-testid="row" data-conversation=id.to_string()
                            aria-current=move || (selected.get() == Some(id)).then_some("true")
                            on:click=move |_| on_select.run(id)>
                            <span class="row-name">{move || row.get().map(|r| r.name)}</span>
                            {unread}
                            <span class="row-line">{move || row.get().map(|r| r.line)}</span>
                        </button>
                    </li>
                }
            } />
        </ul>
    }
}

/// What the agent can do in a conversation.
#[derive(Clone, Copy)]
pub struct Actions {
    /// Send a message: conversation id and text.
    pub send: Callback<(i64, String)>,
    /// Add a private note: conversation id and text.
    pub note: Callback<(i64, String)>,
    /// The agent is (not) typing.
    pub typing: Callback<(i64, bool)>,
    /// End the chat.
    pub end: Callback<i64>,
    /// Transfer it.
    pub transfer: Callback<(i64, TransferTarget)>,
}

/// The conversation on screen: heading and actions, the bot part, the live
/// messages in order, typing, and the composer while it is open.
#[component]
pub fn ConversationView(
    /// The conversation, if one is chosen.
    #[prop(into)]
    conv: Signal<Option<Conversation>>,
    /// UI strings.
    strings: Strings,
    /// What the buttons do.
    actions: Actions,
) -> impl IntoView {
    let id = Memo::new(move |_| conv.with(|c| c.as_ref().map(|c| c.id)));
    let choose = strings.choose.clone();
    move || match id.get() {
        None => view! { <p class="muted choose" data-testid="choose">{choose.clone()}</p> }.into_any(),
        Some(id) => view! { <ConversationBody id conv strings=strings.clone() actions /> }.into_any(),
    }
}

#[component]
fn ConversationBody(
    id: i64,
    conv: Signal<Option<Conversation>>,
    strings: Strings,
    actions: Actions,
) -> impl IntoView {
    let get = move |f: fn(&Conversation) -> String| conv.with(|c| c.as_ref().map(f).unwrap_or_default());
    let open = Memo::new(move |_| conv.with(|c| c.as_ref().is_some_and(Conversation::open)));
    let state = {
        let s = strings.clone();
        move || conv.with(|c| state_label(c.as_ref().and_then(|c| c.state), &s))
    };
    let transcript = conv.with_untracked(|c| c.as_ref().map(|c| c.transcript.clone()).unwrap_or_default());
    let labels = strings.clone();
    let download = move |_| {
        conv.with_untracked(|c| {
            if let Some(c) = c {
                let l = crate::model::TranscriptLabels {
                    conversation: &labels.conversation,
                    visitor: &labels.visitor,
                    agent: &labels.agent,
                    bot: &labels.bot,
                    system: &labels.system,
                    note: &labels.note,
                };
                notify::download(
                    &crate::model::transcript_file_name(c),
                    &crate::model::transcript_text(c, &l),
                );
            }
        })
    };
    let transferring = RwSignal::new(false);
    // The newest line stays in view, unless the agent scrolled up to read.
    let log = NodeRef::<leptos::html::Div>::new();
    let stick = StoredValue::new(true);
    Effect::new(move |_| {
        let _ = conv.with(|c| {
            c.as_ref().map(|c| (c.messages.len(), c.pending.len(), c.pending_notes.len(), c.visitor_typing))
        });
        if let Some(el) = log.get() {
            if stick.get_value() {
                el.set_scroll_top(el.scroll_height());
            }
        }
    });
    let typing_line = {
        let template = strings.typing.clone();
        move || Strings::fill(&template, &[("name", &get(Conversation::visitor_name))])
    };
    let s = strings.clone();
    let author = move |a: Author| match a {
        Author::Visitor => s.visitor.clone(),
        Author::Agent => s.agent.clone(),
        Author::System => s.system.clone(),
        Author::Note => s.note.clone(),
    };
    let (bot_word, visitor_word) = (strings.bot.clone(), strings.visitor.clone());
    let sending = strings.sending.clone();
    let you = strings.you.clone();
    let (note_sending, note_word) = (strings.sending.clone(), strings.note.clone());
    let (transfer_label, end_label) = (strings.transfer.clone(), strings.end_chat.clone());
    let (panel_strings, composer_strings) = (strings.clone(), strings.clone());
    let (file_strings, upload_strings, drop_text) =
        (strings.clone(), strings.clone(), strings.drop_files.clone());
    // Files the agent sends: by the composer's button, a paste, or a drop
    // anywhere on the conversation.
    let outgoing = Sending::new(id);
    let on_files = Callback::new(move |files: Vec<web_sys::File>| {
        for f in files {
            outgoing.start(f);
        }
    });
    let dragging = RwSignal::new(false);
    view! {
        <section class="conversation" class:dragging=move || dragging.get() aria-labelledby="conversation-title"
            data-testid="conversation" data-conversation=id.to_string()
            on:dragover=move |ev: leptos::ev::DragEvent| {
                // Only files: text dragged into the composer drops as usual.
                if open.get_untracked() && file_views::carries_files(ev.data_transfer()) {
                    ev.prevent_default();
                    dragging.set(true);
                }
            }
            on:dragleave=move |ev: leptos::ev::DragEvent| {
                // Moving over a child is no leaving.
                if !file_views::still_inside(&ev) {
                    dragging.set(false);
                }
            }
            on:drop=move |ev: leptos::ev::DragEvent| {
                dragging.set(false);
                let files = file_views::files_of(ev.data_transfer());
                if open.get_untracked() && !files.is_empty() {
                    ev.prevent_default();
                    on_files.run(files);
                }
            }>
            <p class="drop-hint" aria-hidden="true" hidden=move || !dragging.get()>{drop_text}</p>
            <header class="conversation-head">
                <h2 id="conversation-title" data-testid="conversation-title">{move || get(Conversation::visitor_name)}</h2>
                <span class="state" data-testid="state">{state}</span>
                <div class="conversation-actions">
                    <button type="button" class="secondary" data-testid="download" on:click=download>{strings.download.clone()}</button>
                    <Show when=move || open.get()>
                        <button type="button" class="secondary" data-testid="transfer" aria-expanded=move || transferring.get().to_string()
                            on:click=move |_| transferring.update(|t| *t = !*t)>{transfer_label.clone()}</button>
                        <button type="button" class="danger" data-testid="end-chat" on:click=move |_| actions.end.run(id)>{end_label.clone()}</button>
                    </Show>
                </div>
            </header>
            <Show when=move || transferring.get() && open.get()>
                <TransferPanel strings=panel_strings.clone() on_close=Callback::new(move |()| transferring.set(false))
                    on_transfer=Callback::new(move |to| { transferring.set(false); actions.transfer.run((id, to)); }) />
            </Show>
            // Focusable, so an agent on the keyboard can scroll back through a long chat.
            <div class="messages" role="log" tabindex="0" aria-label=strings.conversation.clone() data-testid="messages"
                node_ref=log on:scroll=move |_| {
                    if let Some(el) = log.get_untracked() {
                        stick.set_value(el.scroll_top() + el.client_height() >= el.scroll_height() - 40);
                    }
                }>
                {(!transcript.is_empty()).then(|| view! { <p class="divider">{strings.bot_part.clone()}</p> })}
                {transcript.into_iter().map(|e| {
                    let (class, who, text) = match e {
                        Entry::Bot { text, .. } => ("msg bot", bot_word.clone(), text),
                        Entry::Visitor { text, .. } => ("msg visitor", visitor_word.clone(), text),
                    };
                    view! { <div class=class data-testid="transcript-line"><span class="who">{who}</span><p class="text">{text}</p></div> }
                }).collect_view()}
                <p class="divider">{strings.live_part.clone()}</p>
                <For each=move || conv.with(|c| c.as_ref().map(|c| c.messages.clone()).unwrap_or_default())
                    key=|m| m.seq
                    children=move |m: ChatMessage| {
                        let class = match m.author {
                            Author::Visitor => "msg visitor",
                            Author::Agent => "msg agent",
                            Author::System => "msg system",
                            Author::Note => "msg note",
                        };
                        let body = match m.file {
                            Some(file) => view! { <p class="text"><FileLink file strings=file_strings.clone() /></p> }.into_any(),
                            None => view! { <p class="text">{m.text}</p> }.into_any(),
                        };
                        view! {
                            <div class=class data-testid="message" data-seq=m.seq.to_string()>
                                <span class="who">{author(m.author)}</span>
                                <time datetime=m.at.clone()>{notify::clock(&m.at)}</time>
                                {body}
                            </div>
                        }
                    } />
                <For each=move || conv.with(|c| c.as_ref().map(|c| c.pending.clone()).unwrap_or_default())
                    key=|p| p.client_id.clone()
                    children=move |p| view! {
                        <div class="msg agent pending" data-testid="pending">
                            <span class="who">{you.clone()}</span>
                            <p class="text">{p.text}</p>
                            <span class="muted">{sending.clone()}</span>
                        </div>
                    } />
                <For each=move || conv.with(|c| c.as_ref().map(|c| c.pending_notes.clone()).unwrap_or_default())
                    key=|p| p.client_id.clone()
                    children=move |p| view! {
                        <div class="msg note pending" data-testid="pending-note">
                            <span class="who">{note_word.clone()}</span>
                            <p class="text">{p.text}</p>
                            <span class="muted">{note_sending.clone()}</span>
                        </div>
                    } />
            </div>
            <UploadList sending=outgoing strings=upload_strings />
            <p class="typing" aria-live="polite" data-testid="visitor-typing">
                {move || conv.with(|c| c.as_ref().is_some_and(|c| c.visitor_typing)).then(typing_line.clone())}
            </p>
            <Show when=move || open.get() fallback={
                let (ended, fell_back) = (strings.ended.clone(), strings.fell_back.clone());
                move || {
                    let text = if conv.with(|c| c.as_ref().and_then(|c| c.state)) == Some(ConversationState::Fallback) {
                        fell_back.clone()
                    } else {
                        ended.clone()
                    };
                    view! { <p class="muted" role="status" data-testid="ended">{text}</p> }
                }
            }>
                <Composer id name=Signal::derive(move || get(Conversation::visitor_name))
                    attributes=Signal::derive(move || conv.with(|c| c.as_ref().map(|c| c.attributes.clone()).unwrap_or_default()))
                    strings=composer_strings.clone() actions on_files />
            </Show>
        </section>
    }
}

/// The reply box: Enter sends, Shift+Enter is a new line (not while an
/// input method composes); typing is reported once per burst. Its second
/// mode writes a private note: marked as such, and no typing is reported,
/// so the visitor sees nothing of it. `/` at the start (or the Responses
/// button) opens the canned response picker, which the arrows, Enter, Tab
/// and Escape drive while it is open.
#[component]
fn Composer(
    id: i64,
    name: Signal<String>,
    attributes: Signal<Attributes>,
    strings: Strings,
    actions: Actions,
    on_files: Callback<Vec<web_sys::File>>,
) -> impl IntoView {
    let draft = RwSignal::new(String::new());
    let attach = NodeRef::<leptos::html::Input>::new();
    let picker = RwSignal::new(Picker::default());
    let loaded = RwSignal::new(Loaded::Loading);
    canned_views::load(id, loaded);
    // Each time it opens, the list is read again (an admin may have added
    // one since); what was there stays meanwhile.
    Effect::new(move |was_open: Option<bool>| {
        let open = picker.with(|p| p.open);
        if open && was_open == Some(false) {
            canned_views::load(id, loaded);
        }
        open
    });
    let note = RwSignal::new(false);
    // The other mode's draft: text typed as a note never goes out as a
    // reply because the mode was switched, nor the other way round.
    let other = StoredValue::new(String::new());
    let reported = StoredValue::new(false);
    let keys = StoredValue::new(0u32);
    let typing = move |now: bool| {
        keys.update_value(|k| *k = k.wrapping_add(1));
        if reported.get_value() != now {
            reported.set_value(now);
            actions.typing.run((id, now));
        }
        if now {
            let at = keys.get_value();
            let quiet = Closure::once_into_js(move || {
                if keys.try_get_value() == Some(at) && reported.try_get_value() == Some(true) {
                    reported.set_value(false);
                    actions.typing.run((id, false));
                }
            });
            if let Some(w) = web_sys::window() {
                let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(quiet.unchecked_ref(), 3000);
            }
        }
    };
    // Leaving the conversation mid-word: the visitor must not see "typing…" forever.
    on_cleanup(move || {
        if reported.try_get_value() == Some(true) {
            actions.typing.run((id, false));
        }
    });
    let submit = move || {
        let text = draft.get_untracked();
        if text.trim().is_empty() {
            return;
        }
        if note.get_untracked() {
            actions.note.run((id, text.trim().to_owned()));
        } else {
            actions.send.run((id, text.trim().to_owned()));
        }
        typing(false);
        draft.set(String::new());
        picker.update(|p| p.draft_changed(""));
    };
    let label = {
        let (reply, note_to) = (strings.reply_to.clone(), strings.note_to.clone());
        move || Strings::fill(if note.get() { &note_to } else { &reply }, &[("name", &name.get())])
    };
    let placeholder = {
        let hint = strings.note_hint.clone();
        move || note.get().then(|| hint.clone())
    };
    let submit_label = {
        let (send, add) = (strings.send.clone(), strings.add_note.clone());
        move || if note.get() { add.clone() } else { send.clone() }
    };
    let insert = move |chosen: CannedView| {
        let now = draft.get_untracked();
        let next = picker.try_update(|p| attributes.with_untracked(|a| p.choose(&now, &chosen, a)));
        if let Some(next) = next {
            if !note.get_untracked() {
                typing(!next.is_empty());
            }
            picker.update(|p| p.draft_changed(&next));
            draft.set(next);
        }
        crate::app::focus_composer();
    };
    let offered = move || {
        picker.with_untracked(|p| {
            loaded.with_untracked(|l| {
                l.list().map(|all| p.offered(Some(all))).map(|o| o.into_iter().cloned().collect::<Vec<_>>())
            })
        })
    };
    let active_option = move || {
        if !picker.with(|p| p.open) {
            return None;
        }
        let active = picker.with(|p| p.active);
        picker.with(|p| loaded.with(|l| p.offered(l.list()).get(active).map(|c| canned_views::option_id(c))))
    };
    // Switching modes: a reply's typing stops being reported.
    let set_mode = move |to: bool| {
        if to == note.get_untracked() {
            crate::app::focus_composer();
            return;
        }
        if to {
            typing(false);
        }
        let kept = other.get_value();
        other.set_value(draft.get_untracked());
        picker.update(|p| {
            p.close();
            p.draft_changed(&kept);
        });
        draft.set(kept);
        note.set(to);
        crate::app::focus_composer();
    };
    view! {
        <form class="composer" class:note=move || note.get() data-testid="composer-form"
            on:submit=move |ev| { ev.prevent_default(); submit(); }>
            <div class="composer-mode" role="group" aria-label=strings.compose_as.clone()>
                <button type="button" class="mode" data-testid="mode-reply" aria-pressed=move || (!note.get()).to_string()
                    on:click=move |_| set_mode(false)>{strings.compose_reply.clone()}</button>
                <button type="button" class="mode" data-testid="mode-note" aria-pressed=move || note.get().to_string()
                    on:click=move |_| set_mode(true)>{strings.compose_note.clone()}</button>
                <button type="button" class="mode canned-button" data-testid="canned-button"
                    aria-expanded=move || picker.with(|p| p.open).to_string() aria-controls="canned-picker"
                    on:mousedown=|ev| ev.prevent_default()
                    on:click=move |_| {
                        let now = draft.get_untracked();
                        picker.update(|p| p.toggle(&now));
                        crate::app::focus_composer();
                    }>{strings.canned_button.clone()}</button>
                <button type="button" class="mode attach" data-testid="attach"
                    on:click=move |_| { if let Some(i) = attach.get() { i.click(); } }>{strings.attach.clone()}</button>
                <input type="file" multiple hidden tabindex="-1" aria-label=strings.attach.clone() node_ref=attach data-testid="attach-input"
                    on:change=move |ev| {
                        let input: web_sys::HtmlInputElement = event_target(&ev);
                        if let Some(list) = input.files() {
                            on_files.run((0..list.length()).filter_map(|i| list.get(i)).collect());
                        }
                        // The same file may be chosen again.
                        input.set_value("");
                    } />
            </div>
            <CannedPicker picker loaded strings=strings.clone() on_choose=Callback::new(insert) />
            <label for="composer" class="sr-only">{label}</label>
            <textarea id="composer" rows="2" data-testid="composer" maxlength=MAX_MESSAGE_CHARS.to_string()
                placeholder=placeholder
                aria-controls="canned-list" aria-autocomplete="list" aria-activedescendant=active_option
                prop:value=move || draft.get()
                on:input=move |ev| {
                    let v = event_target_value(&ev);
                    if !note.get_untracked() {
                        typing(!v.is_empty());
                    }
                    picker.update(|p| p.draft_changed(&v));
                    draft.set(v);
                }
                on:blur=move |_| picker.update(|p| if p.by_button { p.close() })
                on:paste=move |ev: leptos::ev::ClipboardEvent| {
                    let files = file_views::files_of(ev.clipboard_data());
                    if !files.is_empty() {
                        ev.prevent_default();
                        on_files.run(files);
                    }
                }
                on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                    if ev.is_composing() || ev.key_code() == 229 {
                        return;
                    }
                    // Shift+Enter is a new line, Shift+Tab moves back: not the picker's.
                    if !(ev.shift_key() && matches!(ev.key().as_str(), "Enter" | "Tab")) {
                        let list = offered();
                        let key = picker.try_update(|p| p.key(&ev.key(), list.as_ref().map(Vec::len)));
                        match key {
                            Some(canned::Key::Handled) => {
                                ev.prevent_default();
                                return;
                            }
                            Some(canned::Key::Choose) => {
                                ev.prevent_default();
                                let active = picker.with_untracked(|p| p.active);
                                if let Some(c) = list.and_then(|l| l.get(active).cloned()) {
                                    insert(c);
                                }
                                return;
                            }
                            _ => {}
                        }
                    }
                    if ev.key() == "Enter" && !ev.shift_key() {
                        ev.prevent_default();
                        submit();
                    }
                }></textarea>
            <button type="submit" data-testid="send">{submit_label}</button>
        </form>
    }
}

/// Choose an available agent or a team to hand the chat to.
#[component]
fn TransferPanel(
    strings: Strings,
    on_close: Callback<()>,
    on_transfer: Callback<TransferTarget>,
) -> impl IntoView {
    let colleagues = RwSignal::new(None::<Colleagues>);
    let choice = RwSignal::new(String::new());
    leptos::task::spawn_local(async move {
        let list = crate::api::colleagues().await.unwrap_or_default();
        let _ = colleagues.try_set(Some(list));
    });
    let not_available = strings.not_available.clone();
    let options = move || {
        colleagues.get().map(|c| {
            let agents = c
                .agents
                .into_iter()
                .map(|a| {
                    let label =
                        if a.available { a.name.clone() } else { format!("{} ({})", a.name, not_available) };
                    view! { <option value=format!("agent:{}", a.email) disabled=!a.available>{label}</option> }
                })
                .collect_view();
            let teams = c
                .teams
                .into_iter()
                .map(|t| view! { <option value=format!("team:{t}")>{t.clone()}</option> })
                .collect_view();
            (agents, teams)
        })
    };
    let confirm = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let picked = choice.get_untracked();
        let target = if let Some(email) = picked.strip_prefix("agent:") {
            TransferTarget::Agent { email: email.to_owned() }
        } else if let Some(name) = picked.strip_prefix("team:") {
            TransferTarget::Team { name: name.to_owned() }
        } else {
            return;
        };
        on_transfer.run(target);
    };
    let (agents_label, teams_label) = (strings.transfer_agents.clone(), strings.transfer_teams.clone());
    view! {
        <form class="transfer" data-testid="transfer-panel" on:submit=confirm>
            <label for="transfer-to">{strings.transfer_to.clone()}</label>
            <select id="transfer-to" data-testid="transfer-to" on:change=move |ev| choice.set(event_target_value(&ev))>
                <option value="">"—"</option>
                {move || options().map(|(agents, teams)| view! {
                    <optgroup label=agents_label.clone()>{agents}</optgroup>
                    <optgroup label=teams_label.clone()>{teams}</optgroup>
                })}
            </select>
            <button type="submit" data-testid="transfer-confirm" disabled=move || choice.with(String::is_empty)>{strings.transfer_confirm.clone()}</button>
            <button type="button" class="secondary" on:click=move |_| on_close.run(())>{strings.cancel.clone()}</button>
        </form>
    }
}

/// What is known about the visitor, "-" where nothing is.
#[component]
pub fn VisitorPanel(
    /// The conversation on screen.
    #[prop(into)]
    conv: Signal<Option<Conversation>>,
    /// UI strings.
    strings: Strings,
) -> impl IntoView {
    let title = strings.visitor_details.clone();
    let rows = move || {
        let s = &strings;
        conv.with(|c| {
            let c = c.as_ref()?;
            let attr = |k: &str| c.attributes.get(k).cloned().unwrap_or_default();
            let name = [attr("first_name"), attr("last_name")]
                .into_iter()
                .filter(|p| !p.trim().is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            let language =
                if c.page.language.is_empty() { attr("language") } else { c.page.language.clone() };
            let fields = [
                ("name", s.name.clone(), name),
                ("job_title", s.job_title.clone(), attr("job_title")),
                ("email", s.email.clone(), attr("email")),
                ("phone", s.phone.clone(), attr("phone")),
                ("company", s.company.clone(), attr("company")),
                ("page_url", s.page_url.clone(), c.page.url.clone()),
                ("referrer", s.referrer.clone(), c.page.referrer.clone()),
                ("language", s.language.clone(), language),
                ("first_seen", s.first_seen.clone(), notify::date_time(&c.first_seen)),
            ];
            let unknown = s.unknown.clone();
            Some(
                fields
                    .into_iter()
                    .map(|(key, label, value)| {
                        let value = if value.trim().is_empty() { unknown.clone() } else { value };
                        view! {
                            <dt>{label}</dt>
                            <dd data-field=key>{value}</dd>
                        }
                    })
                    .collect_view(),
            )
        })
    };
    view! {
        <section class="visitor-panel" aria-labelledby="visitor-title" data-testid="visitor-panel">
            <h2 id="visitor-title">{title}</h2>
            <dl>{rows}</dl>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchboard_protocol::site::Locale;

    /// A list row says when the last message is a private note, for the
    /// agent's own chats and the past ones alike.
    #[test]
    fn a_rows_line_marks_a_private_note() {
        let s = Strings::for_locale(Locale::En);
        let mut c = Conversation { id: 7, ..Conversation::default() };
        let message = |author, text: &str| ChatMessage {
            seq: 1,
            author,
            client_id: None,
            text: text.into(),
            at: String::new(),
            file: None,
        };
        c.messages = vec![message(Author::Visitor, "Hi")];
        assert_eq!(Row::mine(&c, &s).line, "Hi");
        c.messages = vec![message(Author::Note, "VIP")];
        assert_eq!(Row::mine(&c, &s).line, "Private note: VIP");
        let mut past = ConversationSummary {
            id: 7,
            site: "demo".into(),
            state: ConversationState::Ended,
            agent_id: None,
            agent_name: None,
            attributes: Default::default(),
            page: Default::default(),
            last_seq: 1,
            created_at: String::new(),
            last_activity: String::new(),
            preview: Some("VIP".into()),
            preview_note: true,
        };
        assert_eq!(Row::past(&past, &s).line, "Private note: VIP");
        past.preview_note = false;
        assert_eq!(Row::past(&past, &s).line, "VIP");
    }
}
