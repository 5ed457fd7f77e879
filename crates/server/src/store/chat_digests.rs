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
//! byte is a claim, no digest.) On PostgreSQL, where a fact's writer may
//! still be between its trigger and its commit when a claim is stored, the
//! claim first waits for such writers (the block's advisory lock, which
//! every fact writer holds shared: `migrations-postgres/0004`); SQLite has
//! one writer at a time.

use futures_util::TryStreamExt;

use super::{on_db, Db, Store, StoreError};

/// The advisory locks' first key on PostgreSQL ("SWDG"); the second is the
/// block. Fact writers take it shared in their triggers.
const DIGEST_LOCKS: i32 = 0x5357_4447;

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
        let postgres = matches!(self.db, Db::Postgres(_));
        on_db!(self, begin tx => {
            if postgres {
                // Blocks are far below 2^31 (a block is 1,024 conversations).
                let key = i32::try_from(block).unwrap_or(i32::MAX);
                sqlx::query("SELECT pg_advisory_xact_lock($1, $2)")
                    .bind(DIGEST_LOCKS)
                    .bind(key)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query(
                "INSERT INTO chat_digests (block, body) VALUES ($1, $2)
                 ON CONFLICT (block) DO UPDATE SET body = excluded.body",
            )
                .bind(block)
                .bind(&claim)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
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

#[cfg(test)]
mod tests {
    use super::super::{on_db, scratch, Store};
    use std::time::Duration;

    /// A fact recorded in a transaction still open when a packer claims its
    /// block: the claim waits for that transaction, so the facts the packer
    /// reads next hold it, and a digest cannot miss it. (Without the wait,
    /// on PostgreSQL the claim was stored at once, the packer read the
    /// facts without the uncommitted one, and its digest was filled in.)
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_claim_waits_for_a_fact_being_written_in_its_block() {
        let dir = tempfile::tempdir().unwrap();
        let url = scratch::database_url(dir.path()).await;
        let store = Store::open(&url).await.unwrap();
        let (site, handoff) = scratch::acme_and_handoff(&store).await;
        let visitor = store.create_visitor(site, "token", 0).await.unwrap();
        let chat = store.create_conversation(site, visitor, &handoff, 1_000, 0).await.unwrap().unwrap();
        let block = chat.id.get() / 1024;
        let facts = |store: Store| async move {
            on_db!(store, pool => {
                sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM chat_events WHERE kind = 'offered'")
                    .fetch_one(pool)
                    .await
                    .unwrap()
            })
        };
        let (release, released) = tokio::sync::oneshot::channel::<()>();
        let writer = {
            let store = store.clone();
            let id = chat.id.get();
            tokio::spawn(async move {
                let written: Result<(), super::StoreError> = async {
                    on_db!(store, begin tx => {
                        sqlx::query(
                            "INSERT INTO chat_events (conversation_id, site_id, kind, at)
                             VALUES ($1, $2, 'offered', 0)",
                        )
                        .bind(id)
                        .bind(site.get())
                        .execute(&mut *tx)
                        .await?;
                        released.await.unwrap();
                        tx.commit().await?;
                        Ok(())
                    })
                }
                .await;
                written.unwrap();
            })
        };
        tokio::time::sleep(Duration::from_millis(300)).await;
        let packer = {
            let store = store.clone();
            tokio::spawn(async move {
                let claim = store.claim_chat_digest(block).await.unwrap();
                (claim, facts(store).await)
            })
        };
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(!packer.is_finished(), "the claim was stored while a fact of its block was being written");
        release.send(()).unwrap();
        writer.await.unwrap();
        let (claim, seen) = packer.await.unwrap();
        assert_eq!(seen, 1, "the packer, after its claim, reads the fact");
        assert!(
            store.put_chat_digest(block, &claim, &[1, 0]).await.unwrap(),
            "nothing changed since the claim"
        );
        store.close().await;
    }
}
