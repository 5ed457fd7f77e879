//! Custom routing rules: a name, a priority, conditions on the visitor's
//! attributes and context combined with all/any, and whom to route to. This
//! module holds the model and its validation on save; evaluating rules is
//! the routing decision's (`crates/server/src/routing.rs`).

use serde::{Deserialize, Serialize};

use crate::admin::{DisplayName, Email, FieldError, InvalidRequest};
use crate::attribute::Attribute;

/// Most conditions in one rule.
pub const MAX_CONDITIONS: usize = 20;
/// Most values in one condition.
pub const MAX_VALUES: usize = 50;
/// Longest value or pattern.
pub const MAX_VALUE: usize = 200;
/// Longest description, in characters.
pub const MAX_DESCRIPTION: usize = 500;

/// A custom routing rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RoutingRule {
    /// Unique within a site.
    pub name: String,
    /// What the rule is for, for the people who keep it (empty: none).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    #[cfg_attr(feature = "openapi", schema(max_length = 500))]
    pub description: String,
    /// Higher is tried first.
    #[serde(default)]
    pub priority: i32,
    /// Whether all conditions must hold, or any.
    #[serde(default)]
    pub combine: Combine,
    /// The conditions.
    pub conditions: Vec<Condition>,
    /// Whom to route to when it matches.
    pub route_to: Target,
}

/// How conditions combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Combine {
    /// Every condition holds.
    #[default]
    All,
    /// At least one holds.
    Any,
}

/// One test on the visitor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// What is tested: an attribute (`email`, `custom:plan`), or `page_url`,
    /// `referrer`, `language`, `email_domain`, `utm_source` (any `utm_*`).
    pub field: String,
    /// How.
    pub op: Op,
    /// Against what (none for `is_empty`).
    #[serde(default)]
    pub values: Vec<String>,
}

/// Condition operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// Equal to one of the values (case-insensitive).
    Is,
    /// Equal to none of the values.
    IsNot,
    /// Contains one of the values.
    Contains,
    /// Starts with one of the values.
    StartsWith,
    /// A number greater than the value.
    GreaterThan,
    /// Unknown or empty.
    IsEmpty,
    /// Matches one of the `*` wildcard patterns.
    Matches,
}

/// Whom a rule routes to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// These agents, by email (round robin among them).
    Agents(Vec<String>),
    /// A team, by name.
    Team(String),
}

const CONTEXT_FIELDS: [&str; 4] = ["page_url", "referrer", "language", "email_domain"];

