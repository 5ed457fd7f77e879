//! The stream designer's requests and views: a draft per stream saved as
//! the admin works (with a revision, so two tabs or two admins never
//! silently overwrite each other), publishing a draft with a release note,
//! and the release history with what each release changed.
//!
//! A draft is a whole [`Stream`], which need not be publishable yet (that is
//! what a draft is for): [`SaveDraft::check`] only bounds its size and ties
//! it to the stream id it is saved under. Publishing runs the validator,
//! whose findings come back as [`StreamFinding`]s, each naming its card,
//! field and rule.

use serde::{Deserialize, Serialize};

use super::{ErrorDetail, FieldError, InvalidRequest};
use crate::stream::validate::{valid_id, Finding};
use crate::stream::{Stream, MAX_CARDS, MAX_ID};

/// Largest draft, as JSON (bytes): the size of the largest stream file.
pub const MAX_DRAFT_BYTES: usize = 256 * 1024;
/// Most cards in a draft: twice what can be published, so a draft can be
/// over the limit while the admin trims it, but not absurdly.
pub const MAX_DRAFT_CARDS: usize = 2 * MAX_CARDS;
/// Longest release note, in characters.
pub const MAX_NOTE_CHARS: usize = 500;

/// `GET|PUT /api/admin/sites/{key}/streams/{id}/draft`: a stream's draft.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DraftView {
    /// The stream as the admin left it (its `version` is always 0; see
    /// `published_version`).
    pub stream: Stream,
    /// Counts the saves (and publishes that replaced the draft); 0 for a
    /// published stream that has no draft yet (its published form is
    /// answered). A save names the revision it started from.
    pub revision: u64,
    /// When it was saved (unix ms).
    pub saved_at: i64,
    /// Who saved it (the agent's name); empty from the command line or for
    /// a stream published before drafts were kept.
    pub saved_by: String,
    /// The version now published, if the stream is published.
    #[serde(default)]
    pub published_version: Option<u32>,
}

/// `PUT /api/admin/sites/{key}/streams/{id}/draft`: saves the draft.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SaveDraft {
    /// The whole stream; its `id` must be the one in the path, its
    /// `version` is ignored.
    pub stream: Stream,
    /// The revision this edit started from: the stored one, or the save is
    /// refused (`draft_conflict`) and nothing changes. 0 starts a draft of
    /// a new stream, or of a published stream without one.
    pub base_revision: u64,
}

impl SaveDraft {
    /// Checks that the draft can be kept under stream id `id` (not that it
    /// could be published): the id is valid and is the stream's own, and it
    /// has at most [`MAX_DRAFT_CARDS`] cards. (Its size as JSON, at most
    /// [`MAX_DRAFT_BYTES`], is the server's to measure.)
    pub fn check(&self, id: &str) -> Result<(), InvalidRequest> {
        let mut problems = Vec::new();
        check_id(&mut problems, id);
        if self.stream.id != id {
            let message = format!("is {:?}; the draft is saved as stream {id:?}", self.stream.id);
            problems.push(FieldError::new("stream.id", message));
        }
        if self.stream.cards.len() > MAX_DRAFT_CARDS {
            let message = format!("{} cards; a draft has at most {MAX_DRAFT_CARDS}", self.stream.cards.len());
            problems.push(FieldError::new("stream.cards", message));
        }
        refused(problems)
    }
}

/// `Err` with the problems, if there are any.
fn refused(fields: Vec<FieldError>) -> Result<(), InvalidRequest> {
    if fields.is_empty() {
        Ok(())
    } else {
        Err(InvalidRequest { fields })
    }
}

/// Refuses a stream id in the path that no stream could have.
fn check_id(problems: &mut Vec<FieldError>, id: &str) {
    if !valid_id(id) {
        let message = format!("a stream id is 1 to {MAX_ID} characters of A-Z, a-z, 0-9, '-' or '_'");
        problems.push(FieldError::new("id", message));
    }
}

/// A stream id from a path: refused by field `id` when no stream could have it.
pub fn check_stream_id(id: &str) -> Result<(), InvalidRequest> {
    let mut problems = Vec::new();
    check_id(&mut problems, id);
    refused(problems)
}

/// `POST /api/admin/sites/{key}/streams/{id}/publish`: publishes the draft
/// as the stream's next version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PublishDraft {
    /// The draft's revision the admin sees: what is published is exactly
    /// that, or the publish is refused (`draft_conflict`).
    pub base_revision: u64,
    /// The release note (may be empty).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 500))]
    pub note: String,
}

impl PublishDraft {
    /// Checks the note.
    pub fn check(&self) -> Result<(), InvalidRequest> {
        let mut problems = Vec::new();
        check_note(&mut problems, &self.note);
        refused(problems)
    }
}

