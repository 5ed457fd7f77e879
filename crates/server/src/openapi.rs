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
use std::sync::LazyLock;
use switchboard_protocol::admin::ErrorBody;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
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
        (name = "canned", description = "Shared canned responses (for every agent, one site or one \
            team)"),
        (name = "conversations", description = "Every conversation, one in full, and how it was \
            routed"),
        (name = "reports", description = "Live chat performance over a range of days (JSON and \
            CSV), and what is going on now"),
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
