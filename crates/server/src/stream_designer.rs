//! The stream designer's operations, shared by the admin HTTP API
//! (`stream_designer_api`) and the command line (`stream pull|push|releases|
//! restore`): a draft per stream saved as the admin works, publishing the
//! draft with a note, the release history and restoring a release.
//!
//! A draft may be invalid (that is what drafts are for); only publishing
//! runs the validator. Saves and publishes name the draft's revision they
//! started from, so a second tab or a second admin is told
//! ([`AdminError::DraftConflict`], with the draft as it is now) and never
//! silently overwritten. Every way of publishing (the draft, a stream file,
//! a restore) records a release; the ones that publish something else than
//! the draft make it the draft, so the designer, a file and the command
//! line never disagree about what the stream is.

use switchboard_protocol::admin::{
    check_stream_id, DraftView, PublishDraft, ReleaseView, RestoreRelease, SaveDraft, StreamFinding,
    StreamPublished, MAX_DRAFT_BYTES,
};
use switchboard_protocol::stream::{file, Stream, ValidStream};

use crate::admin::{stored_site, AdminError};
use crate::store::{DraftAfter, Site, Store};

pub use crate::store::Author;

/// The site with key `raw_key`, once stream id `id` is known to be one a
/// stream could have (refused by field `id`).
async fn site_for(store: &Store, raw_key: &str, id: &str) -> Result<Site, AdminError> {
    check_stream_id(id)?;
    stored_site(store, raw_key).await
}

/// The draft of stream `id`, or its published form as revision 0 when it
/// has no draft; `None` when it is neither drafted nor published.
async fn draft_view(store: &Store, site: &Site, id: &str) -> Result<Option<DraftView>, AdminError> {
    let published = store.published_stream(site.id, id).await?.map(|(stream, _)| stream);
    let published_version = published.as_ref().map(|s| s.version);
    if let Some(d) = store.draft(site.id, id).await? {
        return Ok(Some(DraftView {
            stream: d.stream,
            revision: d.revision,
            saved_at: d.saved_at,
            saved_by: d.saved_by,
            published_version,
        }));
    }
    let Some(stream) = published else { return Ok(None) };
    let times = store.published_times(site.id).await?;
    let saved_at = times.iter().find(|(i, _)| i == id).map_or(0, |(_, ms)| *ms);
    Ok(Some(DraftView {
        stream: Stream { version: 0, ..stream },
        revision: 0,
        saved_at,
        saved_by: String::new(),
        published_version,
    }))
}

/// Refuses a draft that is over the size limit as JSON.
fn check_size(stream: &Stream) -> Result<(), AdminError> {
    let bytes = serde_json::to_string(stream).expect("Stream serializes").len();
    if bytes > MAX_DRAFT_BYTES {
        return Err(AdminError::TooLarge(format!(
            "the draft is {bytes} bytes as JSON; at most {MAX_DRAFT_BYTES}"
        )));
    }
    Ok(())
}

/// The draft of a site's stream `id`, or its published form as revision 0
/// when it has none yet (so opening a published stream just works).
pub async fn draft(store: &Store, raw_key: &str, id: &str) -> Result<DraftView, AdminError> {
    let site = site_for(store, raw_key, id).await?;
    draft_view(store, &site, id).await?.ok_or_else(|| AdminError::NotFound("stream", id.to_owned()))
}

/// Saves the draft of stream `id` at `now` (unix ms) as its next revision,
/// if it is still at `req.base_revision`; otherwise refuses with the draft
/// as it is ([`AdminError::DraftConflict`]) and changes nothing.
pub async fn save_draft(
    store: &Store,
    raw_key: &str,
    id: &str,
    req: &SaveDraft,
    by: Author<'_>,
    now: i64,
) -> Result<DraftView, AdminError> {
    req.check(id)?;
    let site = stored_site(store, raw_key).await?;
    check_size(&req.stream)?;
    let saved = store.save_draft(site.id, &req.stream, Some(req.base_revision), by.name, now).await?;
    let Some(saved) = saved else { return Err(conflict(store, &site, id).await) };
    let published_version = store.published_stream(site.id, id).await?.map(|(s, _)| s.version);
    Ok(DraftView {
        stream: saved.stream,
        revision: saved.revision,
        saved_at: saved.saved_at,
        saved_by: saved.saved_by,
        published_version,
    })
}

/// The refusal of a save or publish that named a stale revision: the draft
/// as it is now (not found when it is gone altogether).
async fn conflict(store: &Store, site: &Site, id: &str) -> AdminError {
    match draft_view(store, site, id).await {
        Ok(Some(current)) => AdminError::DraftConflict(Box::new(current)),
        Ok(None) => AdminError::NotFound("stream", id.to_owned()),
        Err(e) => e,
    }
}

