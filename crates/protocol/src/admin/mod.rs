//! What an admin asks for and is shown: the requests and views of the admin
//! HTTP API (`/api/admin/`), which the `switchboard` CLI builds too and the
//! admin console sends from WASM.
//!
//! A request is what a form sends, as typed; its `check` (or `apply`) turns
//! it into checked values or refuses it with every problem named by field
//! ([`InvalidRequest`]), so a form can show each one in place. The server
//! runs the same check before anything is stored, so the console, the CLI
//! and the API refuse the same input with the same words.
//!
//! - [`values`]: the checked newtypes ([`Origin`], [`Email`],
//!   [`EmailDomain`], [`DisplayName`], [`Password`]).
//! - [`requests`]: the request bodies and their checks.
//! - [`views`]: what the API answers.
//! - [`routing_try`]: the console's routing tools: try it, rule order,
//!   account routes as CSV.
//! - [`accounts`]: the setup and invitation links, an agent's own
//!   capacity and live status.
//! - [`conversations`]: the list of every conversation (its query, paged
//!   rows), one conversation in full and its routing explanation.
//! - [`reports`]: the reports' query (days, time zone, periods), the
//!   live chat figures, one conversation's, and what is going on now.
//! - [`canned`]: canned responses, shared and personal, and how the
//!   inbox's picker ranks them for what follows `/`.
//! - [`designer`]: the stream designer's drafts, publishing a draft with a
//!   note, and the release history.

pub mod accounts;
pub mod canned;
pub mod conversations;
pub mod designer;
pub mod reports;
pub mod requests;
pub mod routing_try;
pub mod values;
pub mod views;

pub use accounts::*;
pub use canned::*;
pub use conversations::*;
pub use designer::*;
pub use reports::*;
pub use requests::*;
pub use routing_try::*;
pub use values::*;
pub use views::*;

use serde::{Deserialize, Serialize};
use std::fmt;

/// One refused value, named by the request field it came in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// The field, as named in the request (`allowed_origins`, `email`, …).
    pub field: String,
    /// What is wrong, for a person.
    pub message: String,
}

impl FieldError {
    /// `message` about `field`.
    pub fn new(field: impl Into<String>, message: impl fmt::Display) -> Self {
        Self { field: field.into(), message: message.to_string() }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// A request refused for its values: every problem, by field (never empty
/// when returned by a check).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, thiserror::Error)]
pub struct InvalidRequest {
    /// The problems, in the order of the request's fields.
    pub fields: Vec<FieldError>,
}

impl InvalidRequest {
    /// One problem.
    pub fn field(field: impl Into<String>, message: impl fmt::Display) -> Self {
        Self { fields: vec![FieldError::new(field, message)] }
    }

    /// Whether `field` is among the problems.
    pub fn names(&self, field: &str) -> bool {
        self.fields.iter().any(|f| f.field == field)
    }
}

impl From<FieldError> for InvalidRequest {
    fn from(e: FieldError) -> Self {
        Self { fields: vec![e] }
    }
}

impl fmt::Display for InvalidRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.fields.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

/// The body of every refused HTTP request (admin or not):
/// `{"error": {"code", "message", "details", "fields"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// What went wrong with a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorDetail {
    /// A stable machine code (`bad_request`, `not_found`, `conflict`, …).
    pub code: String,
    /// For a person.
    pub message: String,
    /// A stream file's errors (`line:col: card id: message`), else null.
    #[serde(default)]
    pub details: Option<Vec<String>>,
    /// The refused values by field (`bad_request` from a check), else empty.
    #[serde(default)]
    pub fields: Vec<FieldError>,
}