/// Whether `field` names something a condition can test.
pub fn known_field(field: &str) -> bool {
    CONTEXT_FIELDS.contains(&field)
        || field
            .strip_prefix("utm_")
            .is_some_and(|k| !k.is_empty() && k.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
        || Attribute::parse(field).is_ok()
}

impl RoutingRule {
    /// Every problem with the rule, by field (`name`, `description`,
    /// `conditions`, `route_to`), for a person; empty when it is valid.
    pub fn problems(&self) -> Vec<FieldError> {
        let mut p = Vec::new();
        if let Err(e) = DisplayName::parse(&self.name) {
            p.push(FieldError::new("name", e));
        }
        if self.description.chars().count() > MAX_DESCRIPTION {
            p.push(FieldError::new("description", format!("at most {MAX_DESCRIPTION} characters")));
        }
        let mut condition = |message: String| p.push(FieldError::new("conditions", message));
        if self.conditions.is_empty() {
            condition("a rule needs at least one condition".to_owned());
        }
        if self.conditions.len() > MAX_CONDITIONS {
            condition(format!("at most {MAX_CONDITIONS} conditions"));
        }
        for (i, c) in self.conditions.iter().enumerate() {
            let at = format!("condition {}", i + 1);
            if !known_field(&c.field) {
                condition(format!(
                    "{at}: unknown field `{}`; use an attribute (first_name, email, custom:<name>, …), page_url, referrer, language, email_domain or utm_<name>",
                    c.field
                ));
            }
            match c.op {
                Op::IsEmpty if !c.values.is_empty() => condition(format!("{at}: is_empty takes no values")),
                Op::IsEmpty => {}
                _ if c.values.is_empty() => condition(format!("{at}: needs at least one value")),
                Op::GreaterThan if c.values.len() != 1 || c.values[0].trim().parse::<f64>().is_err() => {
                    condition(format!("{at}: greater_than takes one number"))
                }
                _ => {}
            }
            if c.values.len() > MAX_VALUES {
                condition(format!("{at}: at most {MAX_VALUES} values"));
            }
            for v in &c.values {
                if v.trim().is_empty() || v.chars().count() > MAX_VALUE {
                    condition(format!("{at}: values must be 1 to {MAX_VALUE} characters"));
                }
                if c.op == Op::Matches && v.contains("**") {
                    condition(format!("{at}: bad pattern {v:?}: use single `*` wildcards"));
                }
            }
        }
        match &self.route_to {
            Target::Agents(a) if a.is_empty() => {
                p.push(FieldError::new("route_to", "route_to agents must list at least one agent email"))
            }
            Target::Agents(a) => p.extend(
                a.iter().filter_map(|e| Email::parse(e).err()).map(|e| FieldError::new("route_to", e)),
            ),
            Target::Team(t) if DisplayName::parse(t).is_err() => {
                p.push(FieldError::new("route_to", "route_to team must name a team"))
            }
            Target::Team(_) => {}
        }
        p
    }

    /// The rule's [`problems`](Self::problems) as a refusal, if it has any.
    pub fn check(&self) -> Result<(), InvalidRequest> {
        let fields = self.problems();
        if fields.is_empty() {
            Ok(())
        } else {
            Err(InvalidRequest { fields })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(json: &str) -> RoutingRule {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn a_well_formed_rule_has_no_problems() {
        let r = rule(
            r#"{"name":"Enterprise","priority":10,"combine":"any","conditions":[
                {"field":"email_domain","op":"is","values":["bigcorp.com"]},
                {"field":"custom:seats","op":"greater_than","values":["50"]},
                {"field":"utm_campaign","op":"matches","values":["spring-*"]},
                {"field":"company","op":"is_empty"}],
               "route_to":{"team":"Sales"}}"#,
        );
        assert_eq!(r.problems(), Vec::<FieldError>::new());
        assert_eq!(r.check(), Ok(()));
    }

    #[test]
    fn unknown_fields_bad_values_and_empty_targets_are_problems() {
        let r = rule(
            r#"{"name":" ","conditions":[
                {"field":"nickname","op":"is","values":["x"]},
                {"field":"email","op":"contains"},
                {"field":"custom:seats","op":"greater_than","values":["many"]},
                {"field":"company","op":"is_empty","values":["x"]},
                {"field":"page_url","op":"matches","values":["/a**"]}],
               "route_to":{"agents":[]}}"#,
        );
        let p = r.problems();
        assert_eq!(p.len(), 7, "{p:#?}");
        assert_eq!(p[0].field, "name");
        assert!(p[1].message.contains("unknown field `nickname`"));
        assert_eq!((p[1].field.as_str(), p[6].field.as_str()), ("conditions", "route_to"));
    }

    #[test]
    fn a_rule_without_conditions_or_with_unknown_keys_is_refused() {
        assert!(!rule(r#"{"name":"x","conditions":[],"route_to":{"team":"S"}}"#).problems().is_empty());
        assert!(serde_json::from_str::<RoutingRule>(
            r#"{"name":"x","conditions":[],"route_to":{"team":"S"},"x":1}"#
        )
        .is_err());
    }

    #[test]
    fn a_rule_routes_to_agents_by_valid_email_or_to_a_named_team() {
        let r = rule(
            r#"{"name":"x","conditions":[{"field":"language","op":"is","values":["nl"]}],
               "route_to":{"agents":["ada@example.com","ada"]}}"#,
        );
        let e = r.check().unwrap_err();
        assert_eq!(e.fields.len(), 1, "{e}");
        assert_eq!(e.fields[0].field, "route_to");
        assert!(e.fields[0].message.contains("email \"ada\""), "{e}");
        let r = rule(
            r#"{"name":"x","conditions":[{"field":"language","op":"is","values":["nl"]}],"route_to":{"team":" "}}"#,
        );
        assert_eq!(r.check().unwrap_err().to_string(), "route_to: route_to team must name a team");
    }

    #[test]
    fn a_description_is_optional_kept_and_limited() {
        let bare = r#"{"name":"x","conditions":[{"field":"language","op":"is","values":["nl"]}],"route_to":{"team":"S"}}"#;
        let r = rule(bare);
        assert_eq!(r.description, "");
        assert!(
            !serde_json::to_string(&r).unwrap().contains("description"),
            "an empty description is not written"
        );
        let described =
            RoutingRule { description: "Dutch speakers go to the Dutch team".into(), ..r.clone() };
        let back: RoutingRule = serde_json::from_str(&serde_json::to_string(&described).unwrap()).unwrap();
        assert_eq!(back, described);
        assert_eq!(described.check(), Ok(()));
        let long = RoutingRule { description: "é".repeat(MAX_DESCRIPTION + 1), ..r };
        let e = long.check().unwrap_err();
        assert_eq!(e.fields.len(), 1, "{e}");
        assert_eq!(e.fields[0].field, "description");
        assert_eq!(RoutingRule { description: "é".repeat(MAX_DESCRIPTION), ..long }.check(), Ok(()));
    }
}
