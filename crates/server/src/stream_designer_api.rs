//! The stream designer's HTTP API under `/api/admin/sites/{key}/streams/{id}/`
//! ([`crate::stream_designer`]): the draft (`draft`), publishing it
//! (`publish`), the release history (`releases`, `releases/{version}`) and
//! restoring a release (`releases/{version}/restore`). Who saves or
//! publishes is the signed-in admin.
//!
//! A stale revision is a 409 `draft_conflict` whose body
//! ([`DraftConflict`]) carries the draft as it is now; a draft the
//! validator refuses is a 422 `invalid_stream` whose body
//! ([`InvalidDraft`]) lists the findings by card, field and rule.

use axum::extract::{DefaultBodyLimit, State};
use serde::Deserialize;
use switchboard_protocol::admin::{
    DraftConflict, DraftView, InvalidDraft, PublishDraft, ReleaseView, RestoreRelease, SaveDraft,
    StreamPublished, MAX_DRAFT_BYTES,
};
use switchboard_protocol::stream::Stream;
use utoipa::IntoParams;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

use crate::admin_access::{Admin, SiteStream};
use crate::error::ApiError;
use crate::extract::{Json, Path};
use crate::refusals::{AdminRefusals, BodyRefusals, Invalid, NotFound};
use crate::state::AppState;
use crate::stream_designer::{self as designer, Author};

/// The designer's routes with their OpenAPI operations.
pub(crate) fn documented() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        // A draft is a whole stream: its own limit, a little over the
        // largest draft (the executor measures the stream itself).
        .routes(routes!(get_draft, save_draft).layer(DefaultBodyLimit::max(MAX_DRAFT_BYTES + 1024)))
        .routes(routes!(publish_draft))
        .routes(routes!(list_releases))
        .routes(routes!(get_release))
        .routes(routes!(restore_release))
}

/// A release of a site's stream.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub(crate) struct StreamRelease {
    /// The site's key.
    #[param(example = "demo", pattern = "^[a-z0-9_-]{3,64}$")]
    key: String,
    /// The stream's id.
    #[param(example = "recommended")]
    id: String,
    /// The version the release published.
    #[param(minimum = 1)]
    version: u32,
}

fn author(admin: &Admin) -> Author<'_> {
    Author { name: &admin.0.name, email: &admin.0.email }
}

/// A stream's draft; a published stream without one answers its published
/// form as revision 0.
#[utoipa::path(
    get, path = "/api/admin/sites/{key}/streams/{id}/draft", tag = "streams", params(SiteStream),
    responses(
        (status = 200, description = "The draft", body = DraftView),
        Invalid,
        NotFound,
        AdminRefusals,
    )
)]
async fn get_draft(
    _: Admin,
    State(s): State<AppState>,
    Path(SiteStream { key, id }): Path<SiteStream>,
) -> Result<Json<DraftView>, ApiError> {
    Ok(Json(designer::draft(&s.store, &key, &id).await?))
}

/// Saves a stream's draft (a whole stream, which need not be publishable
/// yet) as its next revision, if it is still at `base_revision` (0 starts a
/// draft of a new stream, or of a published one without a draft).
#[utoipa::path(
    put, path = "/api/admin/sites/{key}/streams/{id}/draft", tag = "streams", params(SiteStream),
    request_body = SaveDraft,
    responses(
        (status = 200, description = "Saved: the draft with its new revision", body = DraftView),
        BodyRefusals,
        NotFound,
        (status = 409, description = "The draft is no longer at `base_revision`: another tab or \
            admin saved or published since (`draft_conflict`). Nothing changed; `draft` is the \
            draft as it is now.", body = DraftConflict),
        AdminRefusals,
    )
)]
async fn save_draft(
    admin: Admin,
    State(s): State<AppState>,
    Path(SiteStream { key, id }): Path<SiteStream>,
    Json(b): Json<SaveDraft>,
) -> Result<Json<DraftView>, ApiError> {
    let now = s.clock.now_ms();
    Ok(Json(designer::save_draft(&s.store, &key, &id, &b, author(&admin), now).await?))
}

