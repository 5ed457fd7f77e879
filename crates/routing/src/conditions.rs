//! Evaluating custom routing rules against a visitor: pure, no I/O.

use switchboard_protocol::attribute::Attributes;
use switchboard_protocol::rules::{Combine, Op, RoutingRule};
use switchboard_protocol::stream::select::matches;
use switchboard_protocol::wire::PageContext;

/// What rules and account routes test: the captured attributes and where the
/// visitor is.
#[derive(Debug, Clone, Copy)]
pub struct Visitor<'a> {
    /// Captured attributes (`email`, `custom:plan`, …).
    pub attributes: &'a Attributes,
    /// Page URL, referrer, language, UTM parameters.
    pub page: &'a PageContext,
}

impl<'a> Visitor<'a> {
    /// The value a condition's field names; `None` when unknown.
    pub fn field(&self, field: &str) -> Option<&'a str> {
        let v = match field {
            "page_url" => self.page.url.as_str(),
            "referrer" => self.page.referrer.as_str(),
            "language" => self.page.language.as_str(),
            "email_domain" => return self.email_domain(),
            f if f.starts_with("utm_") => self.page.utm.get(f)?.as_str(),
            f => self.attributes.get(f)?.as_str(),
        };
        Some(v)
    }

    /// The part of the captured email after the `@`.
    pub fn email_domain(&self) -> Option<&'a str> {
        let email = self.attributes.get("email")?;
        email.rsplit_once('@').map(|(_, d)| d.trim()).filter(|d| !d.is_empty())
    }
}

/// A site's rules, prepared once for evaluation: each distinct field is read
/// from the visitor once per decision, and values are trimmed and lowercased
/// up front, so comparing is plain string work.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    rules: Vec<RoutingRule>,
    checks: Vec<(Combine, Vec<Check>)>,
    fields: Vec<String>,
}

#[derive(Debug, Clone)]
struct Check {
    /// Index into [`Rules::fields`].
    field: usize,
    op: Op,
    /// Trimmed, lowercased.
    values: Vec<String>,
    /// For `greater_than`.
    number: Option<f64>,
}

fn norm(s: &str) -> String {
    s.trim().to_lowercase()
}

impl Rules {
    /// Prepares `rules`, highest priority first.
    pub fn new(rules: Vec<RoutingRule>) -> Self {
        let mut fields: Vec<String> = Vec::new();
        let checks = rules
            .iter()
            .map(|r| {
                let checks = r
                    .conditions
                    .iter()
                    .map(|c| {
                        let field = fields.iter().position(|f| *f == c.field).unwrap_or_else(|| {
                            fields.push(c.field.clone());
                            fields.len() - 1
                        });
                        Check {
                            field,
                            op: c.op,
                            values: c.values.iter().map(|v| norm(v)).collect(),
                            number: c.values.first().and_then(|v| v.trim().parse().ok()),
                        }
                    })
                    .collect();
                (r.combine, checks)
            })
            .collect();
        Rules { rules, checks, fields }
    }

    /// The rules, highest priority first.
    pub fn rules(&self) -> &[RoutingRule] {
        &self.rules
    }

    /// The first rule whose conditions hold for the visitor.
    pub fn first_match(&self, visitor: &Visitor<'_>) -> Option<&RoutingRule> {
        if self.rules.is_empty() {
            return None;
        }
        let values: Vec<Option<String>> =
            self.fields.iter().map(|f| visitor.field(f).map(norm).filter(|v| !v.is_empty())).collect();
        let i = self.checks.iter().position(|(combine, checks)| {
            let mut each = checks.iter().map(|c| c.holds(values[c.field].as_deref()));
            match combine {
                Combine::All => each.all(|h| h),
                Combine::Any => each.any(|h| h),
            }
        })?;
        Some(&self.rules[i])
    }
}

