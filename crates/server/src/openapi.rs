//! The HTTP API as an OpenAPI 3.1 document, served at `GET /api/openapi.json`:
//! the admin API (each handler's `#[utoipa::path]` in [`crate::admin_api`],
//! which also registers its route) and the login endpoints, with the
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
        description = "Switchboard's admin API (`/api/admin/…`, for agents with the admin role) \
            and agent login. Every refusal is an `ErrorBody`: a stable `code`, a `message` for \
            a person, and for a refused value `fields` naming each field with why.",
    ),
    paths(crate::auth::login, crate::auth::logout, crate::auth::me),
    components(schemas(ErrorBody)),
    modifiers(&Security),
    // Every operation needs a session unless it says otherwise (login).
    security(("session" = []), ("bearer" = [])),
    tags(
        (name = "auth", description = "Agent login and the session"),
        (name = "sites", description = "Sites, their allowed origins and appearance"),
        (name = "streams", description = "Published streams (dialogues) of a site"),
        (name = "rules", description = "Custom routing rules and account routes of a site"),
        (name = "agents", description = "Agent accounts, their passwords and schedules"),
        (name = "teams", description = "Teams of agents"),
        (name = "conversations", description = "How a conversation was routed"),
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
