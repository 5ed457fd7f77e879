//! Sites: their allowed origins, the widget's appearance and the fallback
//! message.

use sqlx::Row;
use switchboard_protocol::site::{Appearance, SiteKey};

use super::{exists_or, link_all, on_db, Store, StoreError};
use crate::ids::SiteId;

/// A site as stored.
#[derive(Debug, Clone)]
pub struct Site {
    /// Its id (the public key is what clients use).
    pub id: SiteId,
    /// Public key.
    pub key: SiteKey,
    /// Display name.
    pub name: String,
    /// Look of the widget.
    pub appearance: Appearance,
    /// Origins the widget may run on.
    pub allowed_origins: Vec<String>,
}

const LINK_ORIGIN: &str =
    "INSERT INTO site_origins (site_id, origin) VALUES ($1, $2) ON CONFLICT (site_id, origin) DO NOTHING";

/// The site's fallback message.
pub(super) async fn read_fallback_message<'e>(
    e: impl sqlx::SqliteExecutor<'e>,
    site_id: SiteId,
) -> Result<String, StoreError> {
    Ok(sqlx::query_scalar("SELECT fallback_message FROM sites WHERE id = $1")
        .bind(site_id)
        .fetch_one(e)
        .await?)
}

impl Store {
    /// Creates a site with its allowed origins, at `now` (unix ms).
    pub async fn create_site(
        &self,
        key: &SiteKey,
        name: &str,
        appearance: &Appearance,
        origins: &[String],
        now: i64,
    ) -> Result<SiteId, StoreError> {
        let appearance = serde_json::to_string(appearance).expect("Appearance serializes");
        on_db!(self, begin tx => {
            let id: i64 = sqlx::query(
                "INSERT INTO sites (key, name, appearance, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(key.as_str())
            .bind(name)
            .bind(appearance)
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| exists_or(e, || format!("site {key}")))?
            .get(0);
            link_all(&mut tx, LINK_ORIGIN, id, origins).await?;
            tx.commit().await?;
            Ok(SiteId::new(id))
        })
    }

    /// The site with `key`, if any.
    pub async fn site(&self, key: &SiteKey) -> Result<Option<Site>, StoreError> {
        let row: Option<(SiteId, String, String)> = on_db!(self, pool => {
            sqlx::query_as("SELECT id, name, appearance FROM sites WHERE key = $1")
                .bind(key.as_str())
                .fetch_optional(pool)
                .await?
        });
        let Some((id, name, appearance)) = row else { return Ok(None) };
        let appearance = serde_json::from_str(&appearance)
            .map_err(|source| StoreError::Corrupt { what: "appearance", source })?;
        let allowed_origins = on_db!(self, pool => {
            sqlx::query_scalar("SELECT origin FROM site_origins WHERE site_id = $1 ORDER BY origin")
                .bind(id)
                .fetch_all(pool)
                .await?
        });
        Ok(Some(Site { id, key: key.clone(), name, appearance, allowed_origins }))
    }

    /// The site's fallback message.
    pub async fn fallback_message(&self, site_id: SiteId) -> Result<String, StoreError> {
        on_db!(self, pool => read_fallback_message(pool, site_id).await)
    }

    /// Sets the site's fallback message.
    pub async fn set_fallback_message(&self, site_id: SiteId, text: &str) -> Result<(), StoreError> {
        on_db!(self, pool => {
            sqlx::query("UPDATE sites SET fallback_message = $1 WHERE id = $2")
                .bind(text)
                .bind(site_id)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Every site, by key.
    pub async fn sites(&self) -> Result<Vec<Site>, StoreError> {
        let keys: Vec<String> = on_db!(self, pool => {
            sqlx::query_scalar("SELECT key FROM sites ORDER BY key").fetch_all(pool).await?
        });
        let mut sites = Vec::new();
        for key in keys.iter().filter_map(|k| SiteKey::parse(k).ok()) {
            if let Some(site) = self.site(&key).await? {
                sites.push(site);
            }
        }
        Ok(sites)
    }

    /// Changes a site's name and/or its allowed origins (replacing them all).
    pub async fn update_site(
        &self,
        site_id: SiteId,
        name: Option<&str>,
        origins: Option<&[String]>,
    ) -> Result<(), StoreError> {
        on_db!(self, begin tx => {
            if let Some(name) = name {
                sqlx::query("UPDATE sites SET name = $1 WHERE id = $2")
                    .bind(name)
                    .bind(site_id)
                    .execute(&mut *tx)
                    .await?;
            }
            if let Some(origins) = origins {
                sqlx::query("DELETE FROM site_origins WHERE site_id = $1")
                    .bind(site_id)
                    .execute(&mut *tx)
                    .await?;
                link_all(&mut tx, LINK_ORIGIN, site_id.get(), origins).await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// Replaces a site's appearance.
    pub async fn set_appearance(&self, site_id: SiteId, appearance: &Appearance) -> Result<(), StoreError> {
        let json = serde_json::to_string(appearance).expect("Appearance serializes");
        on_db!(self, pool => {
            sqlx::query("UPDATE sites SET appearance = $1 WHERE id = $2")
                .bind(json)
                .bind(site_id)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Removes a site with everything that belongs to it.
    pub async fn delete_site(&self, site_id: SiteId) -> Result<(), StoreError> {
        on_db!(self, pool => {
            sqlx::query("DELETE FROM sites WHERE id = $1").bind(site_id).execute(pool).await?;
        });
        Ok(())
    }
}
