//! The composer's canned response picker, as plain data: when it opens
//! (`/` at the start of a reply, or its button), what it offers for the
//! query, how the keys move through it, and the reply once one is chosen
//! (tokens filled from the visitor's details). The view renders it; the
//! tests drive it.

use switchboard_protocol::admin::{matching, CannedView};
use switchboard_protocol::attribute::Attributes;

/// What the composer's keys do while the picker is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// The key is the picker's: the composer does nothing else with it.
    Handled,
    /// Insert the highlighted response (Enter, Tab).
    Choose,
    /// Not the picker's: the composer handles it as usual.
    Pass,
}

/// The picker's state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Picker {
    /// Whether it is showing.
    pub open: bool,
    /// Opened by its button: what is chosen is added to the draft, which
    /// does not start with `/`.
    pub by_button: bool,
    /// What filters it: what follows `/` (empty when opened by the button).
    pub query: String,
    /// The highlighted one, an index into what matches.
    pub active: usize,
    /// Closed with Escape: it stays closed until the draft stops starting
    /// with `/`.
    dismissed: bool,
}

/// The query a draft asks for: what follows a `/` it starts with, up to
/// any white space (`None` without the slash, or once there is a space: a
/// reply that only starts with a slash).
pub fn slash_query(draft: &str) -> Option<&str> {
    let rest = draft.strip_prefix('/')?;
    (!rest.contains(char::is_whitespace)).then_some(rest)
}

impl Picker {
    /// The draft is now `draft`: `/…` opens it (unless dismissed), other
    /// text closes one the slash opened.
    /// (Called wherever the draft changes: typing, sending, switching
    /// between reply and note.)
    pub fn draft_changed(&mut self, draft: &str) {
        match slash_query(draft) {
            Some(q) => {
                if q != self.query || self.by_button {
                    self.active = 0;
                }
                self.query = q.to_owned();
                self.by_button = false;
                self.open = !self.dismissed;
            }
            None => {
                // Typing on with the list open by the button: they write
                // rather than pick, and Enter must send what they wrote.
                self.dismissed = false;
                self.open = false;
                self.by_button = false;
                self.query.clear();
            }
        }
    }

    /// The button: opens it over the draft as it is (until the agent types
    /// on), or closes it.
    pub fn toggle(&mut self, draft: &str) {
        if self.open {
            self.close();
            return;
        }
        self.dismissed = false;
        match slash_query(draft) {
            Some(q) => {
                self.query = q.to_owned();
                self.by_button = false;
            }
            None => {
                self.query.clear();
                self.by_button = true;
            }
        }
        self.active = 0;
        self.open = true;
    }

    /// Closes it (Escape, a click elsewhere, a choice).
    pub fn close(&mut self) {
        if self.open && !self.by_button {
            self.dismissed = true;
        }
        self.open = false;
        self.by_button = false;
        self.active = 0;
    }

