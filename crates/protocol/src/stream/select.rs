//! Which of a site's streams runs on a page: the highest-priority stream whose
//! target patterns match the page's path and whose exclusions do not.

use super::Stream;

/// Whether `path` matches `pattern`, where `*` matches any run of characters
/// (including none and `/`) and everything else matches itself.
pub fn matches(pattern: &str, path: &str) -> bool {
    let (p, s) = (pattern.as_bytes(), path.as_bytes());
    // The literal runs between `*`s must appear in order: the first at the
    // start, the last at the end, each middle one at its leftmost place after
    // the one before (leftmost is never worse). Linear-ish, no backtracking,
    // no regex engine in the widget.
    let mut parts = p.split(|&b| b == b'*');
    let first = parts.next().unwrap_or_default();
    let Some(last) = parts.next_back() else {
        return p == s;
    };
    if s.len() < first.len() + last.len() || s[..first.len()] != *first {
        return false;
    }
    let end = s.len() - last.len();
    if s[end..] != *last {
        return false;
    }
    let mut pos = first.len();
    for mid in parts.filter(|m| !m.is_empty()) {
        // Leftmost occurrence in s[pos..end]: scan for the first byte, then compare.
        loop {
            let Some(at) = s[pos..end].iter().position(|&b| b == mid[0]) else {
                return false;
            };
            let start = pos + at;
            if end - start < mid.len() {
                return false;
            }
            if s[start..start + mid.len()] == *mid {
                pos = start + mid.len();
                break;
            }
            pos = start + 1;
        }
    }
    true
}

/// The path of a page URL (`https://shop.example/pricing?x=1#top` →
/// `/pricing`); patterns match paths, never hosts, queries or fragments.
/// A bare path is returned as is, without its query and fragment.
pub fn path_of(url: &str) -> &str {
    // Query and fragment first: they may themselves contain `://` or `/`.
    let url = &url[..url.find(['?', '#']).unwrap_or(url.len())];
    let is_scheme = |s: &str| {
        s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && s.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    };
    let path = match url.find("://") {
        Some(i) if is_scheme(&url[..i]) => {
            let after = &url[i + 3..];
            after.find('/').map_or("", |j| &after[j..])
        }
        _ => url,
    };
    if path.is_empty() {
        "/"
    } else {
        path
    }
}

/// The stream to run on the page at `url` (a full URL or a path).
pub fn select_for_url<'a, S: AsRef<Stream>>(streams: &'a [S], url: &str) -> Option<&'a S> {
    select(streams, path_of(url))
}

/// Whether `stream` runs on the page at `path`.
pub fn applies(stream: &Stream, path: &str) -> bool {
    stream.targets.iter().any(|t| matches(t, path)) && !stream.exclude.iter().any(|e| matches(e, path))
}

/// The stream to run on `path`: the highest priority among those that apply;
/// on a tie, the first in the given order.
pub fn select<'a, S: AsRef<Stream>>(streams: &'a [S], path: &str) -> Option<&'a S> {
    let mut best: Option<&S> = None;
    for s in streams.iter().filter(|s| applies(s.as_ref(), path)) {
        if best.is_none_or(|b| s.as_ref().priority > b.as_ref().priority) {
            best = Some(s);
        }
    }
    best
}

impl AsRef<Stream> for Stream {
    fn as_ref(&self) -> &Stream {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream(id: &str, priority: i32, targets: &[&str], exclude: &[&str]) -> Stream {
        Stream {
            id: id.into(),
            name: id.into(),
            priority,
            targets: targets.iter().map(|s| s.to_string()).collect(),
            exclude: exclude.iter().map(|s| s.to_string()).collect(),
            locale: Default::default(),
            cards: vec![],
            version: 0,
        }
    }

    #[test]
    fn wildcards_match_any_run_of_characters() {
        assert!(matches("/pricing*", "/pricing"));
        assert!(matches("/pricing*", "/pricing/team"));
        assert!(matches("*", "/"));
        assert!(matches("/docs/*/api", "/docs/v2/api"));
        assert!(!matches("/pricing*", "/about/pricing"));
        assert!(!matches("/docs/*/api", "/docs/v2/api/x"));
        assert!(matches("/a*b*c", "/aXbYbZc"));
    }

    #[test]
    fn the_highest_priority_matching_stream_wins_and_exclusions_apply() {
        let streams = vec![
            stream("general", 0, &["*"], &[]),
            stream("pricing", 10, &["/pricing*"], &["/pricing/enterprise"]),
            stream("docs", 5, &["/docs*"], &[]),
        ];
        assert_eq!(select(&streams, "/pricing/team").unwrap().id, "pricing");
        assert_eq!(select(&streams, "/pricing/enterprise").unwrap().id, "general");
        assert_eq!(select(&streams, "/docs/x").unwrap().id, "docs");
        assert_eq!(select(&streams, "/").unwrap().id, "general");
        assert!(select(&streams[1..], "/").is_none());
    }

    #[test]
    fn a_full_url_is_matched_by_its_path_only() {
        assert_eq!(path_of("https://shop.example.com/pricing/team?utm_source=x#plans"), "/pricing/team");
        assert_eq!(path_of("https://shop.example.com"), "/");
        assert_eq!(path_of("/docs?q=1"), "/docs");
        assert_eq!(path_of("https://shop.example?next=/pricing"), "/");
        assert_eq!(path_of("https://shop.example#/pricing"), "/");
        assert_eq!(path_of("/login?return=https://x.example/pricing"), "/login");
        let streams = vec![stream("general", 0, &["*"], &[]), stream("pricing", 10, &["/pricing*"], &[])];
        assert_eq!(select_for_url(&streams, "https://x.example/pricing?plan=team").unwrap().id, "pricing");
        assert_eq!(select_for_url(&streams, "https://x.example/?next=/pricing").unwrap().id, "general");
    }

    #[test]
    fn on_equal_priority_the_first_listed_wins() {
        let streams = vec![stream("a", 1, &["*"], &[]), stream("b", 1, &["*"], &[])];
        assert_eq!(select(&streams, "/x").unwrap().id, "a");
    }
}
