//! Evaluating custom routing rules against a visitor: pure, no I/O.

use switchboard_protocol::attribute::Attributes;
use switchboard_protocol::rules::{Combine, Condition, Op, RoutingRule};
use switchboard_protocol::stream::select::{matches, matches_ignoring_ascii_case};
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

fn eq(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b) || (!(a.is_ascii() && b.is_ascii()) && a.to_lowercase() == b.to_lowercase())
}

/// Case-insensitive `contains`, `starts_with` and wildcard match, without
/// allocating when both sides are ASCII (a decision evaluates every rule).
fn ci(hay: &str, needle: &str, op: Op) -> bool {
    if hay.is_ascii() && needle.is_ascii() {
        let (h, n) = (hay.as_bytes(), needle.as_bytes());
        match op {
            Op::StartsWith => h.len() >= n.len() && h[..n.len()].eq_ignore_ascii_case(n),
            Op::Contains => n.is_empty() || h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n)),
            _ => matches_ignoring_ascii_case(needle, hay),
        }
    } else {
        let (h, n) = (hay.to_lowercase(), needle.to_lowercase());
        match op {
            Op::StartsWith => h.starts_with(&n),
            Op::Contains => h.contains(&n),
            _ => matches(&n, &h),
        }
    }
}

/// Whether one condition holds for `value` (`None`: the field is unknown).
/// Comparisons ignore case and surrounding spaces; an unknown value holds
/// only for `is_empty` and `is_not`.
pub fn holds(c: &Condition, value: Option<&str>) -> bool {
    let value = value.map(str::trim).filter(|v| !v.is_empty());
    let Some(v) = value else {
        return matches!(c.op, Op::IsEmpty | Op::IsNot);
    };
    let mut values = c.values.iter().map(|x| x.trim());
    match c.op {
        Op::IsEmpty => false,
        Op::Is => values.any(|x| eq(x, v)),
        Op::IsNot => !values.any(|x| eq(x, v)),
        Op::Contains | Op::StartsWith | Op::Matches => values.any(|x| ci(v, x, c.op)),
        Op::GreaterThan => match (v.parse::<f64>(), c.values.first().map(|x| x.trim().parse::<f64>())) {
            (Ok(n), Some(Ok(limit))) => n > limit,
            _ => false,
        },
    }
}

/// Whether a rule's conditions hold for the visitor, combined as the rule says.
pub fn rule_matches(rule: &RoutingRule, visitor: &Visitor<'_>) -> bool {
    let mut each = rule.conditions.iter().map(|c| holds(c, visitor.field(&c.field)));
    match rule.combine {
        Combine::All => each.all(|h| h),
        Combine::Any => each.any(|h| h),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cond(field: &str, op: Op, values: &[&str]) -> Condition {
        Condition { field: field.into(), op, values: values.iter().map(|v| (*v).to_owned()).collect() }
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
        let is = cond("x", Op::Is, &["bigcorp.com", "acme.io"]);
        assert!(holds(&is, Some(" BigCorp.COM ")));
        assert!(!holds(&is, Some("bigcorp.co")));
        assert!(!holds(&is, None));
        let is_not = cond("x", Op::IsNot, &["nl"]);
        assert!(holds(&is_not, Some("en")));
        assert!(!holds(&is_not, Some("NL")));
        assert!(holds(&is_not, None), "unknown is not any of the values");
        assert!(holds(&cond("x", Op::Contains, &["PRIC"]), Some("/en/pricing")));
        assert!(!holds(&cond("x", Op::Contains, &["pric"]), Some("/about")));
        assert!(holds(&cond("x", Op::StartsWith, &["https://Shop."]), Some("https://shop.example.com/")));
        assert!(!holds(&cond("x", Op::StartsWith, &["shop"]), Some("https://shop.example.com/")));
        let gt = cond("x", Op::GreaterThan, &["50"]);
        assert!(holds(&gt, Some("50.5")));
        assert!(!holds(&gt, Some("50")));
        assert!(!holds(&gt, Some("many")));
        assert!(!holds(&gt, None));
        let empty = cond("x", Op::IsEmpty, &[]);
        assert!(holds(&empty, None));
        assert!(holds(&empty, Some("  ")));
        assert!(!holds(&empty, Some("x")));
        let m = cond("x", Op::Matches, &["*/pricing*", "spring-*"]);
        assert!(holds(&m, Some("https://shop.example.com/Pricing/team")));
        assert!(holds(&m, Some("Spring-2026")));
        assert!(!holds(&m, Some("autumn-spring-2026")));
        assert!(holds(&cond("x", Op::Is, &["ÉCOLE"]), Some("école")));
    }

    #[test]
    fn all_needs_every_condition_and_any_needs_one() {
        let (attrs, page) = visitor_with(&[("email", "ada@bigcorp.com")], PageContext::default());
        let v = Visitor { attributes: &attrs, page: &page };
        let mut rule = RoutingRule {
            name: "r".into(),
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
