//! The console's routing tools for a site: a dry run of routing ("try
//! it"), the order of its custom rules, and its account routes as CSV.
//!
//! - [`RoutingTry`] → [`RoutingTryView`]: whom a visitor like this would be
//!   offered to right now, decided by the very code a hand-off runs, on what
//!   is stored and who is connected now; nothing is offered or stored.
//! - [`RuleOrder`]: every rule of a site once, highest priority first.
//! - [`parse_account_routes_csv`] / [`account_routes_csv`]: the account
//!   routes as `domain,agent_email` lines.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

use super::{
    AccountRouteView, DisplayName, Email, EmailDomain, FieldError, InvalidRequest, ValidAccountRoute,
};
use crate::attribute::{check_value, Attribute, Attributes, InputKind};
use crate::rules::{known_field, Target};
use crate::stream::Routing;
use crate::wire::{PageContext, TransferTarget};

/// Longest `page_url` or `referrer` of a try, in characters.
pub const MAX_TRY_URL_CHARS: usize = 2000;

/// Longest `language` of a try (a BCP 47 tag), in characters.
pub const MAX_TRY_LANGUAGE_CHARS: usize = 35;

/// Most attributes or UTM parameters in a try.
pub const MAX_TRY_ENTRIES: usize = 50;

/// `POST /api/admin/sites/{key}/routing/try`: a visitor as routing sees
/// them at a live chat card, to route without a conversation. Fields are
/// named as in data capture and rules (`email`, `company`, `custom:plan`,
/// `utm_source`, …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoutingTry {
    /// The live chat card's routing option.
    pub routing: Routing,
    /// What the stream captured: attribute → value (empty: unknown).
    #[serde(default)]
    pub attributes: Attributes,
    /// The page the visitor is on.
    #[serde(default)]
    pub page_url: String,
    /// Where they came from.
    #[serde(default)]
    pub referrer: String,
    /// Their browser's language (`nl-NL`).
    #[serde(default)]
    pub language: String,
    /// The page's UTM parameters: `utm_source` → `newsletter`, ….
    #[serde(default)]
    pub utm: BTreeMap<String, String>,
}

/// A [`RoutingTry`] that passed its check: what a hand-off would carry.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidRoutingTry {
    /// The live chat card's routing option (a named agent's email normalized).
    pub routing: Routing,
    /// Known attributes with checked values (empty ones left out).
    pub attributes: Attributes,
    /// Page URL, referrer, language and UTM parameters.
    pub page: PageContext,
}

fn at_most_chars(max: usize) -> impl Fn(&str) -> Result<String, String> {
    move |raw| {
        let v = raw.trim();
        if v.chars().count() > max {
            Err(format!("at most {max} characters"))
        } else {
            Ok(v.to_owned())
        }
    }
}

