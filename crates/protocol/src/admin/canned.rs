//! Canned responses: replies an agent inserts by shortcut (`/` in the
//! composer, or the composer's button). Shared ones are an admin's: for
//! every agent, or only on one site's conversations, or only for one
//! team's members, or both. Personal ones are an agent's own, for their
//! eyes only. Their text may hold tokens (`{{first_name:"there"}}`), filled
//! from the visitor's details as they are inserted.
//!
//! One request body serves both: an admin's (`/api/admin/canned`) and an
//! agent's own (`/api/canned/mine`, where `site` and `team` are refused).

use serde::{Deserialize, Serialize};

use super::requests::Checker;
use super::{DisplayName, InvalidRequest};
use crate::site::SiteKey;
use crate::wire::MAX_MESSAGE_CHARS;

/// The longest shortcut, in characters.
pub const MAX_SHORTCUT_CHARS: usize = 32;
/// The most canned responses one owner keeps: the admins' shared ones
/// together, or one agent's personal ones.
pub const MAX_CANNED_PER_OWNER: usize = 500;

/// A canned response as the console lists it and the inbox's picker offers
/// it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CannedView {
    /// Stable id.
    pub id: i64,
    /// What follows `/` to pick it (lower case, no spaces).
    pub shortcut: String,
    /// The text, tokens unfilled.
    pub text: String,
    /// Only on this site's conversations (shared ones; null: every site).
    #[serde(default)]
    pub site: Option<String>,
    /// Only for this team's members (shared ones; null: every agent).
    #[serde(default)]
    pub team: Option<String>,
    /// An agent's own (only they see it).
    #[serde(default)]
    pub personal: bool,
}

/// `POST /api/admin/canned`, `PUT /api/admin/canned/{id}` (an admin's
/// shared response), `POST /api/canned/mine`, `PUT /api/canned/mine/{id}`
/// (an agent's own: without `site` and `team`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CannedRequest {
    /// What follows `/` to pick it: letters, digits, `-` and `_`, up to 32
    /// (a leading `/` is dropped, capitals made small).
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 33))]
    pub shortcut: String,
    /// The text, with tokens such as `{{first_name:"there"}}`.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 4000, pattern = "\\S"))]
    pub text: String,
    /// Only on this site's conversations (its key).
    #[serde(default)]
    pub site: Option<String>,
    /// Only for this team's members (its name).
    #[serde(default)]
    pub team: Option<String>,
}

/// A [`CannedRequest`] that passed its check.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidCanned {
    /// The shortcut, lower case.
    pub shortcut: String,
    /// The text, trimmed.
    pub text: String,
    /// The site it is limited to.
    pub site: Option<SiteKey>,
    /// The team it is limited to.
    pub team: Option<DisplayName>,
}

/// Checks a shortcut: `/` dropped, made lower case, 1 to
/// [`MAX_SHORTCUT_CHARS`] letters, digits, `-` or `_`.
pub fn parse_shortcut(raw: &str) -> Result<String, String> {
    let s = raw.trim();
    let s = s.strip_prefix('/').unwrap_or(s).to_lowercase();
    if s.is_empty() {
        return Err("write a shortcut, such as hello".into());
    }
    if s.chars().count() > MAX_SHORTCUT_CHARS {
        return Err(format!("at most {MAX_SHORTCUT_CHARS} characters"));
    }
    if !s.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_') {
        return Err("only letters, digits, - and _ (no spaces)".into());
    }
    Ok(s)
}

/// Checks a response's text: not blank, at most a message's length, and
/// its tokens well formed.
pub fn check_text(raw: &str) -> Result<String, String> {
    let t = raw.trim();
    if t.is_empty() {
        return Err("write the response".into());
    }
    let chars = t.chars().count();
    if chars > MAX_MESSAGE_CHARS {
        return Err(format!("{chars} characters; at most {MAX_MESSAGE_CHARS}, as a message"));
    }
    crate::text::parse(t).map_err(|e| e.to_string())?;
    Ok(t.to_owned())
}

impl CannedRequest {
    /// Checks every field of a shared response.
    pub fn check(&self) -> Result<ValidCanned, InvalidRequest> {
        let mut c = Checker::default();
        let shortcut = c.one("shortcut", parse_shortcut(&self.shortcut));
        let text = c.one("text", check_text(&self.text));
        let site = c.optional("site", self.site.as_deref().filter(|s| !s.trim().is_empty()), SiteKey::parse);
        let team =
            c.optional("team", self.team.as_deref().filter(|t| !t.trim().is_empty()), DisplayName::parse);
        match (shortcut, text, site, team) {
            (Some(shortcut), Some(text), Some(site), Some(team)) => {
                Ok(ValidCanned { shortcut, text, site, team })
            }
            _ => Err(c.refusal()),
        }
    }

