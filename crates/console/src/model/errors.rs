//! A form's problems by field: from the protocol's own check as the admin
//! types, and from the server's refusal, shown under the field each is about.

use switchboard_protocol::admin::InvalidRequest;

/// The problems a form shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Problems(InvalidRequest);

impl Problems {
    /// No problem.
    pub fn none() -> Self {
        Self::default()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.0.fields.is_empty()
    }

    /// The problems with `field`, joined into one sentence list; `None` when
    /// it is fine.
    pub fn of(&self, field: &str) -> Option<String> {
        let said: Vec<&str> =
            self.0.fields.iter().filter(|f| f.field == field).map(|f| f.message.as_str()).collect();
        (!said.is_empty()).then(|| said.join("; "))
    }

    /// The problems with any field named `prefix` or `prefix.<sub>`
    /// (`attributes.email`), joined.
    pub fn starting_with(&self, prefixes: &[&str]) -> Option<String> {
        let said: Vec<String> = self
            .0
            .fields
            .iter()
            .filter(|f| prefixes.iter().any(|p| f.field == *p || f.field.starts_with(&format!("{p}."))))
            .map(|f| f.to_string())
            .collect();
        (!said.is_empty()).then(|| said.join("; "))
    }

    /// The problems about fields the form has no place for (`known` lists
    /// those it has), so none is ever lost.
    pub fn others(&self, known: &[&str]) -> Vec<String> {
        let placed = |field: &str| known.iter().any(|k| field == *k || field.starts_with(&format!("{k}.")));
        self.0.fields.iter().filter(|f| !placed(&f.field)).map(|f| f.to_string()).collect()
    }
}

impl From<InvalidRequest> for Problems {
    fn from(i: InvalidRequest) -> Self {
        Self(i)
    }
}

impl<T> From<Result<T, InvalidRequest>> for Problems {
    fn from(r: Result<T, InvalidRequest>) -> Self {
        r.err().map(Self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchboard_protocol::admin::{FieldError, NewSite};

    #[test]
    fn problems_are_found_by_their_field() {
        let p = Problems::from(InvalidRequest {
            fields: vec![
                FieldError::new("allowed_origins", "not an origin: `ftp://x`"),
                FieldError::new("allowed_origins", "not an origin: `y`"),
                FieldError::new("mystery", "odd"),
            ],
        });
        assert_eq!(p.of("allowed_origins").unwrap(), "not an origin: `ftp://x`; not an origin: `y`");
        assert_eq!(p.of("name"), None);
        assert_eq!(p.others(&["allowed_origins", "name"]), vec!["mystery: odd".to_owned()]);
    }

    #[test]
    fn the_protocols_own_check_fills_them() {
        let new = NewSite {
            key: "no spaces!".into(),
            name: String::new(),
            allowed_origins: vec!["nope".into()],
            blocked_email_domains: vec!["not a domain".into()],
            chat_enabled: None,
        };
        let p = Problems::from(new.check());
        assert!(
            p.of("key").is_some() && p.of("name").is_some() && p.of("allowed_origins").is_some(),
            "{p:?}"
        );
        let ok = NewSite {
            key: "acme".into(),
            name: "Acme".into(),
            allowed_origins: vec![],
            blocked_email_domains: vec![],
            chat_enabled: None,
        };
        assert!(Problems::from(ok.check()).is_empty());
    }
}
