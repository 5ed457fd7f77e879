//! The database's epoch: a name for this copy of its history, which clients
//! hold beside the sequence numbers they have seen. A restore from a backup
//! (or a promoted replica that missed the last commits) can give new
//! messages sequence numbers a client already holds for other messages;
//! naming a new epoch afterwards (`switchboard db new-epoch`) makes every
//! client that comes back with the old one start its conversation afresh.

use super::{on_db, Store, StoreError};

impl Store {
    /// The current epoch (set by the migrations, changed by [`Store::set_epoch`]).
    pub async fn epoch(&self) -> Result<String, StoreError> {
        Ok(on_db!(self, pool => {
            sqlx::query_scalar("SELECT value FROM cluster_meta WHERE key = 'epoch'").fetch_one(pool).await?
        }))
    }

    /// Names a new epoch, `epoch`: clients holding the old one resync.
    pub async fn set_epoch(&self, epoch: &str) -> Result<(), StoreError> {
        on_db!(self, pool => {
            sqlx::query(
                "INSERT INTO cluster_meta (key, value) VALUES ('epoch', $1)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )
            .bind(epoch)
            .execute(pool)
            .await?;
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::store::{scratch, Store};

    async fn fresh() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&scratch::database_url(dir.path()).await).await.unwrap();
        (dir, store)
    }

    #[tokio::test]
    async fn a_database_has_an_epoch_from_the_start_and_keeps_a_new_one() {
        let (_dir, store) = fresh().await;
        let first = store.epoch().await.unwrap();
        assert_eq!(first.len(), 16, "{first}");
        let (_dir2, other) = fresh().await;
        assert_ne!(other.epoch().await.unwrap(), first, "each database names its own");
        store.set_epoch("restored-2026").await.unwrap();
        assert_eq!(store.epoch().await.unwrap(), "restored-2026");
    }
}