/// Refuses a release note that is too long or has control characters.
fn check_note(problems: &mut Vec<FieldError>, note: &str) {
    let len = note.chars().count();
    if len > MAX_NOTE_CHARS {
        problems.push(FieldError::new("note", format!("{len} characters; at most {MAX_NOTE_CHARS}")));
    } else if note.chars().any(|ch| ch.is_control() && ch != '\n') {
        problems.push(FieldError::new("note", "has a control character"));
    }
}

/// `POST /api/admin/sites/{key}/streams/{id}/releases/{version}/restore`:
/// publishes an earlier release again, as the next version.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RestoreRelease {
    /// The new release's note; "Restored version N" when absent.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 500))]
    pub note: Option<String>,
}

impl RestoreRelease {
    /// Checks the note.
    pub fn check(&self) -> Result<(), InvalidRequest> {
        let mut problems = Vec::new();
        if let Some(note) = &self.note {
            check_note(&mut problems, note);
        }
        refused(problems)
    }

    /// The note the restore of `version` is published with.
    pub fn note_for(&self, version: u32) -> String {
        self.note.clone().unwrap_or_else(|| format!("Restored version {version}"))
    }
}

/// `GET /api/admin/sites/{key}/streams/{id}/releases`: one release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReleaseView {
    /// The version it published.
    pub version: u32,
    /// When (unix ms).
    pub published_at: i64,
    /// Who (the agent's name); empty from the command line or for a
    /// release from before the history was kept.
    pub published_by: String,
    /// Their email; empty likewise.
    #[serde(default)]
    pub published_by_email: String,
    /// The release note.
    pub note: String,
    /// The cards it added, removed and changed since the release before
    /// (every card for the first).
    pub changes: CardChanges,
    /// Whether the name, targets, exclusions, priority or locale changed.
    pub settings_changed: bool,
}

/// Cards, by id, that differ between two releases.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CardChanges {
    /// Cards that are new, in the stream's order.
    pub added: Vec<String>,
    /// Cards that are gone, in the earlier stream's order.
    pub removed: Vec<String>,
    /// Cards whose content changed, in the stream's order.
    pub changed: Vec<String>,
}

impl CardChanges {
    /// What `after` changed since `before` (every card added when there
    /// was nothing before). Cards are matched by id.
    pub fn between(before: Option<&Stream>, after: &Stream) -> Self {
        let Some(before) = before else {
            return Self { added: after.cards.iter().map(|c| c.id.clone()).collect(), ..Self::default() };
        };
        let mut changes = Self::default();
        for card in &after.cards {
            match before.card(&card.id) {
                None => changes.added.push(card.id.clone()),
                Some(old) if old != card => changes.changed.push(card.id.clone()),
                Some(_) => {}
            }
        }
        changes.removed =
            before.cards.iter().filter(|c| after.card(&c.id).is_none()).map(|c| c.id.clone()).collect();
        changes
    }

    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// Whether a stream's settings (name, targets, exclusions, priority,
/// locale) differ from those of `before` (false when there was nothing
/// before).
pub fn settings_changed(before: Option<&Stream>, after: &Stream) -> bool {
    before.is_some_and(|b| {
        (&b.name, &b.targets, &b.exclude, b.priority, b.locale)
            != (&after.name, &after.targets, &after.exclude, after.priority, after.locale)
    })
}

/// One thing the validator found in a draft, as the admin API answers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StreamFinding {
    /// The card it is about; none for the stream as a whole.
    #[serde(default)]
    pub card: Option<String>,
    /// The field it is about (`text`, `next`, `answers.next`, …), if any.
    #[serde(default)]
    pub field: Option<String>,
    /// The rule (`after_live_chat`, `missing_card`, `no_terminal`, …).
    pub rule: String,
    /// What is wrong, for a person (the validator's words).
    pub message: String,
}

impl std::fmt::Display for StreamFinding {
    /// `card ID: message` (`stream: message` when it is about no card), as
    /// a stream file's errors read after their position.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.card {
            Some(card) => write!(f, "card {card}: {}", self.message),
            None => write!(f, "stream: {}", self.message),
        }
    }
}

impl From<&Finding> for StreamFinding {
    fn from(f: &Finding) -> Self {
        Self {
            card: f.card.clone(),
            field: f.field.map(str::to_owned),
            rule: f.rule.name().to_owned(),
            message: f.message.clone(),
        }
    }
}

/// The body of a 409 `draft_conflict`: the refusal and the draft as it is
/// now stored (a save or publish named an older revision; nothing changed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DraftConflict {
    /// `draft_conflict`, with a message for a person.
    pub error: ErrorDetail,
    /// The draft now stored, with its revision.
    pub draft: DraftView,
}

