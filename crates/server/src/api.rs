//! The public HTTP API the widget calls. Cross-origin by nature (the widget runs
//! on the site's own pages), so every handler checks the caller's `Origin`
//! against the site's allowed origins and answers CORS only to those.

use axum::extract::{Path, State};
use axum::http::header::{ACCESS_CONTROL_ALLOW_ORIGIN, ORIGIN, VARY};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use switchboard_protocol::site::{SiteConfig, SiteKey};
use switchboard_protocol::stream::{CardKind, Routing, Stream};
use switchboard_protocol::PROTOCOL_VERSION;

use crate::error::ApiError;
use crate::state::AppState;
use crate::store::Site;

/// Checks the request's `Origin` for `site`. A request without `Origin` is not
/// from a browser's cross-origin fetch (curl, same-origin) and gets no CORS
/// header, so a browser on a foreign page still cannot read the answer.
fn allowed_origin(site: &Site, headers: &HeaderMap) -> Result<Option<HeaderValue>, ApiError> {
    match headers.get(ORIGIN) {
        None => Ok(None),
        Some(origin) if site.allowed_origins.iter().any(|o| o.as_bytes() == origin.as_bytes()) => {
            Ok(Some(origin.clone()))
        }
        Some(_) => Err(ApiError::OriginNotAllowed),
    }
}

/// A stream as the public config shows it: a live chat card's named agent
/// becomes an opaque reference (stable for the card, derived from no email
/// or id), so the page's source names no agent. The widget never needs it:
/// its hand-off names the card, and the server routes by its own copy.
fn public(site: &SiteKey, mut stream: Stream) -> Stream {
    for card in &mut stream.cards {
        if let CardKind::LiveChat { routing: routing @ Routing::Agent(_), .. } = &mut card.kind {
            let seed = format!("switchboard agent reference\0{site}\0{}\0{}", stream.id, card.id);
            let digest = crate::auth::token_hash(&seed);
            *routing = Routing::Agent(format!("agent-{}", &digest[..16]));
        }
    }
    stream
}

/// `GET /api/sites/{key}/config`: what the widget needs to start.
pub async fn site_config(
    State(state): State<AppState>,
    Path(key): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let key = SiteKey::parse(&key).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let site = state.store.site(&key).await?.ok_or(ApiError::NotFound("site"))?;
    let origin = allowed_origin(&site, &headers)?;
    // With chat off the widget shows nothing: it needs no streams.
    let streams = if site.settings.chat_enabled {
        state.store.streams(site.id).await?.into_iter().map(|s| public(&site.key, s)).collect()
    } else {
        Vec::new()
    };
    let config = SiteConfig {
        site: site.key,
        protocol_version: PROTOCOL_VERSION,
        appearance: site.appearance,
        streams,
        chat_enabled: site.settings.chat_enabled,
        blocked_email_domains: site.settings.blocked_email_domains,
    };
    let mut response = Json(config).into_response();
    if let Some(origin) = origin {
        response.headers_mut().insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        response.headers_mut().insert(VARY, HeaderValue::from_static("Origin"));
    }
    Ok(response)
}
