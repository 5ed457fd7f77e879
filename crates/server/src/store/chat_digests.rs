//! Stored digests of blocks of conversations (`chat_digests`, packed by
//! `reports::digest`): read a range of them, and write one only if the
//! block's facts did not change while it was folded.
//!
//! The migration's triggers delete a block's row whenever one of its
//! facts is recorded, changed or removed, or one of its conversations is
//! removed. Packing a block first stores a claim (a body of a zero byte
//! and bytes unique to it), then reads and folds the facts, then fills
//! its claim in only if that claim is still there: any change after the
//! claim deleted it, and every change before it is in what was read; a
//! second packer's claim is another one. So a stored digest is never
//! older than the facts it was stored after. (A body starting with a zero
//! byte is a claim, no digest.)

use futures_util::TryStreamExt;

use super::{on_db, Store, StoreError};

/// A claim no other packer has: a zero byte, this process's id, a count
/// of this process's claims and the time (ns).
fn claim() -> Vec<u8> {
    static CLAIMS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = CLAIMS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let mut out = vec![0];
    out.extend_from_slice(&std::process::id().to_le_bytes());
    out.extend_from_slice(&n.to_le_bytes());
    out.extend_from_slice(&nanos.to_le_bytes());
    out
}

impl Store {
    /// The rows of blocks `first..=last` that are stored, in order (a
    /// claim's body starts with a zero byte).
    pub async fn chat_digests(&self, first: i64, last: i64) -> Result<Vec<(i64, Vec<u8>)>, StoreError> {
        on_db!(self, pool => {
            Ok(sqlx::query_as("SELECT block, body FROM chat_digests WHERE block BETWEEN $1 AND $2 ORDER BY block")
                .bind(first)
                .bind(last)
                .fetch_all(pool)
                .await?)
        })
    }

    /// Every block with a digest whose body starts with `version` (one of
    /// another version, or a claim, is not counted), in order.
    pub async fn digested_blocks(&self, version: u8) -> Result<Vec<i64>, StoreError> {
        on_db!(self, pool => {
            let mut rows = sqlx::query_scalar(
                "SELECT block FROM chat_digests WHERE substr(body, 1, 1) = $1 ORDER BY block",
            )
            .bind(vec![version])
            .fetch(pool);
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

    /// Claims `block` for packing (replacing what was there): answers the
    /// claim, to fill in with [`Store::put_chat_digest`].
    pub async fn claim_chat_digest(&self, block: i64) -> Result<Vec<u8>, StoreError> {
        let claim = claim();
        on_db!(self, pool => {
            sqlx::query("INSERT OR REPLACE INTO chat_digests (block, body) VALUES ($1, $2)")
                .bind(block)
                .bind(&claim)
                .execute(pool)
                .await?;
        });
        Ok(claim)
    }

    /// Stores `body` as the digest of `block` in place of `claim` if that
    /// claim is still there (no fact of the block changed, nobody claimed
    /// it since): whether it was stored.
    pub async fn put_chat_digest(&self, block: i64, claim: &[u8], body: &[u8]) -> Result<bool, StoreError> {
        on_db!(self, pool => {
            let done = sqlx::query("UPDATE chat_digests SET body = $3 WHERE block = $1 AND body = $2")
                .bind(block)
                .bind(claim)
                .bind(body)
                .execute(pool)
                .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Drops the digest of `block` (one that does not decode: it is
    /// packed again).
    pub async fn drop_chat_digest(&self, block: i64) -> Result<(), StoreError> {
        on_db!(self, pool => {
            sqlx::query("DELETE FROM chat_digests WHERE block = $1").bind(block).execute(pool).await?;
            Ok(())
        })
    }
}
