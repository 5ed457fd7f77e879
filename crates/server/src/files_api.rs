//! Files in chats over HTTP, both ways. A file is a message: sent with a
//! client id (a resend stores nothing twice), numbered, told over the
//! sockets like any message, and resumed with them.
//!
//! - An agent sends one in their open chat: `POST
//!   /api/conversations/{id}/files?client_id=…&name=…`, the bytes as the
//!   body (session cookie from the inbox, or bearer token).
//! - A visitor sends one in their open chat: `POST /api/visitor/files`, a
//!   `multipart/form-data` body (no preflight, unless the page watches
//!   the upload's progress)
//!   with `site`, `token` (the visitor token), `client_id` and `file`, last.
//!   Only from the site's allowed origins; 20 per conversation. A
//!   preflight (`OPTIONS`, sent when the page watches the upload's
//!   progress) is answered for POST.
//! - An agent reads one: `GET /api/files/{id}`; the visitor of its
//!   conversation: `POST /api/visitor/files/{id}` with `site` and `token`
//!   (a form). Served as an attachment with its checked type, `nosniff`
//!   and `default-src 'none'`, never stored by caches.
//!
//! What is taken is each site's: a largest size (10 MB unless set) and the
//! groups of kinds, told by the bytes ([`switchboard_protocol::files::sniff`]),
//! never by the name or the type the browser claims.

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::header::{
    ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS,
    ACCESS_CONTROL_MAX_AGE, CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, VARY,
};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use switchboard_protocol::files::{clean_name, human_size, sniff, FileRef, MAX_FILE_MB};
use switchboard_protocol::site::SiteKey;
use switchboard_protocol::wire::{self, Author, ChatMessage, ConversationState};

use crate::auth::{token_hash, CurrentAgent};
use crate::error::ApiError;
use crate::ids::{AgentId, ConversationId};
use crate::state::AppState;
use crate::store::files::FileSettings;
use crate::store::Site;

/// The most files a visitor sends in one conversation.
pub const MAX_VISITOR_FILES: i64 = 20;

/// Room for a multipart body's fields around the largest file.
const BODY_SLACK: usize = 64 * 1024;

/// The routes.
pub fn routes() -> Router<AppState> {
    let limit = DefaultBodyLimit::max(usize::try_from(MAX_FILE_MB).unwrap_or(25) * 1024 * 1024 + BODY_SLACK);
    Router::new()
        .route("/api/conversations/{id}/files", post(agent_upload).layer(limit))
        .route("/api/visitor/files", post(visitor_upload).options(preflight).layer(limit))
        .route("/api/files/{id}", get(agent_download))
        .route("/api/visitor/files/{id}", post(visitor_download))
}

#[derive(Deserialize)]
struct UploadQuery {
    client_id: String,
    #[serde(default)]
    name: String,
}

/// Why a file is refused, with its stable code.
fn refused(code: &'static str, message: String) -> ApiError {
    ApiError::FileRefused { code, message }
}

/// A file of (at least) `size` bytes is over the site's limit.
fn too_large(size: usize, settings: &FileSettings) -> ApiError {
    refused(
        "file_too_large",
        format!(
            "the file is {} or more; this site takes files up to {} MB",
            human_size(size as u64),
            settings.max_mb
        ),
    )
}

/// The file `bytes` named `name` checked against `settings`: its
/// reference (with a new id), or why not.
fn check(bytes: &[u8], name: &str, settings: &FileSettings) -> Result<FileRef, ApiError> {
    if settings.max_mb == 0 {
        return Err(refused("files_off", "this site takes no files".into()));
    }
    if bytes.len() > settings.max_bytes() {
        return Err(refused(
            "file_too_large",
            format!(
                "the file is {}; this site takes files up to {} MB",
                human_size(bytes.len() as u64),
                settings.max_mb
            ),
        ));
    }
    let taken: Vec<&str> = settings.groups.iter().map(|g| g.key()).collect();
    let kind = sniff(bytes).filter(|k| settings.groups.contains(&k.group())).ok_or_else(|| {
        refused(
            "file_type",
            format!("this kind of file is not taken here; this site takes: {}", taken.join(", ")),
        )
    })?;
    Ok(FileRef {
        id: crate::auth::random_token(),
        name: clean_name(name, kind),
        mime: kind.mime().to_owned(),
        size: bytes.len() as u64,
    })
}

