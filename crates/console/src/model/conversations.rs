//! The conversation list's filters, kept in the view's address
//! (`#/conversations?state=active&q=refund`) so a filtered list can be
//! bookmarked and the back button undoes a filter.

use crate::model::route::{decode, encode};

/// The filters, as typed (empty: any).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Site key.
    pub site: String,
    /// Conversation state.
    pub state: String,
    /// Agent email.
    pub agent: String,
    /// Team name.
    pub team: String,
    /// From this day (`YYYY-MM-DD`).
    pub from: String,
    /// Up to this day.
    pub to: String,
    /// Words in the transcript.
    pub q: String,
}

impl Filter {
    fn pairs(&self) -> [(&'static str, &str); 7] {
        [
            ("site", &self.site),
            ("state", &self.state),
            ("agent", &self.agent),
            ("team", &self.team),
            ("from", &self.from),
            ("to", &self.to),
            ("q", &self.q),
        ]
    }

    /// The filters read from a query string (unknown keys ignored).
    pub fn parse(query: &str) -> Self {
        let mut f = Self::default();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let v = decode(&v.replace('+', " "));
            match k {
                "site" => f.site = v,
                "state" => f.state = v,
                "agent" => f.agent = v,
                "team" => f.team = v,
                "from" => f.from = v,
                "to" => f.to = v,
                "q" => f.q = v,
                _ => {}
            }
        }
        f
    }

    /// The query string of the filters that are set.
    pub fn query(&self) -> String {
        self.pairs()
            .iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(k, v)| format!("{k}={}", encode(v.trim())))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// The API address of the page after `cursor` (none: the first).
    pub fn api_url(&self, cursor: Option<&str>) -> String {
        let mut q = self.query();
        if let Some(c) = cursor {
            if !q.is_empty() {
                q.push('&');
            }
            q.push_str(&format!("cursor={}", encode(c)));
        }
        if q.is_empty() {
            "/api/admin/conversations".to_owned()
        } else {
            format!("/api/admin/conversations?{q}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_read_back_from_their_query() {
        let f = Filter {
            site: "acme".into(),
            state: "active".into(),
            agent: "ada@example.com".into(),
            team: "Sales & Support".into(),
            from: "2026-11-01".into(),
            to: "2026-11-30".into(),
            q: "refund \"now\" AND(".into(),
        };
        assert_eq!(Filter::parse(&f.query()), f);
        assert_eq!(Filter::default().query(), "");
        assert_eq!(Filter::parse("q=a+b&bogus=1").q, "a b");
    }

    #[test]
    fn the_api_address_carries_filters_and_cursor() {
        let f = Filter { state: "ended".into(), ..Filter::default() };
        assert_eq!(f.api_url(None), "/api/admin/conversations?state=ended");
        assert_eq!(f.api_url(Some("x y")), "/api/admin/conversations?state=ended&cursor=x%20y");
        assert_eq!(Filter::default().api_url(Some("c")), "/api/admin/conversations?cursor=c");
    }
}
