//! The public HTTP API the widget calls. Cross-origin by nature (the widget runs
//! on the site's own pages), so every handler checks the caller's `Origin`
//! against the site's allowed origins and answers CORS only to those.

use axum::extract::{ConnectInfo, Path, State};
use axum::http::header::{ACCESS_CONTROL_ALLOW_ORIGIN, ORIGIN, VARY};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use std::net::SocketAddr;
use switchboard_protocol::site::{SiteConfig, SiteKey};
use switchboard_protocol::stats::{StreamEvents, MAX_BATCH_BYTES};
use switchboard_protocol::stream::{CardKind, Routing, Stream};
use switchboard_protocol::PROTOCOL_VERSION;

use crate::error::ApiError;
use crate::state::AppState;
use crate::stats_limits::StatsLimits;
use crate::store::Site;

/// Checks the request's `Origin` for `site`. A request without `Origin` is not
/// from a browser's cross-origin fetch (curl, same-origin) and gets no CORS
/// header, so a browser on a foreign page still cannot read the answer.
pub(crate) fn allowed_origin(site: &Site, headers: &HeaderMap) -> Result<Option<HeaderValue>, ApiError> {
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
        files: state.store.file_settings(site.id).await?.unwrap_or_default(),
    };
    let mut response = Json(config).into_response();
    if let Some(origin) = origin {
        response.headers_mut().insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        response.headers_mut().insert(VARY, HeaderValue::from_static("Origin"));
    }
    Ok(response)
}

/// `POST /api/sites/{key}/stream-events`: a batch of what one visit did in
/// the streams ([`StreamEvents`], JSON in any content type: the widget
/// sends it with `navigator.sendBeacon` as text so that no preflight is
/// needed). From an allowed origin only; up to [`MAX_BATCH_BYTES`] (413
/// `too_large`), 30 batches a minute per address and site (429
/// `rate_limited`); each stream version and card must exist (400). 204.
pub async fn stream_events(
    State(state): State<AppState>,
    Path(key): Path<String>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    crate::extract::Body(body): crate::extract::Body,
) -> Result<Response, ApiError> {
    if body.len() > MAX_BATCH_BYTES {
        return Err(ApiError::TooLarge);
    }
    let key = SiteKey::parse(&key).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let site = state.store.site(&key).await?.ok_or(ApiError::NotFound("site"))?;
    // Only from a page the site allows (a browser always sends Origin here).
    if !headers.get(ORIGIN).is_some_and(|o| site.allowed_origins.iter().any(|a| a.as_bytes() == o.as_bytes()))
    {
        return Err(ApiError::OriginNotAllowed);
    }
    let now = tokio::time::Instant::now();
    let limits: &StatsLimits = &state.stats_limits;
    let address = (site.id.get(), peer.ip());
    if let Some(wait) = limits.wait(address, now) {
        return Err(ApiError::TooMany {
            code: "rate_limited",
            message: "too many stream events; try again later",
            retry_after: wait,
        });
    }
    limits.count(address, now);
    let batch: StreamEvents = serde_json::from_slice(&body)
        .map_err(|e| ApiError::BadRequest(format!("not a batch of stream events: {e}")))?;
    if let Some(problem) = batch.problem() {
        return Err(ApiError::BadRequest(problem));
    }
    let mut known = std::collections::HashMap::new();
    for e in &batch.events {
        let cards = match known.entry((e.stream.as_str(), e.version)) {
            std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(state.store.stream_card_ids(site.id, &e.stream, e.version).await?)
            }
        };
        let ok = cards.as_ref().is_some_and(|cards| cards.contains(&e.card));
        if !ok {
            return Err(ApiError::BadRequest(format!(
                "no card {:?} in version {} of stream {:?}",
                e.card, e.version, e.stream
            )));
        }
    }
    state.store.record_stream_events(site.id, &batch, state.clock.now_ms()).await?;
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}
