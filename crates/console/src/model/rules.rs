//! The routing rule editor's model: a rule as the admin builds it (a
//! condition per row, values as typed), turned into the protocol's rule and
//! checked with the protocol's own check, as they type.

use std::collections::BTreeMap;
use switchboard_protocol::admin::InvalidRequest;
use switchboard_protocol::attribute::BUILT_IN;
use switchboard_protocol::rules::{Combine, Condition, Op, RoutingRule, Target};

/// Every operator, in the order the editor offers them, with its wire name.
pub const OPS: [(Op, &str); 7] = [
    (Op::Is, "is"),
    (Op::IsNot, "is_not"),
    (Op::Contains, "contains"),
    (Op::StartsWith, "starts_with"),
    (Op::GreaterThan, "greater_than"),
    (Op::IsEmpty, "is_empty"),
    (Op::Matches, "matches"),
];

/// The fields a condition can test that the editor lists (any
/// `custom:<name>` and `utm_<name>` can be typed too).
pub fn fields() -> Vec<&'static str> {
    let mut f: Vec<&str> = BUILT_IN.to_vec();
    f.extend([
        "email_domain",
        "page_url",
        "referrer",
        "language",
        "utm_source",
        "utm_medium",
        "utm_campaign",
    ]);
    f
}

/// The wire name of `op`.
pub fn op_name(op: Op) -> &'static str {
    OPS.iter().find(|(o, _)| *o == op).map(|(_, n)| *n).unwrap_or("is")
}

/// The operator named `name` (`is` when unknown).
pub fn op_named(name: &str) -> Op {
    OPS.iter().find(|(_, n)| *n == name).map(|(o, _)| *o).unwrap_or(Op::Is)
}

/// One condition row.
#[derive(Debug, Clone, PartialEq)]
pub struct ConditionRow {
    /// The field tested.
    pub field: String,
    /// The operator.
    pub op: Op,
    /// Values, comma-separated as typed.
    pub values: String,
}

impl Default for ConditionRow {
    fn default() -> Self {
        Self { field: "company".to_owned(), op: Op::Is, values: String::new() }
    }
}

/// Whom a rule routes to, as the editor holds it.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum TargetForm {
    /// Nobody chosen yet.
    #[default]
    Nobody,
    /// Agents by email.
    Agents(Vec<String>),
    /// A team by name.
    Team(String),
}

impl TargetForm {
    /// Routes to agents (keeping those already chosen).
    pub fn agents(&mut self) {
        if !matches!(self, TargetForm::Agents(_)) {
            *self = TargetForm::Agents(Vec::new());
        }
    }

    /// Routes to a team (keeping the one already chosen).
    pub fn team(&mut self) {
        if !matches!(self, TargetForm::Team(_)) {
            *self = TargetForm::Team(String::new());
        }
    }

    /// Adds `email` to the agents routed to, or takes it off.
    pub fn set_agent(&mut self, email: &str, on: bool) {
        self.agents();
        if let TargetForm::Agents(a) = self {
            if !on {
                a.retain(|e| e != email);
            } else if !a.iter().any(|e| e == email) {
                a.push(email.to_owned());
            }
        }
    }

    /// Whether `email` is among the agents routed to.
    pub fn has_agent(&self, email: &str) -> bool {
        matches!(self, TargetForm::Agents(a) if a.iter().any(|e| e == email))
    }

    /// Whether it routes to a team (rather than to agents).
    pub fn is_team(&self) -> bool {
        matches!(self, TargetForm::Team(_))
    }
}

/// A rule in the editor.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RuleForm {
    /// The name it had when opened (`None`: a new rule).
    pub original: Option<String>,
    /// Name.
    pub name: String,
    /// What the rule is for.
    pub description: String,
    /// Priority (kept; the list's order sets it).
    pub priority: i32,
    /// All or any.
    pub combine: Combine,
    /// Conditions.
    pub conditions: Vec<ConditionRow>,
    /// Whom it routes to.
    pub target: TargetForm,
}

impl RuleForm {
    /// A new rule with one empty condition, tried before `existing` rules.
    pub fn new_rule(existing: &[RoutingRule]) -> Self {
        let priority = existing.iter().map(|r| r.priority).max().map_or(10, |p| p + 10);
        Self { priority, conditions: vec![ConditionRow::default()], ..Self::default() }
    }

