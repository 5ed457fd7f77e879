//! Card text with tokens: `Hi {{first_name:"there"}}!` shows the visitor's
//! first name, or `there` when it is not known.

use crate::attribute::{Attribute, Attributes};

/// One piece of parsed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Literal text.
    Literal(&'a str),
    /// A token: the attribute name as written, and its default.
    Token {
        /// Attribute name as written (`first_name`, `custom:plan`).
        name: &'a str,
        /// Shown when the attribute is unknown.
        default: Option<&'a str>,
    },
}

/// Why text with tokens does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// `{{` without `}}`.
    #[error("`{{{{` at byte {0} is not closed with `}}}}`")]
    Unclosed(usize),
    /// A token that is not `name` or `name:"default"`.
    #[error("malformed token `{{{{{0}}}}}`: write {{{{name}}}} or {{{{name:\"default\"}}}}")]
    Malformed(String),
    /// A token naming an attribute that does not exist.
    #[error("unknown token `{0}`: {1}")]
    Unknown(String, crate::attribute::AttributeError),
}

/// Splits `text` into literals and tokens.
pub fn parse(text: &str) -> Result<Vec<Piece<'_>>, TokenError> {
    let mut pieces = Vec::new();
    let mut rest = text;
    let mut offset = 0;
    while let Some(start) = rest.find("{{") {
        if start > 0 {
            pieces.push(Piece::Literal(&rest[..start]));
        }
        let after = &rest[start + 2..];
        let end = after.find("}}").ok_or(TokenError::Unclosed(offset + start))?;
        let inner = after[..end].trim();
        // A default is always quoted and follows the last `:` before its quote;
        // `custom:plan` alone is a name.
        let (name, default) = match inner.find('"') {
            Some(q) => {
                let name = inner[..q].trim_end().strip_suffix(':').map(str::trim);
                let d = inner[q..]
                    .strip_prefix('"')
                    .and_then(|d| d.strip_suffix('"'))
                    .filter(|d| !d.contains('"'));
                match (name, d) {
                    (Some(n), Some(d)) => (n, Some(d)),
                    _ => return Err(TokenError::Malformed(inner.to_owned())),
                }
            }
            None => (inner, None),
        };
        if name.is_empty() || name.contains(char::is_whitespace) {
            return Err(TokenError::Malformed(inner.to_owned()));
        }
        Attribute::parse(name).map_err(|e| TokenError::Unknown(name.to_owned(), e))?;
        pieces.push(Piece::Token { name, default });
        let consumed = start + 2 + end + 2;
        offset += consumed;
        rest = &rest[consumed..];
    }
    if !rest.is_empty() {
        pieces.push(Piece::Literal(rest));
    }
    Ok(pieces)
}

/// The attributes `text` refers to.
pub fn tokens(text: &str) -> Result<Vec<Attribute>, TokenError> {
    Ok(parse(text)?
        .into_iter()
        .filter_map(|p| match p {
            Piece::Token { name, .. } => Attribute::parse(name).ok(),
            Piece::Literal(_) => None,
        })
        .collect())
}

/// Fills in the tokens of `text` from `attributes` (defaults where unknown,
/// empty where there is no default). Text that does not parse is shown as is.
pub fn render(text: &str, attributes: &Attributes) -> String {
    let Ok(pieces) = parse(text) else { return text.to_owned() };
    let mut out = String::with_capacity(text.len());
    for piece in pieces {
        match piece {
            Piece::Literal(s) => out.push_str(s),
            Piece::Token { name, default } => {
                let key = Attribute::parse(name).map(|a| a.key().to_owned()).unwrap_or_default();
                match attributes.get(&key).filter(|v| !v.is_empty()) {
                    Some(v) => out.push_str(v),
                    None => out.push_str(default.unwrap_or("")),
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(pairs: &[(&str, &str)]) -> Attributes {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn tokens_render_the_value_or_the_default() {
        let t = r#"Hi {{first_name:"there"}}!"#;
        assert_eq!(render(t, &attrs(&[("first_name", "Ada")])), "Hi Ada!");
        assert_eq!(render(t, &attrs(&[])), "Hi there!");
        assert_eq!(render("Plan: {{custom:plan}}.", &attrs(&[("plan", "Team")])), "Plan: Team.");
        assert_eq!(render("Hi {{ first_name }}", &attrs(&[])), "Hi ");
        assert_eq!(render(r#"On {{custom:plan:"free"}}."#, &attrs(&[])), "On free.");
        assert_eq!(render(r#"On {{custom:plan : "free"}}."#, &attrs(&[("plan", "Team")])), "On Team.");
    }

    #[test]
    fn malformed_unclosed_and_unknown_tokens_are_errors() {
        assert!(matches!(parse("Hi {{first_name"), Err(TokenError::Unclosed(3))));
        assert!(matches!(parse("Hi {{first_name:\"x}}"), Err(TokenError::Malformed(_))));
        assert!(matches!(parse("Hi {{}}"), Err(TokenError::Malformed(_))));
        assert!(matches!(parse("Hi {{nickname}}"), Err(TokenError::Unknown(n, _)) if n == "nickname"));
    }

    #[test]
    fn text_without_tokens_is_one_literal() {
        assert_eq!(parse("Hello").unwrap(), vec![Piece::Literal("Hello")]);
        assert_eq!(parse("").unwrap(), vec![]);
    }
}