    /// Checks every field of an agent's own response (which names no site
    /// or team: it is theirs wherever they chat).
    pub fn check_personal(&self) -> Result<ValidCanned, InvalidRequest> {
        let mut c = Checker::default();
        let shortcut = c.one("shortcut", parse_shortcut(&self.shortcut));
        let text = c.one("text", check_text(&self.text));
        let mut scoped = false;
        if self.site.as_deref().is_some_and(|s| !s.trim().is_empty()) {
            c.refuse("site", "a personal response is for every site");
            scoped = true;
        }
        if self.team.as_deref().is_some_and(|t| !t.trim().is_empty()) {
            c.refuse("team", "a personal response is yours, not a team's");
            scoped = true;
        }
        match (shortcut, text) {
            (Some(shortcut), Some(text)) if !scoped => {
                Ok(ValidCanned { shortcut, text, site: None, team: None })
            }
            _ => Err(c.refusal()),
        }
    }
}

/// The responses `query` (what follows `/`) picks, best first: shortcuts
/// that start with it, then shortcuts that contain it, then texts that
/// contain it (without case); within each, by shortcut, an agent's own
/// before a shared one. An empty query picks all.
pub fn matching<'a>(all: &'a [CannedView], query: &str) -> Vec<&'a CannedView> {
    let q = query.trim().to_lowercase();
    let mut ranked: Vec<(u8, &CannedView)> = all
        .iter()
        .filter_map(|c| {
            let rank = if c.shortcut.starts_with(&q) {
                0
            } else if c.shortcut.contains(&q) {
                1
            } else if c.text.to_lowercase().contains(&q) {
                2
            } else {
                return None;
            };
            Some((rank, c))
        })
        .collect();
    ranked.sort_by(|(ra, a), (rb, b)| {
        ra.cmp(rb).then_with(|| a.shortcut.cmp(&b.shortcut)).then_with(|| b.personal.cmp(&a.personal))
    });
    ranked.into_iter().map(|(_, c)| c).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(id: i64, shortcut: &str, text: &str, personal: bool) -> CannedView {
        CannedView { id, shortcut: shortcut.into(), text: text.into(), site: None, team: None, personal }
    }

    #[test]
    fn a_shortcut_drops_its_slash_and_capitals_and_refuses_spaces() {
        assert_eq!(parse_shortcut(" /Hello "), Ok("hello".into()));
        assert_eq!(parse_shortcut("prix-été_2"), Ok("prix-été_2".into()));
        assert!(parse_shortcut("").is_err());
        assert!(parse_shortcut("/").is_err());
        assert!(parse_shortcut("two words").is_err());
        assert!(parse_shortcut(&"a".repeat(MAX_SHORTCUT_CHARS + 1)).is_err());
        assert!(parse_shortcut(&"a".repeat(MAX_SHORTCUT_CHARS)).is_ok());
    }

    #[test]
    fn a_request_names_every_bad_field() {
        let bad = CannedRequest {
            shortcut: "two words".into(),
            text: "Hi {{nickname}}".into(),
            site: Some("NO KEY".into()),
            team: Some(" ".into()),
        };
        let e = bad.check().unwrap_err();
        assert!(e.names("shortcut") && e.names("text") && e.names("site"), "{e}");
        assert!(!e.names("team"), "a blank team is no team: {e}");
        let ok = CannedRequest {
            shortcut: "/Hi".into(),
            text: "  Hi {{first_name:\"there\"}}! ".into(),
            site: Some("demo".into()),
            team: Some("Sales".into()),
        };
        let v = ok.check().unwrap();
        assert_eq!((v.shortcut.as_str(), v.text.as_str()), ("hi", "Hi {{first_name:\"there\"}}!"));
        assert_eq!(v.site.unwrap().as_str(), "demo");
        let e = ok.check_personal().unwrap_err();
        assert!(e.names("site") && e.names("team"), "{e}");
        let too_long = CannedRequest { shortcut: "x".into(), text: "é".repeat(MAX_MESSAGE_CHARS + 1), ..ok };
        assert!(too_long.check().unwrap_err().names("text"));
    }

    #[test]
    fn matching_ranks_shortcut_prefixes_then_contents_then_text() {
        let all = vec![
            view(1, "price", "Our plans start at 10 EUR.", false),
            view(2, "hello", "Hi {{first_name}}!", false),
            view(3, "shipping-price", "Shipping is free.", false),
            view(4, "bye", "Thanks, and have a good price day", false),
            view(5, "price", "My own price answer", true),
        ];
        let ids = |q: &str| matching(&all, q).iter().map(|c| c.id).collect::<Vec<_>>();
        assert_eq!(ids("PRI"), vec![5, 1, 3, 4]);
        assert_eq!(ids(""), vec![4, 2, 5, 1, 3]);
        assert_eq!(ids("free"), vec![3]);
        assert!(ids("nothing").is_empty());
    }
}