    /// The editor opened on `rule`.
    pub fn of(rule: &RoutingRule) -> Self {
        Self {
            original: Some(rule.name.clone()),
            name: rule.name.clone(),
            description: rule.description.clone(),
            priority: rule.priority,
            combine: rule.combine,
            conditions: rule
                .conditions
                .iter()
                .map(|c| ConditionRow { field: c.field.clone(), op: c.op, values: c.values.join(", ") })
                .collect(),
            target: match &rule.route_to {
                Target::Agents(a) => TargetForm::Agents(a.clone()),
                Target::Team(t) => TargetForm::Team(t.clone()),
            },
        }
    }

    /// The rule it describes.
    pub fn rule(&self) -> RoutingRule {
        RoutingRule {
            name: self.name.trim().to_owned(),
            description: self.description.trim().to_owned(),
            priority: self.priority,
            combine: self.combine,
            conditions: self
                .conditions
                .iter()
                .map(|c| Condition {
                    field: c.field.trim().to_owned(),
                    op: c.op,
                    values: if c.op == Op::IsEmpty {
                        Vec::new()
                    } else {
                        c.values
                            .split(',')
                            .map(str::trim)
                            .filter(|v| !v.is_empty())
                            .map(str::to_owned)
                            .collect()
                    },
                })
                .collect(),
            route_to: match &self.target {
                TargetForm::Nobody => Target::Agents(Vec::new()),
                TargetForm::Agents(a) => Target::Agents(a.clone()),
                TargetForm::Team(t) => Target::Team(t.clone()),
            },
        }
    }

    /// The protocol's check of the rule, as the server runs it.
    pub fn check(&self) -> Result<RoutingRule, InvalidRequest> {
        let rule = self.rule();
        rule.check().map(|()| rule)
    }

    /// Whether saving renames it (the old rule is removed after the new one is saved).
    pub fn renames(&self) -> Option<&str> {
        self.original.as_deref().filter(|o| *o != self.name.trim())
    }
}

/// The rules' names in the order they are tried, with `name` moved one
/// place up (`up`) or down; `None` when it cannot move.
pub fn reorder(rules: &[RoutingRule], name: &str, up: bool) -> Option<Vec<String>> {
    let mut order: Vec<String> = in_order(rules).into_iter().map(|r| r.name).collect();
    let i = order.iter().position(|n| n == name)?;
    let j = if up { i.checked_sub(1)? } else { Some(i + 1).filter(|j| *j < order.len())? };
    order.swap(i, j);
    Some(order)
}

/// The "try it" panel's details, one `name = value` per line, split into
/// the page's UTM parameters (`utm_*`) and the visitor's attributes.
pub fn try_details(text: &str) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    text.lines()
        .filter_map(|l| l.split_once('=').map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned())))
        .filter(|(k, _)| !k.is_empty())
        .partition(|(k, _)| k.starts_with("utm_"))
}