impl RoutingTry {
    /// Checks every field: the routing option's agent email or team name,
    /// attribute names and values (an `email` must be an email), the page's
    /// lengths and UTM names. Each problem is named by its field
    /// (`attributes.email`, `utm.utm_x`, …).
    pub fn check(&self) -> Result<ValidRoutingTry, InvalidRequest> {
        let mut problems = Vec::new();
        let mut bad = |field: String, message: String| problems.push(FieldError::new(field, message));
        let routing = match &self.routing {
            Routing::Agent(raw) => match Email::parse(raw) {
                Ok(e) => Routing::Agent(e.into()),
                Err(e) => {
                    bad("routing".into(), e.to_string());
                    Routing::Agent(raw.clone())
                }
            },
            Routing::Team(raw) => match DisplayName::parse(raw) {
                Ok(t) => Routing::Team(t.into()),
                Err(_) => {
                    bad("routing".into(), "a team routing names a team".into());
                    Routing::Team(raw.clone())
                }
            },
            other => other.clone(),
        };
        if self.attributes.len() > MAX_TRY_ENTRIES {
            bad("attributes".into(), format!("at most {MAX_TRY_ENTRIES} attributes"));
        }
        let mut attributes = Attributes::new();
        for (name, raw) in &self.attributes {
            let kind = match Attribute::parse(name) {
                Err(e) => {
                    bad("attributes".into(), e.to_string());
                    continue;
                }
                Ok(Attribute::Email) => InputKind::Email,
                Ok(Attribute::Phone) => InputKind::Phone,
                Ok(_) => InputKind::Text,
            };
            match check_value(kind, &[], false, raw) {
                Ok(v) if v.is_empty() => {}
                Ok(v) => {
                    attributes.insert(name.clone(), v);
                }
                Err(e) => bad(format!("attributes.{name}"), e.to_string()),
            }
        }
        let mut text = |field: &str, raw: &str, max: usize| match at_most_chars(max)(raw) {
            Ok(v) => v,
            Err(e) => {
                bad(field.to_owned(), e);
                String::new()
            }
        };
        let url = text("page_url", &self.page_url, MAX_TRY_URL_CHARS);
        let referrer = text("referrer", &self.referrer, MAX_TRY_URL_CHARS);
        let language = text("language", &self.language, MAX_TRY_LANGUAGE_CHARS);
        if self.utm.len() > MAX_TRY_ENTRIES {
            problems.push(FieldError::new("utm", format!("at most {MAX_TRY_ENTRIES} parameters")));
        }
        let mut utm = BTreeMap::new();
        for (name, raw) in &self.utm {
            if !name.starts_with("utm_") || !known_field(name) {
                problems
                    .push(FieldError::new("utm", format!("{name:?} is not a UTM parameter like utm_source")));
                continue;
            }
            match check_value(InputKind::Text, &[], false, raw) {
                Ok(v) if v.is_empty() => {}
                Ok(v) => {
                    utm.insert(name.clone(), v);
                }
                Err(e) => problems.push(FieldError::new(format!("utm.{name}"), e)),
            }
        }
        if problems.is_empty() {
            Ok(ValidRoutingTry { routing, attributes, page: PageContext { url, referrer, language, utm } })
        } else {
            Err(InvalidRequest { fields: problems })
        }
    }
}

/// What a [`RoutingTry`] found: the agent the chat would be offered to now,
/// or the fallback, with the decision's reasons, as `explain` shows a real
/// conversation's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutingTryView {
    /// Whom it would be offered to; none: the fallback.
    pub agent: Option<TriedAgent>,
    /// Whether the visitor would get the site's fallback message.
    pub fallback: bool,
    /// The decision in words, as `switchboard conversation explain` prints.
    pub text: String,
    /// The decision with its reasons.
    pub decision: DecisionView,
}

/// The agent a try found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TriedAgent {
    /// Their id.
    pub id: i64,
    /// Display name.
    pub name: String,
    /// Login email.
    pub email: String,
}

/// A routing decision and its reasons, as the admin API shows it (the
/// same JSON as each of `explain`'s decisions, without `at`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionView {
    /// The stages tried, in order.
    pub steps: Vec<StepView>,
    /// Where it went.
    pub outcome: OutcomeView,
}

/// One stage of a decision and whom it passed over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepView {
    /// What was tried.
    #[serde(flatten)]
    pub stage: StageView,
    /// Who could not take it there, and why.
    pub skipped: Vec<SkippedView>,
    /// Agents named here (by a stream, rule or account route) that do not exist.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unknown: Vec<String>,
}

/// What a stage tried.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "stage", rename_all = "snake_case")]
pub enum StageView {
    /// The visitor's email domain has an account route.
    AccountRoute {
        /// The domain.
        domain: String,
        /// The agent it routes to.
        agent: String,
    },
    /// The card names an agent.
    Agent {
        /// Their email.
        agent: String,
    },
    /// The card names a team.
    Team {
        /// Its name as written.
        team: String,
        /// Whether the team exists.
        exists: bool,
    },
    /// A custom rule matched (the first by priority).
    Rule {
        /// Its name.
        rule: String,
        /// Whom it routes to.
        target: Target,
    },
    /// No custom rule matched.
    NoRuleMatched,
    /// Round robin over every agent.
    Everyone,
    /// A transferred chat goes to the transfer's target.
    Transfer {
        /// Who transferred it (empty: a removed agent).
        by: String,
        /// Where to.
        to: TransferTarget,
    },
    /// Nobody else could take a transferred chat: back to who transferred it.
    Back {
        /// Their email.
        agent: String,
    },
}

