//! Where the console is: every view has an address in the URL's fragment
//! (`#/sites/acme`), so the back button, a reload and a bookmark all work,
//! and nothing of it reaches the server's logs.

/// A view of the console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// The first-run page with its one-time token (`#setup=TOKEN`).
    Setup(String),
    /// Every site.
    Sites,
    /// One site's settings, snippet and appearance.
    Site(String),
    /// Every agent, with who is online.
    Agents,
    /// Teams and their members.
    Teams,
    /// The shared canned responses.
    Canned,
    /// A site's routing rules, account routes and the "try it" panel.
    Routing(String),
    /// A site's streams.
    Streams(String),
    /// The designer open on a site's stream (site key, stream id).
    Designer(String, String),
    /// Every conversation, with the filters in the fragment's query.
    Conversations(String),
    /// One conversation.
    Conversation(i64),
    /// Reports, with their days and site in the fragment's query.
    Reports(String),
}

impl Route {
    /// The view at `hash` (`location.hash`, with or without its `#`);
    /// anything unknown is the site list.
    pub fn parse(hash: &str) -> Self {
        let hash = hash.strip_prefix('#').unwrap_or(hash);
        if let Some(token) = hash.strip_prefix("setup=") {
            return Route::Setup(token.to_owned());
        }
        let (path, query) = hash.split_once('?').unwrap_or((hash, ""));
        let parts: Vec<String> = path.split('/').filter(|p| !p.is_empty()).map(decode).collect();
        match parts.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
            ["sites", key] => Route::Site((*key).to_owned()),
            ["sites", key, "routing"] => Route::Routing((*key).to_owned()),
            ["sites", key, "streams"] => Route::Streams((*key).to_owned()),
            ["sites", key, "streams", id] => Route::Designer((*key).to_owned(), (*id).to_owned()),
            ["agents"] => Route::Agents,
            ["teams"] => Route::Teams,
            ["canned"] => Route::Canned,
            ["conversations"] => Route::Conversations(query.to_owned()),
            ["reports"] => Route::Reports(query.to_owned()),
            ["conversations", id] => {
                id.parse().map(Route::Conversation).unwrap_or(Route::Conversations(String::new()))
            }
            _ => Route::Sites,
        }
    }

    /// Its address, for links (`#/sites/acme`).
    pub fn href(&self) -> String {
        match self {
            Route::Setup(token) => format!("#setup={token}"),
            Route::Sites => "#/sites".to_owned(),
            Route::Site(key) => format!("#/sites/{}", encode(key)),
            Route::Routing(key) => format!("#/sites/{}/routing", encode(key)),
            Route::Streams(key) => format!("#/sites/{}/streams", encode(key)),
            Route::Designer(key, id) => format!("#/sites/{}/streams/{}", encode(key), encode(id)),
            Route::Agents => "#/agents".to_owned(),
            Route::Teams => "#/teams".to_owned(),
            Route::Canned => "#/canned".to_owned(),
            Route::Conversations(q) if q.is_empty() => "#/conversations".to_owned(),
            Route::Conversations(q) => format!("#/conversations?{q}"),
            Route::Conversation(id) => format!("#/conversations/{id}"),
            Route::Reports(q) if q.is_empty() => "#/reports".to_owned(),
            Route::Reports(q) => format!("#/reports?{q}"),
        }
    }

    /// The section of the navigation it belongs to.
    pub fn section(&self) -> Section {
        match self {
            Route::Setup(_) | Route::Sites | Route::Site(_) => Section::Sites,
            Route::Routing(_) => Section::Routing,
            Route::Streams(_) | Route::Designer(..) => Section::Streams,
            Route::Agents => Section::Agents,
            Route::Teams => Section::Teams,
            Route::Canned => Section::Canned,
            Route::Conversations(_) | Route::Conversation(_) => Section::Conversations,
            Route::Reports(_) => Section::Reports,
        }
    }

    /// The site it is about, if any.
    pub fn site(&self) -> Option<&str> {
        match self {
            Route::Site(k) | Route::Routing(k) | Route::Streams(k) | Route::Designer(k, _) => Some(k),
            _ => None,
        }
    }
}

/// The navigation's sections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// Sites: settings, snippet, appearance.
    Sites,
    /// Agents.
    Agents,
    /// Teams.
    Teams,
    /// Canned responses.
    Canned,
    /// Routing rules and account routes (per site).
    Routing,
    /// Streams (per site).
    Streams,
    /// Conversations.
    Conversations,
    /// Reports.
    Reports,
}

/// Percent-encodes what is not safe in a fragment's path segment.
pub fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Undoes [`encode`] (and `+` stays `+`); a malformed escape stays as it is.
pub fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_reads_back_from_its_address() {
        for r in [
            Route::Setup("abc_-1".into()),
            Route::Sites,
            Route::Site("acme".into()),
            Route::Site("a b/c".into()),
            Route::Routing("acme".into()),
            Route::Streams("acme".into()),
            Route::Designer("acme".into(), "sales-2".into()),
            Route::Agents,
            Route::Teams,
            Route::Canned,
            Route::Conversations(String::new()),
            Route::Conversations("state=active&q=refund".into()),
            Route::Conversation(42),
            Route::Reports(String::new()),
            Route::Reports("from=2026-11-01&by=week".into()),
        ] {
            assert_eq!(Route::parse(&r.href()), r, "{}", r.href());
        }
    }

    #[test]
    fn unknown_addresses_show_the_sites() {
        for h in ["", "#", "#/", "#/nope", "#/sites/a/b/c", "#/conversations/x1"] {
            let r = Route::parse(h);
            assert!(matches!(r, Route::Sites | Route::Conversations(_)), "{h}: {r:?}");
        }
        assert_eq!(Route::parse("#/conversations/x1"), Route::Conversations(String::new()));
    }

    #[test]
    fn site_views_know_their_site_and_section() {
        assert_eq!(Route::Routing("acme".into()).site(), Some("acme"));
        assert_eq!(Route::Routing("acme".into()).section(), Section::Routing);
        assert_eq!(Route::Conversation(1).section(), Section::Conversations);
        assert_eq!(Route::Agents.site(), None);
    }
}