    /// What it offers from `all` (`None` while they load), best first.
    pub fn offered<'a>(&self, all: Option<&'a [CannedView]>) -> Vec<&'a CannedView> {
        all.map(|all| matching(all, &self.query)).unwrap_or_default()
    }

    /// A key pressed in the composer while `offered` are offered (`None`
    /// while they load).
    pub fn key(&mut self, key: &str, offered: Option<usize>) -> Key {
        if !self.open {
            return Key::Pass;
        }
        let n = offered.unwrap_or(0);
        match key {
            "ArrowDown" if n > 0 => {
                self.active = (self.active + 1) % n;
                Key::Handled
            }
            "ArrowUp" if n > 0 => {
                self.active = (self.active + n - 1) % n;
                Key::Handled
            }
            "Home" if n > 0 => {
                self.active = 0;
                Key::Handled
            }
            "End" if n > 0 => {
                self.active = n - 1;
                Key::Handled
            }
            "Escape" => {
                self.close();
                Key::Handled
            }
            "Enter" | "Tab" if n > 0 => Key::Choose,
            // Still loading: Enter must not send `/pri` to the visitor.
            "Enter" if offered.is_none() => Key::Handled,
            _ => Key::Pass,
        }
    }

    /// The draft once `chosen` is inserted into `draft`, its tokens
    /// filled from `attributes`: it replaces a `/…` draft, and follows any
    /// other text (after a space). Closes the picker.
    pub fn choose(&mut self, draft: &str, chosen: &CannedView, attributes: &Attributes) -> String {
        let text = switchboard_protocol::text::render(&chosen.text, attributes);
        let next = if slash_query(draft).is_some() || draft.trim().is_empty() {
            text
        } else if draft.ends_with(char::is_whitespace) {
            format!("{draft}{text}")
        } else {
            format!("{draft} {text}")
        };
        self.open = false;
        self.by_button = false;
        self.dismissed = false;
        self.active = 0;
        self.query.clear();
        next
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(id: i64, shortcut: &str, text: &str) -> CannedView {
        CannedView {
            id,
            shortcut: shortcut.into(),
            text: text.into(),
            site: None,
            team: None,
            personal: false,
        }
    }

    fn all() -> Vec<CannedView> {
        vec![
            view(1, "hello", r#"Hi {{first_name:"there"}}, how can I help?"#),
            view(2, "price", "Plans start at 10 EUR."),
            view(3, "shipping", "Shipping: no prices over 50 EUR."),
        ]
    }

    fn type_in(p: &mut Picker, draft: &str) {
        p.draft_changed(draft);
    }

    #[test]
    fn a_slash_at_the_start_opens_it_filtered_by_what_follows() {
        let all = all();
        let mut p = Picker::default();
        type_in(&mut p, "Hi /");
        assert!(!p.open, "a slash later in a reply is text");
        type_in(&mut p, "/");
        assert!(p.open);
        assert_eq!(p.offered(Some(&all)).len(), 3);
        type_in(&mut p, "/pri");
        let ids: Vec<i64> = p.offered(Some(&all)).iter().map(|c| c.id).collect();
        assert_eq!(ids, [2, 3], "shortcut first, then text");
        type_in(&mut p, "/pri ");
        assert!(!p.open, "a space: the agent meant a slash");
        type_in(&mut p, "");
        assert!(!p.open);
    }

    #[test]
    fn arrows_move_round_enter_chooses_and_fills_the_tokens() {
        let all = all();
        let mut p = Picker::default();
        type_in(&mut p, "/");
        let n = Some(p.offered(Some(&all)).len());
        assert_eq!(p.key("ArrowUp", n), Key::Handled);
        assert_eq!(p.active, 2, "up from the first is the last");
        assert_eq!(p.key("ArrowDown", n), Key::Handled);
        assert_eq!(p.active, 0);
        assert_eq!(p.key("End", n), Key::Handled);
        assert_eq!(p.key("Home", n), Key::Handled);
        assert_eq!(p.key("x", n), Key::Pass, "typing goes on in the composer");
        assert_eq!(p.key("Enter", n), Key::Choose);
        let chosen = p.offered(Some(&all))[p.active].clone();
        let attrs: Attributes = [("first_name".to_owned(), "Jo".to_owned())].into();
        assert_eq!(p.choose("/", &chosen, &attrs), "Hi Jo, how can I help?");
        assert!(!p.open);
        let unknown = Attributes::default();
        let mut p = Picker::default();
        type_in(&mut p, "/hel");
        assert_eq!(p.choose("/hel", &chosen, &unknown), "Hi there, how can I help?");
    }

    #[test]
    fn escape_closes_it_until_the_slash_is_gone_and_enter_waits_for_the_list() {
        let all = all();
        let mut p = Picker::default();
        type_in(&mut p, "/pr");
        assert_eq!(p.key("Enter", None), Key::Handled, "still loading: nothing is sent");
        assert_eq!(p.key("Escape", Some(2)), Key::Handled);
        assert!(!p.open);
        type_in(&mut p, "/pri");
        assert!(!p.open, "dismissed: the agent wants the slash");
        assert_eq!(p.key("Enter", Some(2)), Key::Pass, "closed: Enter sends");
        type_in(&mut p, "");
        type_in(&mut p, "/");
        assert!(p.open, "a new slash opens it again");
        p.key("Escape", Some(2));
        // Sent as typed: the composer is empty again, and a slash opens it.
        type_in(&mut p, "");
        type_in(&mut p, "/");
        assert!(p.open, "dismissed until the draft changed");
        type_in(&mut p, "/nothing");
        assert!(p.offered(Some(&all)).is_empty());
        assert_eq!(p.key("Enter", Some(0)), Key::Pass, "nothing matches: Enter sends as typed");
    }

    #[test]
    fn the_button_adds_the_choice_after_the_draft() {
        let all = all();
        let mut p = Picker::default();
        p.toggle("Thanks for waiting");
        assert!(p.open && p.by_button);
        type_in(&mut p, "Thanks for waiting.");
        assert!(!p.open, "typing on closes it: Enter sends what was written");
        p.toggle("Thanks for waiting.");
        assert_eq!(p.offered(Some(&all)).len(), 3);
        let chosen = all[1].clone();
        assert_eq!(
            p.choose("Thanks for waiting.", &chosen, &Attributes::default()),
            "Thanks for waiting. Plans start at 10 EUR."
        );
        p.toggle("");
        assert_eq!(p.choose("", &chosen, &Attributes::default()), "Plans start at 10 EUR.");
        p.toggle("");
        p.toggle("");
        assert!(!p.open, "the button closes it too");
        p.toggle("/sh");
        assert!(!p.by_button);
        assert_eq!(p.offered(Some(&all)).iter().map(|c| c.id).collect::<Vec<_>>(), [3]);
    }
}
