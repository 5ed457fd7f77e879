//! The stream designer's storage: one draft per stream (a whole stream,
//! which need not be publishable yet, with a revision that counts its
//! saves) and the history of releases (who published which version, when,
//! why and what it changed). Publishing itself, which records the release
//! and replaces the draft in the same transaction, is in `streams`.

use switchboard_protocol::admin::CardChanges;
use switchboard_protocol::stream::Stream;

use super::{on_db, Store, StoreError};
use crate::ids::SiteId;

/// A stream's draft as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredDraft {
    /// The stream (its `version` 0).
    pub stream: Stream,
    /// Counts the saves, from 1.
    pub revision: u64,
    /// When it was last saved (unix ms).
    pub saved_at: i64,
    /// Who saved it (an agent's name; empty from the command line).
    pub saved_by: String,
}

/// One release as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRelease {
    /// The version it published.
    pub version: u32,
    /// The release note.
    pub note: String,
    /// Who published it (name and email; empty from the command line).
    pub by_name: String,
    /// Their email.
    pub by_email: String,
    /// When (unix ms).
    pub published_at: i64,
    /// The cards it changed since the release before.
    pub changes: CardChanges,
    /// Whether the stream's settings changed.
    pub settings_changed: bool,
}

/// A draft row: model, revision, saved_at, saved_by.
type DraftRow = (String, i64, i64, String);

fn draft_from_row((model, revision, saved_at, saved_by): DraftRow) -> Result<StoredDraft, StoreError> {
    Ok(StoredDraft {
        stream: stream_from_json(&model)?,
        revision: u64::try_from(revision).unwrap_or(0),
        saved_at,
        saved_by,
    })
}

/// A stored stream model.
pub(super) fn stream_from_json(model: &str) -> Result<Stream, StoreError> {
    serde_json::from_str(model).map_err(|source| StoreError::Corrupt { what: "stream", source })
}

/// A stream as a draft stores it: without a version.
pub(super) fn draft_json(stream: &Stream) -> String {
    serde_json::to_string(&Stream { version: 0, ..stream.clone() }).expect("Stream serializes")
}

/// Most releases the history answers (the newest).
pub const MAX_RELEASES: i64 = 200;

impl Store {
    /// A site's draft of stream `stream_id`, if it has one.
    pub async fn draft(&self, site_id: SiteId, stream_id: &str) -> Result<Option<StoredDraft>, StoreError> {
        let row: Option<DraftRow> = on_db!(self, pool => {
            sqlx::query_as(
                "SELECT model, revision, saved_at, saved_by FROM stream_drafts
                 WHERE site_id = $1 AND stream_id = $2",
            )
            .bind(site_id)
            .bind(stream_id)
            .fetch_optional(pool)
            .await?
        });
        row.map(draft_from_row).transpose()
    }

