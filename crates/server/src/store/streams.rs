//! Published streams: each site's current ones, every version ever
//! published (a visitor finishes the one they started), publishing (which
//! records the release and replaces or keeps the draft, see `drafts`) and
//! the live chat routing a hand-off takes from them.

use switchboard_protocol::admin::{settings_changed, CardChanges};
use switchboard_protocol::stream::{CardKind, Routing, Stream, ValidStream};

use super::drafts::{draft_json, stream_from_json};
use super::{on_db, Store, StoreError};
use crate::ids::SiteId;

/// Who published a release, and why; empty from the command line.
#[derive(Debug, Clone, Copy, Default)]
pub struct Release<'a> {
    /// The release note.
    pub note: &'a str,
    /// The publishing agent's name.
    pub by_name: &'a str,
    /// Their email.
    pub by_email: &'a str,
}

/// Who saves or publishes: an agent, by name and email; nobody (empty)
/// from the command line.
#[derive(Debug, Clone, Copy, Default)]
pub struct Author<'a> {
    /// The agent's name.
    pub name: &'a str,
    /// The agent's email.
    pub email: &'a str,
}

impl<'a> Author<'a> {
    /// A release by this author with `note`.
    pub(crate) fn release(self, note: &'a str) -> Release<'a> {
        Release { note, by_name: self.name, by_email: self.email }
    }
}

/// What publishing does with the stream's draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DraftAfter {
    /// The draft becomes what was published, as its next revision (a file,
    /// the command line or a restore published something else than it).
    Replace,
    /// The draft itself is published: only while it is still at this
    /// revision (0: no draft row yet), and it stays as it is.
    Published {
        /// The revision the admin saw.
        revision: u64,
    },
}

impl Store {
    /// Publishes `stream` for a site at `now` (unix ms) as its next version
    /// (the one before stays stored, for visitors who started it), with a
    /// release by nobody and no note, and makes it the draft. Only a
    /// validated stream can be published. Returns the new version.
    pub async fn publish_stream(
        &self,
        site_id: SiteId,
        stream: &ValidStream,
        source: &str,
        now: i64,
    ) -> Result<u32, StoreError> {
        let version =
            self.publish(site_id, stream, source, &Release::default(), DraftAfter::Replace, now).await?;
        Ok(version.expect("publishing that replaces the draft does not wait for a revision"))
    }