/// Publishes a stream's draft, exactly as it is at `base_revision`, as the
/// stream's next version, with a release note. Visitors already in the
/// stream finish the version they started.
#[utoipa::path(
    post, path = "/api/admin/sites/{key}/streams/{id}/publish", tag = "streams", params(SiteStream),
    request_body = PublishDraft,
    responses(
        (status = 200, description = "Published: its id, version and warnings", body = StreamPublished),
        BodyRefusals,
        NotFound,
        (status = 409, description = "The draft is no longer at `base_revision` \
            (`draft_conflict`): nothing was published; `draft` is the draft as it is now.",
            body = DraftConflict),
        (status = 422, description = "The draft breaks the validator's rules (`invalid_stream`): \
            nothing was published; `findings` has every error on its card and field.",
            body = InvalidDraft),
        AdminRefusals,
    )
)]
async fn publish_draft(
    admin: Admin,
    State(s): State<AppState>,
    Path(SiteStream { key, id }): Path<SiteStream>,
    Json(b): Json<PublishDraft>,
) -> Result<Json<StreamPublished>, ApiError> {
    let now = s.clock.now_ms();
    Ok(Json(designer::publish_draft(&s.store, &key, &id, &b, author(&admin), now).await?))
}

/// A stream's releases, newest first: who published which version, when,
/// with what note, and what it changed since the release before.
#[utoipa::path(
    get, path = "/api/admin/sites/{key}/streams/{id}/releases", tag = "streams", params(SiteStream),
    responses(
        (status = 200, description = "The releases, newest first", body = Vec<ReleaseView>),
        Invalid,
        NotFound,
        AdminRefusals,
    )
)]
async fn list_releases(
    _: Admin,
    State(s): State<AppState>,
    Path(SiteStream { key, id }): Path<SiteStream>,
) -> Result<Json<Vec<ReleaseView>>, ApiError> {
    Ok(Json(designer::releases(&s.store, &key, &id).await?))
}

/// The stream a release published.
#[utoipa::path(
    get, path = "/api/admin/sites/{key}/streams/{id}/releases/{version}", tag = "streams",
    params(StreamRelease),
    responses(
        (status = 200, description = "The stream as that release published it", body = Stream),
        Invalid,
        NotFound,
        AdminRefusals,
    )
)]
async fn get_release(
    _: Admin,
    State(s): State<AppState>,
    Path(StreamRelease { key, id, version }): Path<StreamRelease>,
) -> Result<Json<Stream>, ApiError> {
    Ok(Json(designer::release(&s.store, &key, &id, version).await?))
}

/// Publishes a release's stream again, as the stream's next version (with
/// the note given, else "Restored version N"); it becomes the draft. The
/// body may be `{}`.
#[utoipa::path(
    post, path = "/api/admin/sites/{key}/streams/{id}/releases/{version}/restore", tag = "streams",
    params(StreamRelease),
    request_body = RestoreRelease,
    responses(
        (status = 200, description = "Published: its id, new version and warnings", body = StreamPublished),
        BodyRefusals,
        NotFound,
        (status = 422, description = "The release no longer passes the validator \
            (`invalid_stream`): nothing was published; `findings` has every error.",
            body = InvalidDraft),
        AdminRefusals,
    )
)]
async fn restore_release(
    admin: Admin,
    State(s): State<AppState>,
    Path(StreamRelease { key, id, version }): Path<StreamRelease>,
    Json(b): Json<RestoreRelease>,
) -> Result<Json<StreamPublished>, ApiError> {
    let now = s.clock.now_ms();
    Ok(Json(designer::restore(&s.store, &key, &id, version, &b, author(&admin), now).await?))
}