impl Check {
    /// Whether the check holds for `value` (trimmed, lowercased; `None`:
    /// unknown or empty). An unknown value holds only for `is_empty` and `is_not`.
    fn holds(&self, value: Option<&str>) -> bool {
        let Some(v) = value else {
            return matches!(self.op, Op::IsEmpty | Op::IsNot);
        };
        let mut values = self.values.iter();
        match self.op {
            Op::IsEmpty => false,
            Op::Is => values.any(|x| x == v),
            Op::IsNot => !values.any(|x| x == v),
            Op::Contains => values.any(|x| v.contains(x.as_str())),
            Op::StartsWith => values.any(|x| v.starts_with(x.as_str())),
            Op::Matches => values.any(|x| matches(x, v)),
            Op::GreaterThan => match (v.parse::<f64>(), self.number) {
                (Ok(n), Some(limit)) => n > limit,
                _ => false,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchboard_protocol::rules::Condition;

    fn cond(field: &str, op: Op, values: &[&str]) -> Condition {
        Condition { field: field.into(), op, values: values.iter().map(|v| (*v).to_owned()).collect() }
    }

    /// Whether one condition on field `x` holds when `x` has `value`.
    fn holds(c: &Condition, value: Option<&str>) -> bool {
        let rules = Rules::new(vec![RoutingRule {
            name: "r".into(),
            description: String::new(),
            priority: 0,
            combine: Combine::All,
            conditions: vec![c.clone()],
            route_to: switchboard_protocol::rules::Target::Team("T".into()),
        }]);
        let attributes: Attributes =
            value.map(|v| ("custom:x".to_owned(), v.to_owned())).into_iter().collect();
        let page = PageContext::default();
        rules.first_match(&Visitor { attributes: &attributes, page: &page }).is_some()
    }

    fn rule_matches(rule: &RoutingRule, v: &Visitor<'_>) -> bool {
        Rules::new(vec![rule.clone()]).first_match(v).is_some()
    }

    fn visitor_with(attrs: &[(&str, &str)], page: PageContext) -> (Attributes, PageContext) {
        (attrs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(), page)
    }

    #[test]
    fn fields_come_from_attributes_and_the_page() {
        let mut page = PageContext {
            url: "https://shop.example.com/pricing".into(),
            referrer: "https://news.example.org/".into(),
            language: "nl-NL".into(),
            ..Default::default()
        };
        page.utm.insert("utm_source".into(), "newsletter".into());
        let (attrs, page) = visitor_with(&[("email", "Ada@BigCorp.com"), ("custom:seats", "120")], page);
        let v = Visitor { attributes: &attrs, page: &page };
        assert_eq!(v.field("email_domain"), Some("BigCorp.com"));
        assert_eq!(v.field("utm_source"), Some("newsletter"));
        assert_eq!(v.field("utm_campaign"), None);
        assert_eq!(v.field("custom:seats"), Some("120"));
        assert_eq!(v.field("company"), None);
        assert_eq!(v.field("language"), Some("nl-NL"));
    }

    #[test]
    fn every_operator_ignores_case_and_spaces() {
        let is = cond("custom:x", Op::Is, &["bigcorp.com", "acme.io"]);
        assert!(holds(&is, Some(" BigCorp.COM ")));
        assert!(!holds(&is, Some("bigcorp.co")));
        assert!(!holds(&is, None));
        let is_not = cond("custom:x", Op::IsNot, &["nl"]);
        assert!(holds(&is_not, Some("en")));
        assert!(!holds(&is_not, Some("NL")));
        assert!(holds(&is_not, None), "unknown is not any of the values");
        assert!(holds(&cond("custom:x", Op::Contains, &["PRIC"]), Some("/en/pricing")));
        assert!(!holds(&cond("custom:x", Op::Contains, &["pric"]), Some("/about")));
        assert!(holds(
            &cond("custom:x", Op::StartsWith, &["https://Shop."]),
            Some("https://shop.example.com/")
        ));
        assert!(!holds(&cond("custom:x", Op::StartsWith, &["shop"]), Some("https://shop.example.com/")));
        let gt = cond("custom:x", Op::GreaterThan, &["50"]);
        assert!(holds(&gt, Some("50.5")));
        assert!(!holds(&gt, Some("50")));
        assert!(!holds(&gt, Some("many")));
        assert!(!holds(&gt, None));
        let empty = cond("custom:x", Op::IsEmpty, &[]);
        assert!(holds(&empty, None));
        assert!(holds(&empty, Some("  ")));
        assert!(!holds(&empty, Some("x")));
        let m = cond("custom:x", Op::Matches, &["*/pricing*", "spring-*"]);
        assert!(holds(&m, Some("https://shop.example.com/Pricing/team")));
        assert!(holds(&m, Some("Spring-2026")));
        assert!(!holds(&m, Some("autumn-spring-2026")));
        assert!(holds(&cond("custom:x", Op::Is, &["ÉCOLE"]), Some("école")));
    }

    #[test]
    fn all_needs_every_condition_and_any_needs_one() {
        let (attrs, page) = visitor_with(&[("email", "ada@bigcorp.com")], PageContext::default());
        let v = Visitor { attributes: &attrs, page: &page };
        let mut rule = RoutingRule {
            name: "r".into(),
            description: String::new(),
            priority: 0,
            combine: Combine::All,
            conditions: vec![
                cond("email_domain", Op::Is, &["bigcorp.com"]),
                cond("company", Op::Is, &["BigCorp"]),
            ],
            route_to: switchboard_protocol::rules::Target::Team("Sales".into()),
        };
        assert!(!rule_matches(&rule, &v));
        rule.combine = Combine::Any;
        assert!(rule_matches(&rule, &v));
    }
}