/// An agent passed over at a stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedView {
    /// Their id.
    pub agent: i64,
    /// Their email.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub email: String,
    /// Why.
    pub reason: SkipReason,
}

/// Why an agent was passed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// Lacks the live chat permission.
    NoPermission,
    /// Unavailable (switched off, outside their schedule, or disconnected).
    Unavailable,
    /// Already at the most open chats.
    AtCapacity,
    /// Could take it, but is not in the team or rule's agents.
    NotInTeam,
    /// Declined this chat.
    Declined,
    /// Let this chat's offer time out.
    TimedOut,
    /// Transferred this chat away.
    Transferred,
}

/// Where a decision sent the chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "to", rename_all = "snake_case")]
pub enum OutcomeView {
    /// Offered to this agent.
    Offer {
        /// Their id.
        agent: i64,
        /// Their email.
        email: String,
        /// The rotation it came from (`all`, `team:sales`, `rule:big`,
        /// `agent:<email>`, `account:<domain>`).
        pool: String,
    },
    /// Nobody could take it: the fallback message.
    Fallback,
}

/// `PUT /api/admin/sites/{key}/rules/order`: the site's rules by name,
/// highest priority first; the server gives them priorities N×10 down to 10.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleOrder {
    /// Every rule of the site exactly once, highest priority first.
    pub names: Vec<String>,
}

impl RuleOrder {
    /// The names as the site has them (`current`, any order), in the asked
    /// order; refused under `names` when one is unknown, listed twice, or
    /// missing (names compare without ASCII case and surrounding spaces, as
    /// rule names are unique).
    pub fn check(&self, current: &[String]) -> Result<Vec<String>, InvalidRequest> {
        let key = |n: &str| n.trim().to_ascii_lowercase();
        let known: HashMap<String, &String> = current.iter().map(|n| (key(n), n)).collect();
        let mut problems = Vec::new();
        let mut seen = HashMap::new();
        let mut order = Vec::new();
        for name in &self.names {
            match known.get(&key(name)) {
                None => problems.push(FieldError::new("names", format!("no rule is called {name:?}"))),
                Some(_) if seen.insert(key(name), ()).is_some() => {
                    problems.push(FieldError::new("names", format!("{name:?} is listed more than once")))
                }
                Some(n) => order.push((*n).clone()),
            }
        }
        for name in current {
            if !seen.contains_key(&key(name)) {
                problems.push(FieldError::new("names", format!("{name:?} is missing: list every rule once")));
            }
        }
        if problems.is_empty() {
            Ok(order)
        } else {
            Err(InvalidRequest { fields: problems })
        }
    }
}

/// Largest account routes CSV an upload may be.
pub const MAX_ACCOUNT_ROUTES_CSV_BYTES: usize = 1024 * 1024;

/// The header line of the account routes CSV.
pub const ACCOUNT_ROUTES_CSV_HEADER: &str = "domain,agent_email";

/// A site's account routes as CSV: the header, then one `domain,agent_email`
/// line each (neither can hold a comma or a quote, so nothing is quoted).
pub fn account_routes_csv(routes: &[AccountRouteView]) -> String {
    let mut out = String::from(ACCOUNT_ROUTES_CSV_HEADER);
    out.push('\n');
    for r in routes {
        out.push_str(&r.domain);
        out.push(',');
        out.push_str(&r.agent);
        out.push('\n');
    }
    out
}

/// What an account routes CSV holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParsedAccountRoutes {
    /// Each well-formed route with its line number (from 1).
    pub routes: Vec<(usize, ValidAccountRoute)>,
    /// Every problem, by line (`line 3`), in line order.
    pub problems: Vec<FieldError>,
}

/// The field an account routes CSV problem is named by.
pub fn csv_line(n: usize) -> String {
    format!("line {n}")
}