/// The body of a 422 `invalid_stream` from publishing a draft: the refusal
/// (`details` has each finding as `card ID: message`) and the findings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvalidDraft {
    /// `invalid_stream`, with a message for a person.
    pub error: ErrorDetail,
    /// Every error the validator found, each on its card and field.
    pub findings: Vec<StreamFinding>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stream::{Card, CardKind, Routing};

    fn stream(cards: &[(&str, &str)]) -> Stream {
        Stream {
            id: "s".into(),
            name: "S".into(),
            priority: 0,
            targets: vec!["*".into()],
            exclude: vec![],
            locale: Default::default(),
            cards: cards
                .iter()
                .map(|(id, text)| Card {
                    id: (*id).into(),
                    kind: CardKind::Message { text: (*text).into(), next: None },
                })
                .collect(),
            version: 0,
        }
    }

    #[test]
    fn changes_match_cards_by_id_and_compare_their_content() {
        let before = stream(&[("a", "A"), ("b", "B"), ("c", "C")]);
        let after = stream(&[("c", "C"), ("a", "A2"), ("d", "D")]);
        let changes = CardChanges::between(Some(&before), &after);
        assert_eq!(changes.added, ["d"]);
        assert_eq!(changes.removed, ["b"]);
        assert_eq!(changes.changed, ["a"]);
        assert!(!settings_changed(Some(&before), &after));
        assert!(CardChanges::between(Some(&after), &after).is_empty());
    }

    #[test]
    fn the_first_release_adds_every_card_and_changes_no_setting() {
        let s = stream(&[("a", "A"), ("b", "B")]);
        assert_eq!(CardChanges::between(None, &s).added, ["a", "b"]);
        assert!(!settings_changed(None, &s));
    }

    #[test]
    fn settings_are_name_targets_exclusions_priority_and_locale() {
        let s = stream(&[("a", "A")]);
        for change in [
            |s: &mut Stream| s.name = "T".into(),
            |s: &mut Stream| s.targets = vec!["/pricing".into()],
            |s: &mut Stream| s.exclude = vec!["/admin".into()],
            |s: &mut Stream| s.priority = 3,
            |s: &mut Stream| s.locale = crate::site::Locale::Nl,
        ] {
            let mut after = s.clone();
            change(&mut after);
            assert!(settings_changed(Some(&s), &after), "{after:?}");
        }
        let republished = Stream { version: 9, ..s.clone() };
        assert!(!settings_changed(Some(&s), &republished));
    }

    #[test]
    fn a_draft_is_checked_for_its_id_and_size_not_for_being_publishable() {
        let mut s = stream(&[]);
        let ok = SaveDraft { stream: s.clone(), base_revision: 0 };
        assert_eq!(ok.check("s"), Ok(()));
        assert!(ok.check("t").unwrap_err().names("stream.id"));
        assert!(ok.check("no spaces").unwrap_err().names("id"));
        let live_chat = CardKind::LiveChat { routing: Routing::RoundRobin, text: None, next: None };
        s.cards = vec![Card { id: "x".into(), kind: live_chat }; MAX_DRAFT_CARDS + 1];
        let huge = SaveDraft { stream: s, base_revision: 0 };
        assert!(huge.check("s").unwrap_err().names("stream.cards"));
    }

    #[test]
    fn a_note_is_at_most_500_characters_without_control_characters() {
        let note = |n: &str| PublishDraft { base_revision: 1, note: n.into() }.check();
        assert_eq!(note(""), Ok(()));
        assert_eq!(note("Line one\nline two"), Ok(()));
        assert!(note(&"é".repeat(MAX_NOTE_CHARS)).is_ok());
        assert!(note(&"é".repeat(MAX_NOTE_CHARS + 1)).unwrap_err().names("note"));
        assert!(note("bell\u{7}").unwrap_err().names("note"));
        assert_eq!(RestoreRelease::default().note_for(3), "Restored version 3");
        let given = RestoreRelease { note: Some("Back to the spring one".into()) };
        assert_eq!(given.note_for(3), "Back to the spring one");
    }

    #[test]
    fn a_finding_names_its_rule_in_snake_case() {
        let mut s = stream(&[("chat", "")]);
        s.cards[0].kind =
            CardKind::LiveChat { routing: Routing::RoundRobin, text: None, next: Some("chat".into()) };
        let report = crate::stream::validate::check(&s);
        let found: Vec<StreamFinding> = report.errors.iter().map(StreamFinding::from).collect();
        let after = found.iter().find(|f| f.rule == "after_live_chat").expect("after_live_chat");
        assert_eq!((after.card.as_deref(), after.field.as_deref()), (Some("chat"), Some("next")));
    }
}
