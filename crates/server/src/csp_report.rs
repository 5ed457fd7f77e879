//! `POST /api/csp-report`: where browsers report what a Content-Security-Policy
//! blocked, on the inbox and on host pages that use our policy's
//! `report-uri`. Each violation is logged (warn) and counted, and the last
//! few are kept in memory (tests read them), reduced to what says which rule
//! broke: the directive, what was blocked and the documents' origins, never
//! paths or query strings (a host page's URL can carry a visitor's email).
//!
//! Both report formats are read: `application/csp-report` (CSP2's
//! `report-uri`, what browsers send today) and `application/reports+json`
//! (the Reporting API's `report-to`).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use serde_json::Value;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// The endpoint's path.
pub const REPORT_PATH: &str = "/api/csp-report";

/// Largest report body read (a report is well under 2 KB; the Reporting API
/// batches a few).
pub const MAX_REPORT_BYTES: usize = 16 * 1024;

/// How many violations [`CspReports::recent`] keeps.
const KEPT: usize = 20;

/// One reported violation, without personal data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The directive that blocked it (`script-src-elem`, `connect-src`, …).
    pub directive: String,
    /// What was blocked: an origin, or a keyword (`inline`, `eval`, `data`, …).
    pub blocked: String,
    /// The origin of the page it happened on.
    pub document: String,
    /// The origin of the script that caused it, when known.
    pub source: Option<String>,
    /// Its line there, when known.
    pub line: Option<u64>,
}

/// The violations received since the server started.
#[derive(Clone, Default)]
pub struct CspReports(Arc<Mutex<Kept>>);

#[derive(Default)]
struct Kept {
    count: u64,
    recent: VecDeque<Violation>,
}

impl CspReports {
    /// How many violations were reported.
    pub fn count(&self) -> u64 {
        self.lock().count
    }

    /// The last few, oldest first.
    pub fn recent(&self) -> Vec<Violation> {
        self.lock().recent.iter().cloned().collect()
    }

    fn add(&self, v: Violation) {
        tracing::warn!(
            directive = %v.directive,
            blocked = %v.blocked,
            document = %v.document,
            source = v.source.as_deref().unwrap_or("-"),
            line = v.line.unwrap_or(0),
            "content security policy violation"
        );
        let mut kept = self.lock();
        kept.count += 1;
        if kept.recent.len() == KEPT {
            kept.recent.pop_front();
        }
        kept.recent.push_back(v);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Kept> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// `POST /api/csp-report`: 204 for a report in either format (also one that
/// holds no violation: browsers do not retry), 415 for anything else.
pub async fn receive(State(reports): State<CspReports>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let kind = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let kind = kind.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    if !matches!(kind.as_str(), "application/csp-report" | "application/reports+json" | "application/json") {
        return StatusCode::UNSUPPORTED_MEDIA_TYPE;
    }
    let Ok(json) = serde_json::from_slice::<Value>(&body) else { return StatusCode::BAD_REQUEST };
    for v in violations(&json) {
        reports.add(v);
    }
    StatusCode::NO_CONTENT
}

/// The violations in a report of either format.
fn violations(json: &Value) -> Vec<Violation> {
    if let Some(report) = json.get("csp-report") {
        let text = |key: &str| report.get(key).and_then(Value::as_str).unwrap_or_default();
        let directive = if text("effective-directive").is_empty() {
            text("violated-directive")
        } else {
            text("effective-directive")
        };
        return vec![Violation {
            directive: keyword(directive.split(' ').next().unwrap_or_default()),
            blocked: blocked(text("blocked-uri")),
            document: origin(text("document-uri")),
            source: Some(origin(text("source-file"))).filter(|s| !s.is_empty()),
            line: report.get("line-number").and_then(Value::as_u64),
        }];
    }
    let reports = json.as_array().map(Vec::as_slice).unwrap_or_default();
    reports
        .iter()
        .filter(|r| r.get("type").and_then(Value::as_str) == Some("csp-violation"))
        .filter_map(|r| r.get("body"))
        .take(KEPT)
        .map(|body| {
            let text = |key: &str| body.get(key).and_then(Value::as_str).unwrap_or_default();
            Violation {
                directive: keyword(text("effectiveDirective")),
                blocked: blocked(text("blockedURL")),
                document: origin(text("documentURL")),
                source: Some(origin(text("sourceFile"))).filter(|s| !s.is_empty()),
                line: body.get("lineNumber").and_then(Value::as_u64),
            }
        })
        .collect()
}

/// `s` when it is a short keyword (`inline`, `script-src-elem`), else `?`.
fn keyword(s: &str) -> String {
    let plain = s.len() <= 40 && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'-');
    if plain {
        s.to_owned()
    } else {
        "?".to_owned()
    }
}

/// A blocked URL's origin, or the keyword browsers report instead of one.
fn blocked(s: &str) -> String {
    if s.contains("://") {
        origin(s)
    } else {
        keyword(s.split(':').next().unwrap_or_default())
    }
}

/// `scheme://host:port` of `url`, without user info, path or query; empty
/// when there is none.
fn origin(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return String::new() };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit('@').next().unwrap_or_default();
    let plain = host.len() <= 100 && host.bytes().all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b));
    format!("{}://{}", keyword(scheme), if plain { host } else { "?" })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_csp2_report_keeps_the_directive_and_origins_only() {
        let report = json!({ "csp-report": {
            "document-uri": "https://shop.example/account?email=lin@example.org",
            "violated-directive": "script-src-elem",
            "effective-directive": "script-src-elem",
            "blocked-uri": "https://evil.example/x.js?session=secret",
            "source-file": "https://user:pw@shop.example/app.js",
            "line-number": 12,
        }});
        assert_eq!(
            violations(&report),
            [Violation {
                directive: "script-src-elem".into(),
                blocked: "https://evil.example".into(),
                document: "https://shop.example".into(),
                source: Some("https://shop.example".into()),
                line: Some(12),
            }]
        );
    }

    #[test]
    fn a_reporting_api_batch_gives_its_csp_violations() {
        let batch = json!([
            { "type": "csp-violation", "url": "https://x.example/a", "body": {
                "documentURL": "https://x.example/a?b", "effectiveDirective": "style-src-attr",
                "blockedURL": "inline", "disposition": "enforce" } },
            { "type": "deprecation", "body": { "id": "x" } },
        ]);
        let found = violations(&batch);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].directive.as_str(), found[0].blocked.as_str()), ("style-src-attr", "inline"));
        assert_eq!(found[0].document, "https://x.example");
        assert_eq!(found[0].source, None);
    }

    #[test]
    fn odd_values_are_not_kept_as_they_came() {
        assert_eq!(keyword("<script>alert(1)</script>"), "?");
        assert_eq!(blocked("data:image/png;base64,AAAA"), "data");
        assert_eq!(origin("not a url"), "");
        assert_eq!(origin("https://a.example\nforged log line/x"), "https://?");
    }
}
