//! Stored digests of blocks of conversations (`chat_digests`, packed by
//! `reports::digest`): read a range of them, and write one only when the
//! block's facts are still those it was folded from. The migration's
//! triggers drop a block's digest whenever one of its facts or
//! conversations changes, so a stored digest always agrees with them.

use futures_util::TryStreamExt;

use super::{on_db, Store, StoreError};

/// Which facts a block has, to tell whether they changed: how many, and
/// the sum of their ids (ids only grow, so any fact added or removed
/// changes one of the two).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FactsStamp {
    count: i64,
    id_sum: i64,
}

const STAMP: &str = "SELECT COUNT(*), COALESCE(SUM(id), 0) FROM chat_events
                     WHERE conversation_id BETWEEN $1 AND $2";

impl Store {
    /// The digests of blocks `first..=last` that are stored, in order.
    pub async fn chat_digests(&self, first: i64, last: i64) -> Result<Vec<(i64, Vec<u8>)>, StoreError> {
        on_db!(self, pool => {
            Ok(sqlx::query_as("SELECT block, body FROM chat_digests WHERE block BETWEEN $1 AND $2 ORDER BY block")
                .bind(first)
                .bind(last)
                .fetch_all(pool)
                .await?)
        })
    }

    /// Every block that has a digest, in order.
    pub async fn digested_blocks(&self) -> Result<Vec<i64>, StoreError> {
        on_db!(self, pool => {
            let mut rows = sqlx::query_scalar("SELECT block FROM chat_digests ORDER BY block").fetch(pool);
            let mut out = Vec::new();
            while let Some(block) = rows.try_next().await? {
                out.push(block);
            }
            Ok(out)
        })
    }

    /// The lowest and highest conversation id, if there are any.
    pub async fn conversation_ids(&self) -> Result<Option<(i64, i64)>, StoreError> {
        on_db!(self, pool => {
            let (min, max): (Option<i64>, Option<i64>) =
                sqlx::query_as("SELECT MIN(id), MAX(id) FROM conversations").fetch_one(pool).await?;
            Ok(min.zip(max))
        })
    }

    /// Which facts conversations `first..=last` have now.
    pub async fn facts_stamp(&self, first: i64, last: i64) -> Result<FactsStamp, StoreError> {
        on_db!(self, pool => {
            let (count, id_sum) = sqlx::query_as(STAMP).bind(first).bind(last).fetch_one(pool).await?;
            Ok(FactsStamp { count, id_sum })
        })
    }

    /// Stores `body` as the digest of `block` (conversations
    /// `first..=last`), folded from the facts `stamp` saw: unless they
    /// changed since (then `false`: fold them again later).
    pub async fn put_chat_digest(
        &self,
        block: i64,
        (first, last): (i64, i64),
        stamp: FactsStamp,
        body: &[u8],
    ) -> Result<bool, StoreError> {
        // (The write lock from the start: no fact can be recorded between
        // the check and the write.)
        on_db!(self, begin_exclusive tx => {
            let (count, id_sum) = sqlx::query_as(STAMP).bind(first).bind(last).fetch_one(&mut *tx).await?;
            if (FactsStamp { count, id_sum }) != stamp {
                tx.rollback().await?;
                return Ok(false);
            }
            sqlx::query("INSERT OR REPLACE INTO chat_digests (block, body) VALUES ($1, $2)")
                .bind(block)
                .bind(body)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(true)
        })
    }
}
