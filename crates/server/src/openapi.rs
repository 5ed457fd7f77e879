//! The HTTP API as an OpenAPI 3.1 document, served at `GET /api/openapi.json`:
//! the admin API (each handler's `#[utoipa::path]` in [`crate::admin_api`]
//! and the modules it gathers, which also registers its route), the login
//! endpoints and the setup and invitation links, with the
//! schemas of the protocol's types they read and answer (utoipa's
//! `ToSchema`, derived behind the protocol's feature `openapi`), so the
//! document is made from the code it describes.
//!
//! Every refusal is an [`ErrorBody`]; the sets of refusals an operation
//! may answer are the types below (`AdminRefusals`, `BodyRefusals`, …),
//! named in each operation's `responses(…)`.

use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use std::collections::BTreeMap;
use std::sync::LazyLock;
use switchboard_protocol::admin::ErrorBody;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{Modify, OpenApi};

use crate::auth::SESSION_COOKIE;

/// Where the document is served.
pub const PATH: &str = "/api/openapi.json";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Switchboard",
        description = "Switchboard's admin API (`/api/admin/…`, for agents with the admin role), \
            agent login, and the setup and invitation links (`/api/setup`, \
            `/api/invitations/accept`, `/api/account-tokens`, whose token is the credential). Every refusal is an `ErrorBody`: a stable `code`, a `message` for \
            a person, and for a refused value `fields` naming each field with why.",
    ),
    paths(crate::auth::login, crate::auth::logout, crate::auth::me),
    components(schemas(ErrorBody)),
    modifiers(&Security),
    // Every operation needs a session unless it says otherwise (login, the
    // links).
    security(("session" = []), ("bearer" = [])),
    tags(
        (name = "auth", description = "Agent login and the session"),
        (name = "accounts", description = "Accounts made by link: the first admin, invited agents"),
        (name = "sites", description = "Sites, their allowed origins, settings and appearance"),
        (name = "streams", description = "Published streams (dialogues) of a site"),
        (name = "rules", description = "Custom routing rules and account routes of a site, and a \
            dry run of routing"),
        (name = "agents", description = "Agent accounts, their passwords, invitations, schedules \
            and live status"),
        (name = "teams", description = "Teams of agents"),
        (name = "conversations", description = "Every conversation, one in full, and how it was \
            routed"),
    )
)]
struct ApiDoc;

/// The session's two forms: the `HttpOnly` cookie login sets (what the
/// inbox and console use; a write by cookie must come from this server's
/// origin), or the token login answers, as a bearer token.
struct Security;

impl Modify for Security {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                SESSION_COOKIE,
                "The session cookie `POST /api/auth/login` sets. A request that changes something \
                 (not GET) and carries it must send this server's own `Origin`.",
            ))),
        );
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The `token` `POST /api/auth/login` answers."))
                    .build(),
            ),
        );
    }
}

/// The whole document.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(crate::admin_api::documented().into_openapi());
    doc
}

/// `GET /api/openapi.json`: [`document`], made once.
pub async fn serve() -> impl IntoResponse {
    static JSON: LazyLock<String> =
        LazyLock::new(|| document().to_json().expect("the document is plain JSON values"));
    ([(CONTENT_TYPE, "application/json")], JSON.as_str())
}

/// A refusal answered with an [`ErrorBody`], described for the document.
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