async fn site_files(s: &AppState, site: crate::ids::SiteId) -> Result<FileSettings, ApiError> {
    s.store.file_settings(site).await?.ok_or(ApiError::NotFound("site"))
}

async fn agent_upload(
    CurrentAgent(me): CurrentAgent,
    State(s): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<UploadQuery>,
    body: Bytes,
) -> Result<Json<ChatMessage>, ApiError> {
    let id = ConversationId::new(id);
    let conv = s.store.conversation(id).await?.ok_or(ApiError::NotFound("conversation"))?;
    if conv.agent_id != Some(AgentId::new(me.id)) || conv.state == ConversationState::Offered {
        return Err(ApiError::NotFound("conversation"));
    }
    if conv.state != ConversationState::Active {
        return Err(refused("ended", "the conversation has ended".into()));
    }
    let file = check(&body, &q.name, &site_files(&s, conv.site_id).await?)?;
    wire::check_message(&q.client_id, &file.name).map_err(|e| ApiError::BadRequest(e.message))?;
    let (message, _) = crate::lifecycle::post_file(&s, id, Author::Agent, &q.client_id, &file, &body, None)
        .await?
        .ok_or_else(|| ApiError::Internal("an agent's file was capped".into()))?;
    Ok(Json(message))
}

/// Reads a text field of a visitor's form, refusing one over 200 bytes.
async fn small_text(field: &mut axum::extract::multipart::Field<'_>, name: &str) -> Result<String, ApiError> {
    let mut text = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(bad_form)? {
        text.extend_from_slice(&chunk);
        if text.len() > 200 {
            return Err(ApiError::BadRequest(format!("{name} is too long")));
        }
    }
    String::from_utf8(text).map_err(|_| ApiError::BadRequest(format!("{name} is not UTF-8")))
}

fn bad_form(e: axum::extract::multipart::MultipartError) -> ApiError {
    ApiError::BadRequest(e.body_text())
}

/// The next field of a visitor's form, which must be `name`.
async fn next_field<'a>(
    form: &'a mut Multipart,
    name: &str,
) -> Result<axum::extract::multipart::Field<'a>, ApiError> {
    let field = form.next_field().await.map_err(bad_form)?;
    match field {
        Some(f) if f.name() == Some(name) => Ok(f),
        _ => Err(ApiError::BadRequest(format!(
            "the form's fields are site, token, client_id and file, in order; expected {name}"
        ))),
    }
}

/// The site named in a visitor's request, its `Origin` checked; and the
/// CORS header to answer with.
async fn visitor_site(
    s: &AppState,
    key: &str,
    headers: &HeaderMap,
) -> Result<(Site, Option<HeaderValue>), ApiError> {
    let key = SiteKey::parse(key).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let site = s.store.site(&key).await?.ok_or(ApiError::NotFound("site"))?;
    let origin = crate::api::allowed_origin(&site, headers)?;
    Ok((site, origin))
}

/// `response` readable by a page of `origin` (refusals too, so the page
/// can say why), with the file's name.
fn with_cors(mut response: Response, origin: Option<HeaderValue>) -> Response {
    if let Some(o) = origin {
        let h = response.headers_mut();
        h.insert(ACCESS_CONTROL_ALLOW_ORIGIN, o);
        h.insert(VARY, HeaderValue::from_static("Origin"));
        h.insert(ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static("Content-Disposition"));
    }
    response
}

/// `OPTIONS /api/visitor/files`: a browser asks first when the widget
/// listens to the upload's progress (any upload listener makes the request
/// "not simple"). Granted to any origin, for POST with no headers of its
/// own: it allows nothing the browser would not send without asking (a
/// multipart POST is a simple request), and the upload's own answer checks
/// the origin against the site's.
async fn preflight(headers: HeaderMap) -> Response {
    let mut response = axum::http::StatusCode::NO_CONTENT.into_response();
    if let Some(origin) = headers.get(axum::http::header::ORIGIN) {
        let h = response.headers_mut();
        h.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
        h.insert(ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("POST"));
        h.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
        h.insert(VARY, HeaderValue::from_static("Origin"));
    }
    response
}