/// Reads an account routes CSV: `domain,agent_email` lines, the header
/// optional (a first line whose first column is `domain`), blank lines
/// skipped, fields trimmed and taken out of plain double quotes (as a
/// spreadsheet may write them), a byte order mark ignored. A line with a
/// bad domain or email, another number of columns, or a domain an earlier
/// line already routes is a problem named `line N`; whether each agent
/// exists is for the server to say.
pub fn parse_account_routes_csv(text: &str) -> ParsedAccountRoutes {
    let mut parsed = ParsedAccountRoutes::default();
    let mut first: HashMap<EmailDomain, usize> = HashMap::new();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let columns: Vec<&str> = line.split(',').map(unquote).collect();
        if i == 0 && columns[0].eq_ignore_ascii_case("domain") {
            continue;
        }
        let mut problem = |message: String| parsed.problems.push(FieldError::new(csv_line(n), message));
        let [domain, agent] = columns[..] else {
            problem(format!("{} columns; each line is {ACCOUNT_ROUTES_CSV_HEADER}", columns.len()));
            continue;
        };
        let domain = EmailDomain::parse(domain).map_err(|e| problem(e.to_string()));
        let agent = Email::parse(agent).map_err(|e| problem(e.to_string()));
        let (Ok(domain), Ok(agent)) = (domain, agent) else { continue };
        if let Some(earlier) = first.get(&domain) {
            problem(format!("{domain} is routed on line {earlier} already"));
            continue;
        }
        first.insert(domain.clone(), n);
        parsed.routes.push((n, ValidAccountRoute { domain, agent }));
    }
    parsed
}