    /// Publishes `stream` for a site at `now` (unix ms) as its next version
    /// and records its release (with what changed since the release
    /// before), doing `draft` with the draft, all in one transaction.
    /// Returns the new version; `None`, publishing nothing, when `draft`
    /// names a revision the draft is no longer at.
    pub async fn publish(
        &self,
        site_id: SiteId,
        stream: &ValidStream,
        source: &str,
        release: &Release<'_>,
        draft: DraftAfter,
        now: i64,
    ) -> Result<Option<u32>, StoreError> {
        let s = stream.stream();
        on_db!(self, begin_exclusive tx => {
            if let DraftAfter::Published { revision } = draft {
                let current: Option<i64> = sqlx::query_scalar(
                    "SELECT revision FROM stream_drafts WHERE site_id = $1 AND stream_id = $2",
                )
                .bind(site_id)
                .bind(&s.id)
                .fetch_optional(&mut *tx)
                .await?;
                if i64::try_from(revision) != Ok(current.unwrap_or(0)) {
                    return Ok(None);
                }
            }
            let last: Option<i64> = sqlx::query_scalar(
                "SELECT MAX(version) FROM stream_versions WHERE site_id = $1 AND stream_id = $2",
            )
            .bind(site_id)
            .bind(&s.id)
            .fetch_one(&mut *tx)
            .await?;
            let version = u32::try_from(last.unwrap_or(0) + 1).unwrap_or(u32::MAX);
            let model = serde_json::to_string(&Stream { version, ..s.clone() }).expect("Stream serializes");
            sqlx::query(
                "INSERT INTO stream_versions (site_id, stream_id, version, model, published_at)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(site_id)
            .bind(&s.id)
            .bind(i64::from(version))
            .bind(&model)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO streams (site_id, stream_id, priority, source, model, version, published_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (site_id, stream_id) DO UPDATE SET priority = excluded.priority,
                   source = excluded.source, model = excluded.model, version = excluded.version,
                   published_at = excluded.published_at",
            )
            .bind(site_id)
            .bind(&s.id)
            .bind(s.priority)
            .bind(source)
            .bind(model)
            .bind(i64::from(version))
            .bind(now)
            .execute(&mut *tx)
            .await?;
            // What changed since the release before (none after a removal).
            let before: Option<String> = sqlx::query_scalar(
                "SELECT v.model FROM stream_releases r
                 JOIN stream_versions v
                   ON v.site_id = r.site_id AND v.stream_id = r.stream_id AND v.version = r.version
                 WHERE r.site_id = $1 AND r.stream_id = $2 ORDER BY r.version DESC LIMIT 1",
            )
            .bind(site_id)
            .bind(&s.id)
            .fetch_optional(&mut *tx)
            .await?;
            let before = before.as_deref().map(stream_from_json).transpose()?;
            let changes = CardChanges::between(before.as_ref(), s);
            sqlx::query(
                "INSERT INTO stream_releases (site_id, stream_id, version, note, published_by_name,
                   published_by_email, published_at, changes, settings_changed)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(site_id)
            .bind(&s.id)
            .bind(i64::from(version))
            .bind(release.note)
            .bind(release.by_name)
            .bind(release.by_email)
            .bind(now)
            .bind(serde_json::to_string(&changes).expect("changes serialize"))
            .bind(settings_changed(before.as_ref(), s))
            .execute(&mut *tx)
            .await?;
            if draft == DraftAfter::Replace {
                sqlx::query(
                    "INSERT INTO stream_drafts (site_id, stream_id, model, revision, saved_at, saved_by)
                     VALUES ($1, $2, $3, 1, $4, $5)
                     ON CONFLICT (site_id, stream_id) DO UPDATE SET model = excluded.model,
                       revision = stream_drafts.revision + 1, saved_at = excluded.saved_at,
                       saved_by = excluded.saved_by",
                )
                .bind(site_id)
                .bind(&s.id)
                .bind(draft_json(s))
                .bind(now)
                .bind(release.by_name)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(Some(version))
        })
    }

    /// A site's published streams (each with its version), highest priority first.
    pub async fn streams(&self, site_id: SiteId) -> Result<Vec<Stream>, StoreError> {
        let rows: Vec<(String, i64)> = on_db!(self, pool => {
            sqlx::query_as(
                "SELECT model, version FROM streams WHERE site_id = $1 ORDER BY priority DESC, stream_id",
            )
            .bind(site_id)
            .fetch_all(pool)
            .await?
        });
        rows.iter()
            .map(|(m, v)| {
                let stream: Stream = serde_json::from_str(m)
                    .map_err(|source| StoreError::Corrupt { what: "stream", source })?;
                Ok(Stream { version: u32::try_from(*v).unwrap_or(0), ..stream })
            })
            .collect()
    }

    /// When each of a site's published streams was published (unix ms), by stream id.
    pub async fn published_times(&self, site_id: SiteId) -> Result<Vec<(String, i64)>, StoreError> {
        Ok(on_db!(self, pool => {
            sqlx::query_as("SELECT stream_id, published_at FROM streams WHERE site_id = $1")
                .bind(site_id)
                .fetch_all(pool)
                .await?
        }))
    }

    /// The routing option of the live chat card `card` in version `version`
    /// of a site's published stream; `None` when there is no such live chat
    /// card, or the version was superseded before `superseded_after` (unix
    /// ms): a visitor may finish the version they started, not pick
    /// an old one's routing.
    pub async fn live_chat_routing(
        &self,
        site_id: SiteId,
        stream_id: &str,
        version: u32,
        card: &str,
        superseded_after: i64,
    ) -> Result<Option<Routing>, StoreError> {
        let model: Option<String> = on_db!(self, pool => {
            sqlx::query_scalar(
                // Only of a stream still published: a removed one takes no hand-offs.
                "SELECT v.model FROM stream_versions v
                 JOIN streams s ON s.site_id = v.site_id AND s.stream_id = v.stream_id
                 LEFT JOIN stream_versions n
                   ON n.site_id = v.site_id AND n.stream_id = v.stream_id AND n.version = v.version + 1
                 WHERE v.site_id = $1 AND v.stream_id = $2 AND v.version = $3
                   AND (v.version = s.version OR n.published_at > $4)",
            )
            .bind(site_id)
            .bind(stream_id)
            .bind(i64::from(version))
            .bind(superseded_after)
            .fetch_optional(pool)
            .await?
        });
        let Some(model) = model else { return Ok(None) };
        let stream: Stream =
            serde_json::from_str(&model).map_err(|source| StoreError::Corrupt { what: "stream", source })?;
        Ok(stream.card(card).and_then(|c| match &c.kind {
            CardKind::LiveChat { routing, .. } => Some(routing.clone()),
            _ => None,
        }))
    }

    /// Removes a stream: unpublishes it and drops its draft and release
    /// history (its versions stay stored, so a stream published again under
    /// the id goes on from the next version number); `false` when there was
    /// nothing with that id.
    pub async fn delete_stream(&self, site_id: SiteId, stream_id: &str) -> Result<bool, StoreError> {
        on_db!(self, begin tx => {
            let mut deleted = 0;
            for table in ["streams", "stream_drafts", "stream_releases"] {
                deleted += sqlx::query(&format!("DELETE FROM {table} WHERE site_id = $1 AND stream_id = $2"))
                    .bind(site_id)
                    .bind(stream_id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
            }
            tx.commit().await?;
            Ok(deleted > 0)
        })
    }

    /// A site's published stream `stream_id` (with its version) and the
    /// file it was published from.
    pub async fn published_stream(
        &self,
        site_id: SiteId,
        stream_id: &str,
    ) -> Result<Option<(Stream, String)>, StoreError> {
        let row: Option<(String, i64, String)> = on_db!(self, pool => {
            sqlx::query_as("SELECT model, version, source FROM streams WHERE site_id = $1 AND stream_id = $2")
                .bind(site_id)
                .bind(stream_id)
                .fetch_optional(pool)
                .await?
        });
        let Some((model, version, source)) = row else { return Ok(None) };
        let stream: Stream =
            serde_json::from_str(&model).map_err(|source| StoreError::Corrupt { what: "stream", source })?;
        Ok(Some((Stream { version: u32::try_from(version).unwrap_or(0), ..stream }, source)))
    }
}
