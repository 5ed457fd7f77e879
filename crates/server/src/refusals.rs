//! The refusals the admin API's operations document: sets of status codes
//! with what each means, every one answered with an [`ErrorBody`](switchboard_protocol::admin::ErrorBody). The
//! handlers name them in their `#[utoipa::path]`; the `openapi` module
//! gathers the document.

use std::collections::BTreeMap;
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};

/// A refusal answered with an [`ErrorBody`](switchboard_protocol::admin::ErrorBody), described for the document.
fn refusal(description: &str) -> ResponseBuilder {
    let body = ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build();
    ResponseBuilder::new().description(description).content("application/json", body)
}

/// Sets of refusals, each a unit type that `responses(…)` names: `status =>
/// description` (the description names the stable codes).
macro_rules! refusals {
    ($($(#[$doc:meta])* $name:ident { $($status:literal => $description:expr),+ $(,)? })*) => {$(
        $(#[$doc])*
        pub(crate) struct $name;

        impl utoipa::IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<Response>> {
                BTreeMap::from([$(($status.to_string(), refusal($description).build().into())),+])
            }
        }
    )*};
}

refusals! {
    /// What the admin role check answers (any admin operation).
    AdminRefusals {
        401 => "No valid session (`unauthorized`).",
        403 => "The agent is not an admin (`forbidden`), or a write authenticated by the session \
                cookie did not come from this server's origin (`origin_not_allowed`).",
    }
    /// What reading a JSON body answers (any operation that takes one).
    BodyRefusals {
        400 => "The body is not valid JSON or does not fit the request (`bad_request`), or a value \
                is refused (`bad_request`, each by field in `fields`).",
        413 => "The body is too large (`too_large`).",
        415 => "The body is not `Content-Type: application/json` (`not_json`).",
    }
    /// A path segment or value is refused.
    Invalid {
        400 => "A value is refused (`bad_request`, each by field in `fields`), or a path segment \
                does not parse (`bad_request`).",
    }
    /// Nothing there.
    NotFound {
        404 => "Nothing with that key, email, name or id (`not_found`).",
    }
    /// It exists already.
    Conflict {
        409 => "It exists already (`conflict`).",
    }
    /// A new email another agent has.
    EmailTaken {
        409 => "Another agent has this email (`conflict`, by field `email` in `fields`).",
    }
    /// A body over the endpoint's limit.
    TooLarge {
        413 => "The body is too large (`too_large`).",
    }
    /// A query parameter is refused.
    InvalidQuery {
        400 => "A query parameter is refused (`bad_request`, each by field in `fields`: a value \
                that does not parse, a site, agent or team that does not exist, `to` not after \
                `from`), or the query string does not parse (`bad_request`).",
    }
    /// A path segment that does not parse (no value is checked).
    BadPath {
        400 => "A path segment does not parse (`bad_request`).",
    }
    /// A CSV upload with problems.
    CsvRefusals {
        400 => "The CSV has problems (`bad_request`), each in `fields` by its line (`line 3`: a \
                bad domain or email, a domain routed twice, an agent who does not exist), or \
                under `csv` (not UTF-8, over the limit); a path segment does not parse.",
        413 => "The body is too large (`too_large`).",
    }
    /// A setup or invitation link that does not work.
    LinkInvalid {
        404 => "The link's token is unknown, used or expired (`link_invalid`, the same answer \
                for all three).",
    }
    /// Setup is over.
    SetupDone {
        409 => "An admin exists already: setup is done, sign in instead (`setup_done`); or an \
                agent has this email (`conflict`).",
    }
    /// A sign-in from another page.
    OtherOrigin {
        403 => "A browser's `Origin` is not this server's (`origin_not_allowed`): the answer \
                writes the session cookie.",
    }
    /// A stream file with errors.
    InvalidStream {
        422 => "The stream file has errors (`invalid_stream`), each `line:col: card id: message` \
                in `details`.",
    }
}

/// Too many failed logins: the next attempt must wait (`Retry-After`).
pub(crate) struct TooManyAttempts;

impl utoipa::IntoResponses for TooManyAttempts {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        let retry_after = utoipa::openapi::HeaderBuilder::new()
            .schema(Some(utoipa::openapi::ObjectBuilder::new().schema_type(utoipa::openapi::Type::Integer)))
            .description(Some("Seconds until the next attempt may pass."))
            .build();
        let response = refusal(
            "Too many failed attempts for this account or address (`too_many_attempts`): \
             wait `Retry-After` seconds, whatever the password.",
        )
        .header("Retry-After", retry_after);
        BTreeMap::from([("429".to_owned(), response.build().into())])
    }
}