/// A CSV field trimmed and, when wrapped in double quotes, without them.
fn unquote(field: &str) -> &str {
    let f = field.trim();
    f.strip_prefix('"').and_then(|f| f.strip_suffix('"')).map_or(f, str::trim)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields(e: &InvalidRequest) -> Vec<&str> {
        e.fields.iter().map(|f| f.field.as_str()).collect()
    }

    fn try_of(v: serde_json::Value) -> RoutingTry {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn a_try_reads_like_a_hand_off_with_checked_values() {
        let t = try_of(json!({
            "routing": {"agent": " Ada@Example.com "},
            "attributes": {"email": " Jo@BigCorp.COM ", "company": "", "custom:plan": " team "},
            "page_url": "https://shop.example.com/pricing",
            "language": "nl-NL",
            "utm": {"utm_source": "newsletter", "utm_medium": ""}
        }));
        let v = t.check().unwrap();
        assert_eq!(v.routing, Routing::Agent("Ada@example.com".into()));
        let attrs: Vec<_> = v.attributes.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(attrs, [("custom:plan", "team"), ("email", "Jo@bigcorp.com")], "empty means unknown");
        assert_eq!(v.page.url, "https://shop.example.com/pricing");
        assert_eq!(v.page.language, "nl-NL");
        assert_eq!(v.page.utm.len(), 1);
        assert_eq!(try_of(json!({"routing": "rules"})).check().unwrap().routing, Routing::Rules);
    }

    #[test]
    fn a_refused_try_names_every_bad_field() {
        let t = try_of(json!({
            "routing": {"team": " "},
            "attributes": {"email": "jo", "nickname": "x", "phone": "call me"},
            "page_url": "x".repeat(MAX_TRY_URL_CHARS + 1),
            "language": "x".repeat(MAX_TRY_LANGUAGE_CHARS + 1),
            "utm": {"source": "x", "utm_Bad": "y"}
        }));
        let e = t.check().unwrap_err();
        assert_eq!(
            fields(&e),
            [
                "routing",
                "attributes.email",
                "attributes",
                "attributes.phone",
                "page_url",
                "language",
                "utm",
                "utm"
            ]
        );
        assert!(serde_json::from_value::<RoutingTry>(json!({"routing": "rules", "url": "x"})).is_err());
        assert!(
            serde_json::from_value::<RoutingTry>(json!({"attributes": {}})).is_err(),
            "routing is needed"
        );
        let e = try_of(json!({"routing": {"agent": "ada"}})).check().unwrap_err();
        assert_eq!(fields(&e), ["routing"]);
    }

    #[test]
    fn a_decision_view_reads_back_what_it_writes() {
        let d = DecisionView {
            steps: vec![
                StepView {
                    stage: StageView::Rule { rule: "Big".into(), target: Target::Team("Sales".into()) },
                    skipped: vec![SkippedView {
                        agent: 2,
                        email: "ada@x.com".into(),
                        reason: SkipReason::AtCapacity,
                    }],
                    unknown: vec![],
                },
                StepView { stage: StageView::Everyone, skipped: vec![], unknown: vec!["gone@x.com".into()] },
            ],
            outcome: OutcomeView::Offer { agent: 3, email: "grace@x.com".into(), pool: "all".into() },
        };
        let v = serde_json::to_value(&d).unwrap();
        assert_eq!(v["steps"][0]["stage"], "rule");
        assert_eq!(v["steps"][0]["skipped"][0]["reason"], "at_capacity");
        assert_eq!(v["outcome"]["to"], "offer");
        assert_eq!(serde_json::from_value::<DecisionView>(v).unwrap(), d);
    }

    #[test]
    fn a_rule_order_lists_every_rule_once() {
        let current = vec!["Big".to_owned(), "Dutch".to_owned(), "VIP".to_owned()];
        let order = RuleOrder { names: vec!["vip".into(), " Big ".into(), "Dutch".into()] };
        assert_eq!(order.check(&current).unwrap(), ["VIP", "Big", "Dutch"], "as the site names them");
        let bad = RuleOrder { names: vec!["Big".into(), "big".into(), "Nope".into()] };
        let e = bad.check(&current).unwrap_err();
        assert_eq!(fields(&e), ["names", "names", "names", "names"]);
        let messages: Vec<_> = e.fields.iter().map(|f| f.message.as_str()).collect();
        assert!(messages[0].contains("more than once") && messages[1].contains("\"Nope\""), "{e}");
        assert!(messages[2].contains("\"Dutch\" is missing") && messages[3].contains("\"VIP\""), "{e}");
        assert_eq!(RuleOrder { names: vec![] }.check(&[]).unwrap(), Vec::<String>::new());
    }

    #[test]
    fn account_routes_csv_is_written_with_a_header_and_read_back() {
        let routes = vec![
            AccountRouteView { domain: "bigcorp.com".into(), agent: "ada@example.com".into() },
            AccountRouteView { domain: "small.org".into(), agent: "grace@example.com".into() },
        ];
        let csv = account_routes_csv(&routes);
        assert_eq!(csv, "domain,agent_email\nbigcorp.com,ada@example.com\nsmall.org,grace@example.com\n");
        let parsed = parse_account_routes_csv(&csv);
        assert!(parsed.problems.is_empty());
        let read: Vec<_> =
            parsed.routes.iter().map(|(n, r)| (*n, r.domain.as_str(), r.agent.as_str())).collect();
        assert_eq!(read, [(2, "bigcorp.com", "ada@example.com"), (3, "small.org", "grace@example.com")]);
    }

    #[test]
    fn account_routes_csv_takes_no_header_quotes_blank_lines_and_crlf() {
        let parsed = parse_account_routes_csv(
            "\u{feff}\"@BigCorp.com\" , \"Ada@Example.com\"\r\n\r\nsmall.org,grace@example.com",
        );
        assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
        let read: Vec<_> = parsed.routes.iter().map(|(n, r)| (*n, r.domain.as_str())).collect();
        assert_eq!(read, [(1, "bigcorp.com"), (3, "small.org")]);
        assert_eq!(parse_account_routes_csv(""), ParsedAccountRoutes::default());
    }

    #[test]
    fn every_bad_csv_line_is_named() {
        let parsed = parse_account_routes_csv(
            "Domain,Agent_Email\nbigcorp.com,ada@example.com\nnodot,ada\nBIGCORP.com,grace@example.com\nx.com\na.com,b@c.com,extra\n",
        );
        let named: Vec<_> = parsed.problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(named, ["line 3", "line 3", "line 4", "line 5", "line 6"]);
        assert!(parsed.problems[2].message.contains("line 2 already"), "{:?}", parsed.problems);
        assert!(parsed.problems[3].message.contains("1 columns; each line is domain,agent_email"));
        assert_eq!(parsed.routes.len(), 1);
    }
}