/// Replaces the draft of `stream` (by its id) at `now` (unix ms), whatever
/// revision it is at: the command line's push, which is explicit.
pub async fn push_draft(
    store: &Store,
    raw_key: &str,
    stream: &Stream,
    now: i64,
) -> Result<DraftView, AdminError> {
    let req = SaveDraft { stream: stream.clone(), base_revision: 0 };
    req.check(&stream.id)?;
    let site = stored_site(store, raw_key).await?;
    check_size(stream)?;
    store.save_draft(site.id, stream, None, "", now).await?;
    draft(store, raw_key, &stream.id).await
}

/// The validated form of a stream about to be published, or every error.
fn validated(stream: Stream) -> Result<ValidStream, AdminError> {
    Stream { version: 0, ..stream }
        .validate()
        .map_err(|report| AdminError::InvalidDraft(report.errors.iter().map(StreamFinding::from).collect()))
}

fn published(valid: &ValidStream, version: u32) -> StreamPublished {
    StreamPublished {
        id: valid.stream().id.clone(),
        version,
        warnings: valid.warnings().iter().map(ToString::to_string).collect(),
    }
}

/// Publishes the draft of stream `id` at `now` (unix ms) as the stream's
/// next version, exactly as it is at `req.base_revision` (else refused with
/// [`AdminError::DraftConflict`]), recording the release with the note. A
/// draft the validator refuses is not published
/// ([`AdminError::InvalidDraft`], every error on its card).
pub async fn publish_draft(
    store: &Store,
    raw_key: &str,
    id: &str,
    req: &PublishDraft,
    by: Author<'_>,
    now: i64,
) -> Result<StreamPublished, AdminError> {
    req.check()?;
    let site = site_for(store, raw_key, id).await?;
    let current =
        draft_view(store, &site, id).await?.ok_or_else(|| AdminError::NotFound("stream", id.to_owned()))?;
    if current.revision != req.base_revision {
        return Err(AdminError::DraftConflict(Box::new(current)));
    }
    let valid = validated(current.stream)?;
    let source = file::write(valid.stream());
    let draft = DraftAfter::Published { revision: req.base_revision };
    match store.publish(site.id, &valid, &source, &by.release(&req.note), draft, now).await? {
        Some(version) => Ok(published(&valid, version)),
        // Saved elsewhere between the read and the publish.
        None => Err(conflict(store, &site, id).await),
    }
}

/// A stream's releases, newest first, each with what it changed; empty for
/// a stream only drafted so far.
pub async fn releases(store: &Store, raw_key: &str, id: &str) -> Result<Vec<ReleaseView>, AdminError> {
    let site = site_for(store, raw_key, id).await?;
    let releases = store.releases(site.id, id).await?;
    if releases.is_empty() && store.draft(site.id, id).await?.is_none() {
        return Err(AdminError::NotFound("stream", id.to_owned()));
    }
    Ok(releases
        .into_iter()
        .map(|r| ReleaseView {
            version: r.version,
            published_at: r.published_at,
            published_by: r.by_name,
            published_by_email: r.by_email,
            note: r.note,
            changes: r.changes,
            settings_changed: r.settings_changed,
        })
        .collect())
}

/// The stream release `version` of stream `id` published.
pub async fn release(store: &Store, raw_key: &str, id: &str, version: u32) -> Result<Stream, AdminError> {
    let site = site_for(store, raw_key, id).await?;
    store
        .release_stream(site.id, id, version)
        .await?
        .ok_or_else(|| AdminError::NotFound("release", format!("{id} version {version}")))
}

/// Publishes release `version` of stream `id` again, as its next version, at
/// `now` (unix ms), with the note given or "Restored version N"; it becomes
/// the draft. Visitors who started another version finish theirs.
pub async fn restore(
    store: &Store,
    raw_key: &str,
    id: &str,
    version: u32,
    req: &RestoreRelease,
    by: Author<'_>,
    now: i64,
) -> Result<StreamPublished, AdminError> {
    req.check()?;
    let old = release(store, raw_key, id, version).await?;
    let site = stored_site(store, raw_key).await?;
    let valid = validated(old)?;
    let source = file::write(valid.stream());
    let note = req.note_for(version);
    let new = store.publish(site.id, &valid, &source, &by.release(&note), DraftAfter::Replace, now).await?;
    Ok(published(&valid, new.expect("publishing that replaces the draft does not wait for a revision")))
}

/// The draft of stream `id` (or its published form) as a stream file.
pub async fn pull(store: &Store, raw_key: &str, id: &str) -> Result<String, AdminError> {
    Ok(file::write(&draft(store, raw_key, id).await?.stream))
}