/// The rules highest priority first (ties by name).
pub fn in_order(rules: &[RoutingRule]) -> Vec<RoutingRule> {
    let mut order = rules.to_vec();
    order.sort_by(|a, b| b.priority.cmp(&a.priority).then_with(|| a.name.cmp(&b.name)));
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(name: &str, priority: i32) -> RoutingRule {
        RuleForm {
            name: name.into(),
            priority,
            conditions: vec![ConditionRow { values: "Acme".into(), ..ConditionRow::default() }],
            target: TargetForm::Agents(vec!["ada@example.com".into()]),
            ..RuleForm::default()
        }
        .rule()
    }

    #[test]
    fn a_rule_reads_back_from_its_form() {
        let mut r = rule("Acme", 10);
        r.conditions.push(Condition {
            field: "page_url".into(),
            op: Op::Matches,
            values: vec!["/pricing*".into(), "/buy".into()],
        });
        r.conditions.push(Condition { field: "custom:plan".into(), op: Op::IsEmpty, values: vec![] });
        r.combine = Combine::Any;
        r.route_to = Target::Team("Sales".into());
        r.description = "Big accounts go to sales".into();
        assert_eq!(RuleForm::of(&r).rule(), r);
        assert!(RuleForm::of(&r).check().is_ok());
    }

    #[test]
    fn the_check_names_what_the_admin_must_fix() {
        let mut f = RuleForm::new_rule(&[]);
        let e = f.check().unwrap_err();
        assert!(e.names("name") && e.names("conditions") && e.names("route_to"), "{e:?}");
        f.name = "Big".into();
        f.conditions[0] =
            ConditionRow { field: "custom:seats".into(), op: Op::GreaterThan, values: "lots".into() };
        f.target = TargetForm::Team("Sales".into());
        let e = f.check().unwrap_err();
        assert_eq!(e.fields.len(), 1, "{e:?}");
        assert!(e.fields[0].message.contains("one number"), "{e:?}");
        f.conditions[0].values = "50".into();
        assert!(f.check().is_ok());
    }

    #[test]
    fn values_are_split_on_commas_and_is_empty_takes_none() {
        let mut f = RuleForm::of(&rule("A", 1));
        f.conditions[0].values = " Acme , Acme Inc ,, ".into();
        assert_eq!(f.rule().conditions[0].values, vec!["Acme", "Acme Inc"]);
        f.conditions[0].op = op_named("is_empty");
        assert!(f.rule().conditions[0].values.is_empty());
        assert_eq!(op_name(Op::StartsWith), "starts_with");
    }

    #[test]
    fn moving_a_rule_swaps_it_with_its_neighbour_in_trying_order() {
        let rules = vec![rule("b", 20), rule("a", 30), rule("c", 20)];
        assert_eq!(reorder(&rules, "c", true).unwrap(), ["a", "c", "b"]);
        assert_eq!(reorder(&rules, "a", false).unwrap(), ["b", "a", "c"]);
        assert_eq!(reorder(&rules, "a", true), None, "the first cannot go up");
        assert_eq!(reorder(&rules, "c", false), None, "the last cannot go down");
        assert_eq!(reorder(&rules, "zzz", false), None);
    }

    #[test]
    fn try_details_split_utm_from_attributes() {
        let (utm, attrs) = try_details("company = Acme\nutm_source=mail\n\nnonsense\nemail = a@b.example");
        assert_eq!(utm.into_iter().collect::<Vec<_>>(), [("utm_source".to_owned(), "mail".to_owned())]);
        assert_eq!(attrs.len(), 2);
        assert_eq!(attrs["company"], "Acme");
    }

    #[test]
    fn a_rule_routes_to_several_agents_or_one_team() {
        let mut f = RuleForm::of(&rule("A", 1));
        f.target.set_agent("bo@example.com", true);
        f.target.set_agent("cy@example.com", true);
        f.target.set_agent("bo@example.com", true);
        assert_eq!(
            f.rule().route_to,
            Target::Agents(vec!["ada@example.com".into(), "bo@example.com".into(), "cy@example.com".into()])
        );
        assert!(f.target.has_agent("cy@example.com") && !f.target.has_agent("dan@example.com"));
        f.target.set_agent("ada@example.com", false);
        f.target.agents();
        assert_eq!(f.rule().route_to, Target::Agents(vec!["bo@example.com".into(), "cy@example.com".into()]));
        f.target.team();
        assert!(!f.target.has_agent("cy@example.com"));
        assert!(f.check().unwrap_err().names("route_to"), "a team must be chosen");
        f.target = TargetForm::Team("Sales".into());
        f.target.team();
        assert_eq!(f.rule().route_to, Target::Team("Sales".into()));
        f.target.set_agent("ada@example.com", true);
        assert_eq!(f.rule().route_to, Target::Agents(vec!["ada@example.com".into()]));
    }

    #[test]
    fn a_long_description_is_refused_under_its_field() {
        let mut f = RuleForm::of(&rule("A", 1));
        f.description = "  Why this rule exists  ".into();
        assert_eq!(f.check().unwrap().description, "Why this rule exists");
        f.description = "x".repeat(501);
        assert!(f.check().unwrap_err().names("description"));
    }

    #[test]
    fn renaming_is_noticed() {
        let mut f = RuleForm::of(&rule("Old", 1));
        assert_eq!(f.renames(), None);
        f.name = "New".into();
        assert_eq!(f.renames(), Some("Old"));
    }
}