async fn visitor_upload(
    State(s): State<AppState>,
    headers: HeaderMap,
    mut form: Multipart,
) -> Result<Response, ApiError> {
    // Who and where first (the fields come in order), so nothing of the
    // file is read for a request that is refused anyway.
    let key = small_text(&mut next_field(&mut form, "site").await?, "site").await?;
    let (site, origin) = visitor_site(&s, &key, &headers).await?;
    let answer = async {
        let token = small_text(&mut next_field(&mut form, "token").await?, "token").await?;
        let client_id = small_text(&mut next_field(&mut form, "client_id").await?, "client_id").await?;
        let visitor = s.store.visitor(site.id, &token_hash(&token)).await?.ok_or(ApiError::Unauthorized)?;
        let conv = s.store.latest_conversation(visitor).await?.ok_or(ApiError::NotFound("conversation"))?;
        if matches!(conv.state, ConversationState::Ended | ConversationState::Fallback) {
            return Err(refused("ended", "the conversation has ended".into()));
        }
        let settings = site_files(&s, site.id).await?;
        if settings.max_mb == 0 {
            return Err(refused("files_off", "this site takes no files".into()));
        }
        let mut field = next_field(&mut form, "file").await?;
        let name = field.file_name().unwrap_or("").to_owned();
        // Read up to the site's limit, and no further.
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(bad_form)? {
            if bytes.len() + chunk.len() > settings.max_bytes() {
                return Err(too_large(bytes.len() + chunk.len(), &settings));
            }
            bytes.extend_from_slice(&chunk);
        }
        let file = check(&bytes, &name, &settings)?;
        wire::check_message(&client_id, &file.name).map_err(|e| ApiError::BadRequest(e.message))?;
        let stored = crate::lifecycle::post_file(
            &s,
            conv.id,
            Author::Visitor,
            &client_id,
            &file,
            &bytes,
            Some(MAX_VISITOR_FILES),
        )
        .await?
        .ok_or_else(|| {
            refused("too_many_files", format!("at most {MAX_VISITOR_FILES} files in a conversation"))
        })?;
        Ok(Json(stored.0).into_response())
    }
    .await;
    Ok(with_cors(answer.unwrap_or_else(IntoResponse::into_response), origin))
}

/// A stored file as a download.
fn serve(file: crate::store::files::StoredFile) -> Response {
    let ascii: String =
        file.name.chars().map(|c| if c.is_ascii_graphic() || c == ' ' { c } else { '_' }).collect();
    let encoded = switchboard_protocol::admin::conversations::encode(&file.name);
    let disposition =
        format!("attachment; filename=\"{}\"; filename*=UTF-8''{encoded}", ascii.replace('"', "_"));
    let mut response = file.bytes.into_response();
    let h = response.headers_mut();
    h.insert(
        CONTENT_TYPE,
        HeaderValue::from_str(&file.mime).unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(CONTENT_DISPOSITION, v);
    }
    h.insert(CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    response
}

/// An agent reads a file of their own open chat or of any past one (as
/// they read the chats themselves); an admin any.
async fn agent_download(
    CurrentAgent(me): CurrentAgent,
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let file = s.store.file(&id).await?.ok_or(ApiError::NotFound("file"))?;
    let conv = s.store.conversation(file.conversation).await?.ok_or(ApiError::NotFound("file"))?;
    let past = matches!(conv.state, ConversationState::Ended | ConversationState::Fallback);
    let admin = me.role == switchboard_protocol::auth::Role::Admin;
    if !past && !admin && conv.agent_id != Some(AgentId::new(me.id)) {
        return Err(ApiError::NotFound("file"));
    }
    Ok(serve(file))
}

#[derive(Deserialize)]
struct VisitorRead {
    site: String,
    token: String,
}

async fn visitor_download(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    axum::Form(read): axum::Form<VisitorRead>,
) -> Result<Response, ApiError> {
    let (site, origin) = visitor_site(&s, &read.site, &headers).await?;
    let answer = async {
        let visitor =
            s.store.visitor(site.id, &token_hash(&read.token)).await?.ok_or(ApiError::Unauthorized)?;
        let file = s.store.file(&id).await?.ok_or(ApiError::NotFound("file"))?;
        let conv = s.store.conversation(file.conversation).await?.ok_or(ApiError::NotFound("file"))?;
        if conv.visitor_id != visitor {
            // Not 403: whether someone else's file exists is not theirs to know.
            return Err(ApiError::NotFound("file"));
        }
        Ok(serve(file))
    }
    .await;
    Ok(with_cors(answer.unwrap_or_else(IntoResponse::into_response), origin))
}
