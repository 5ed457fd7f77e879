//! What the widget reports about the streams visitors run (`stream_events`,
//! counts only): taking a batch, and reading a range back visit by visit.

use std::collections::HashSet;

use futures_util::TryStreamExt;
use switchboard_protocol::stats::{StreamEventKind, StreamEvents};
use switchboard_protocol::stream::Stream;

use super::{on_db, Store, StoreError};
use crate::ids::SiteId;

/// One stored stream event, as read back.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredStreamEvent {
    /// The site.
    pub site_id: SiteId,
    /// The visit.
    pub visit: String,
    /// The stream's id.
    pub stream_id: String,
    /// Its version.
    pub version: i64,
    /// What happened (`shown`, `reached`, …).
    pub kind: String,
    /// The card.
    pub card: String,
    /// When it was taken (unix ms).
    pub at: i64,
}

impl Store {
    /// The card ids of version `version` of a site's stream, if that
    /// version was published.
    pub async fn stream_card_ids(
        &self,
        site_id: SiteId,
        stream_id: &str,
        version: u32,
    ) -> Result<Option<HashSet<String>>, StoreError> {
        let model: Option<String> = on_db!(self, pool => {
            sqlx::query_scalar(
                "SELECT model FROM stream_versions WHERE site_id = $1 AND stream_id = $2 AND version = $3",
            )
            .bind(site_id)
            .bind(stream_id)
            .bind(i64::from(version))
            .fetch_optional(pool)
            .await?
        });
        let Some(model) = model else { return Ok(None) };
        let stream: Stream =
            serde_json::from_str(&model).map_err(|source| StoreError::Corrupt { what: "stream", source })?;
        Ok(Some(stream.cards.into_iter().map(|c| c.id).collect()))
    }

    /// Stores a checked batch for `site_id` at `now` (unix ms); what was
    /// stored before (the same visit, kind and card) is kept as it was.
    /// Returns how many events were new.
    pub async fn record_stream_events(
        &self,
        site_id: SiteId,
        batch: &StreamEvents,
        now: i64,
    ) -> Result<u64, StoreError> {
        on_db!(self, begin_exclusive tx => {
            let mut new = 0;
            for e in &batch.events {
                new += sqlx::query(
                    "INSERT INTO stream_events (site_id, visit, stream_id, version, kind, card, at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)
                     ON CONFLICT (visit, kind, card) DO NOTHING",
                )
                .bind(site_id)
                .bind(&batch.visit)
                .bind(&e.stream)
                .bind(i64::from(e.version))
                .bind(e.kind.name())
                .bind(&e.card)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            }
            tx.commit().await?;
            Ok(new)
        })
    }

    /// Every stream event taken in `[from, to)` (unix ms), only `site`'s if
    /// given, by visit then in the order taken, each given to `each`.
    pub async fn each_stream_event(
        &self,
        from: i64,
        to: i64,
        site: Option<SiteId>,
        mut each: impl FnMut(StoredStreamEvent),
    ) -> Result<(), StoreError> {
        on_db!(self, pool => {
            let mut rows = sqlx::query_as::<_, StoredStreamEvent>(
                "SELECT site_id, visit, stream_id, version, kind, card, at FROM stream_events
                 WHERE visit IN (SELECT visit FROM stream_events
                                 WHERE kind = 'shown' AND at >= $1 AND at < $2
                                   AND ($3 IS NULL OR site_id = $3))
                 ORDER BY visit, id",
            )
            .bind(from)
            .bind(to)
            .bind(site)
            .fetch(pool);
            while let Some(r) = rows.try_next().await? {
                if StreamEventKind::parse(&r.kind).is_some() {
                    each(r);
                }
            }
            Ok(())
        })
    }
}