    /// Every draft of a site's streams.
    pub async fn drafts(&self, site_id: SiteId) -> Result<Vec<StoredDraft>, StoreError> {
        let rows: Vec<DraftRow> = on_db!(self, pool => {
            sqlx::query_as(
                "SELECT model, revision, saved_at, saved_by FROM stream_drafts WHERE site_id = $1
                 ORDER BY stream_id",
            )
            .bind(site_id)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(draft_from_row).collect()
    }

    /// Saves `stream` as its draft at `now` (unix ms), by `saved_by`, as the
    /// next revision, if the stored revision is `base` (0 when there is no
    /// draft yet); `None`, changing nothing, when it is not. Without a
    /// `base`, it saves whatever is stored (the command line's push).
    pub async fn save_draft(
        &self,
        site_id: SiteId,
        stream: &Stream,
        base: Option<u64>,
        saved_by: &str,
        now: i64,
    ) -> Result<Option<StoredDraft>, StoreError> {
        let model = draft_json(stream);
        let revision: Option<i64> = on_db!(self, begin_exclusive tx => {
            let current: Option<i64> = sqlx::query_scalar(
                "SELECT revision FROM stream_drafts WHERE site_id = $1 AND stream_id = $2",
            )
            .bind(site_id)
            .bind(&stream.id)
            .fetch_optional(&mut *tx)
            .await?;
            let current = current.unwrap_or(0);
            if base.is_some_and(|b| i64::try_from(b) != Ok(current)) {
                None
            } else {
                let revision = current + 1;
                sqlx::query(
                    "INSERT INTO stream_drafts (site_id, stream_id, model, revision, saved_at, saved_by)
                     VALUES ($1, $2, $3, $4, $5, $6)
                     ON CONFLICT (site_id, stream_id) DO UPDATE SET model = excluded.model,
                       revision = excluded.revision, saved_at = excluded.saved_at,
                       saved_by = excluded.saved_by",
                )
                .bind(site_id)
                .bind(&stream.id)
                .bind(&model)
                .bind(revision)
                .bind(now)
                .bind(saved_by)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Some(revision)
            }
        });
        Ok(revision.map(|revision| StoredDraft {
            stream: Stream { version: 0, ..stream.clone() },
            revision: u64::try_from(revision).unwrap_or(0),
            saved_at: now,
            saved_by: saved_by.to_owned(),
        }))
    }

    /// A stream's releases, newest first: the latest [`MAX_RELEASES`] (a
    /// history read in the console, not an archive).
    pub async fn releases(&self, site_id: SiteId, stream_id: &str) -> Result<Vec<StoredRelease>, StoreError> {
        type Row = (i64, String, String, String, i64, String, bool);
        let rows: Vec<Row> = on_db!(self, pool => {
            sqlx::query_as(
                "SELECT version, note, published_by_name, published_by_email, published_at, changes,
                        settings_changed
                 FROM stream_releases WHERE site_id = $1 AND stream_id = $2 ORDER BY version DESC LIMIT $3",
            )
            .bind(site_id)
            .bind(stream_id)
            .bind(MAX_RELEASES)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(version, note, by_name, by_email, published_at, changes, settings_changed)| {
                Ok(StoredRelease {
                    version: u32::try_from(version).unwrap_or(0),
                    note,
                    by_name,
                    by_email,
                    published_at,
                    changes: serde_json::from_str(&changes)
                        .map_err(|source| StoreError::Corrupt { what: "release changes", source })?,
                    settings_changed,
                })
            })
            .collect()
    }

    /// The stream release `version` published (with its version), if the
    /// stream's history has it.
    pub async fn release_stream(
        &self,
        site_id: SiteId,
        stream_id: &str,
        version: u32,
    ) -> Result<Option<Stream>, StoreError> {
        let model: Option<String> = on_db!(self, pool => {
            sqlx::query_scalar(
                "SELECT v.model FROM stream_releases r
                 JOIN stream_versions v
                   ON v.site_id = r.site_id AND v.stream_id = r.stream_id AND v.version = r.version
                 WHERE r.site_id = $1 AND r.stream_id = $2 AND r.version = $3",
            )
            .bind(site_id)
            .bind(stream_id)
            .bind(i64::from(version))
            .fetch_optional(pool)
            .await?
        });
        let Some(model) = model else { return Ok(None) };
        Ok(Some(Stream { version, ..stream_from_json(&model)? }))
    }
}

#[cfg(test)]
mod tests {
    //! The migration that starts the history (`0021_stream_drafts.sql`):
    //! each stream published before it gets a release of its current
    //! version, every card added.

    use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
    use std::str::FromStr;

    use super::*;

    const DRAFTS: &str = "0021";

    #[tokio::test]
    async fn a_stream_published_before_the_history_starts_it_with_its_current_version() {
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join("migrations");
        std::fs::create_dir(&old).unwrap();
        for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations")).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_str().unwrap().to_owned();
            if name.as_str() < DRAFTS {
                std::fs::copy(&path, old.join(name)).unwrap();
            }
        }
        let url = format!("sqlite://{}", dir.path().join("sb.db").display());
        let options =
            SqliteConnectOptions::from_str(&url).unwrap().create_if_missing(true).foreign_keys(true);
        let pool = SqlitePoolOptions::new().connect_with(options).await.unwrap();
        sqlx::migrate::Migrator::new(old.as_path()).await.unwrap().run(&pool).await.unwrap();
        let model = r#"{"id":"main","name":"Main","cards":[{"id":"hi","type":"message","text":"Hi","next":"bye"},{"id":"bye","type":"end"}],"version":2}"#;
        for sql in [
            "INSERT INTO sites (id, key, name, appearance, created_at) VALUES (1, 'acme', 'Acme', '{}', 0)",
            "INSERT INTO stream_versions (site_id, stream_id, version, model, published_at)
                 VALUES (1, 'main', 1, '{}', 1000)",
        ] {
            sqlx::query(sql).execute(&pool).await.unwrap();
        }
        sqlx::query(
            "INSERT INTO stream_versions (site_id, stream_id, version, model, published_at)
             VALUES (1, 'main', 2, $1, 2000)",
        )
        .bind(model)
        .execute(&pool)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO streams (site_id, stream_id, priority, source, model, published_at, version)
             VALUES (1, 'main', 0, '', $1, 2000, 2)",
        )
        .bind(model)
        .execute(&pool)
        .await
        .unwrap();
        pool.close().await;

        let store = Store::open(&url).await.unwrap();
        let site = SiteId::new(1);
        let releases = store.releases(site, "main").await.unwrap();
        let added = vec!["hi".to_owned(), "bye".to_owned()];
        assert_eq!(
            releases,
            [StoredRelease {
                version: 2,
                note: String::new(),
                by_name: String::new(),
                by_email: String::new(),
                published_at: 2000,
                changes: CardChanges { added, ..CardChanges::default() },
                settings_changed: false,
            }]
        );
        assert_eq!(store.release_stream(site, "main", 2).await.unwrap().unwrap().cards.len(), 2);
        assert_eq!(store.release_stream(site, "main", 1).await.unwrap(), None, "no release of version 1");
        assert_eq!(store.draft(site, "main").await.unwrap(), None);
    }
}
