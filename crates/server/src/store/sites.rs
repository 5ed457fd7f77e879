//! Sites: their allowed origins, the widget's appearance, the fallback
//! message and their settings (chat on or off, blocked email domains).

use super::{on_conn, OnConn};
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
    /// Chat on or off, blocked email domains.
    pub settings: SiteSettings,
}

/// What a site takes from visitors: read again at each new visitor and
/// hand-off, so a change applies at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteSettings {
    /// Whether the widget offers chat (off: no new visitors or hand-offs).
    pub chat_enabled: bool,
    /// Email domains data capture refuses, lower case, sorted.
    pub blocked_email_domains: Vec<String>,
    /// After how many of the site's offers in a row an agent lets time out
    /// they are switched to unavailable (0: never).
    pub away_after_missed: u8,
}

impl Default for SiteSettings {
    fn default() -> Self {
        Self {
            chat_enabled: true,
            blocked_email_domains: Vec::new(),
            away_after_missed: switchboard_protocol::admin::requests::DEFAULT_AWAY_AFTER_MISSED,
        }
    }
}

/// What to change about a site, all in one transaction; `None` keeps a value.
#[derive(Debug, Clone, Default)]
pub struct SiteUpdate<'a> {
    /// New display name.
    pub name: Option<&'a str>,
    /// The allowed origins, replacing them all.
    pub origins: Option<&'a [String]>,
    /// The fallback message.
    pub fallback_message: Option<&'a str>,
    /// Whether the widget offers chat.
    pub chat_enabled: Option<bool>,
    /// The blocked email domains (lower case), replacing them all.
    pub blocked_email_domains: Option<&'a [String]>,
    /// Missed offers in a row before an agent is switched to unavailable.
    pub away_after_missed: Option<u8>,
}

const LINK_ORIGIN: &str =
    "INSERT INTO site_origins (site_id, origin) VALUES ($1, $2) ON CONFLICT (site_id, origin) DO NOTHING";

const LINK_BLOCKED: &str = "INSERT INTO site_blocked_domains (site_id, domain) VALUES ($1, $2)
     ON CONFLICT (site_id, domain) DO NOTHING";

/// The site's fallback message.
pub(super) async fn read_fallback_message(
    e: &mut impl OnConn,
    site_id: SiteId,
) -> Result<String, StoreError> {
    on_conn!(e, e => {
        Ok(sqlx::query_scalar("SELECT fallback_message FROM sites WHERE id = $1")
            .bind(site_id)
            .fetch_one(e)
            .await?)
    })
}

impl Store {
    /// Creates a site with its allowed origins and the default settings, at
    /// `now` (unix ms).
    pub async fn create_site(
        &self,
        key: &SiteKey,
        name: &str,
        appearance: &Appearance,
        origins: &[String],
        now: i64,
    ) -> Result<SiteId, StoreError> {
        self.create_site_with(key, name, appearance, origins, &SiteSettings::default(), now).await
    }

    /// Creates a site with its allowed origins and settings, at `now` (unix ms).
    pub async fn create_site_with(
        &self,
        key: &SiteKey,
        name: &str,
        appearance: &Appearance,
        origins: &[String],
        settings: &SiteSettings,
        now: i64,
    ) -> Result<SiteId, StoreError> {
        let appearance = serde_json::to_string(appearance).expect("Appearance serializes");
        on_db!(self, begin tx => {
            let id: i64 = sqlx::query(
                "INSERT INTO sites (key, name, appearance, chat_enabled, away_after_missed, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(key.as_str())
            .bind(name)
            .bind(appearance)
            .bind(settings.chat_enabled)
            .bind(i64::from(settings.away_after_missed))
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| exists_or(e, || format!("site {key}")))?
            .get(0);
            link_all(&mut tx, LINK_ORIGIN, id, origins).await?;
            link_all(&mut tx, LINK_BLOCKED, id, &settings.blocked_email_domains).await?;
            tx.commit().await?;
            Ok(SiteId::new(id))
        })
    }

    /// A site's settings, as they are now; `None` when it is gone.
    pub async fn site_settings(&self, site_id: SiteId) -> Result<Option<SiteSettings>, StoreError> {
        let row: Option<(bool, i64)> = on_db!(self, pool => {
            sqlx::query_as("SELECT chat_enabled, away_after_missed FROM sites WHERE id = $1")
                .bind(site_id)
                .fetch_optional(pool)
                .await?
        });
        let Some((chat_enabled, away_after_missed)) = row else { return Ok(None) };
        let away_after_missed = u8::try_from(away_after_missed).unwrap_or(u8::MAX);
        let blocked_email_domains = on_db!(self, pool => {
            sqlx::query_scalar("SELECT domain FROM site_blocked_domains WHERE site_id = $1 ORDER BY domain")
                .bind(site_id)
                .fetch_all(pool)
                .await?
        });
        Ok(Some(SiteSettings { chat_enabled, blocked_email_domains, away_after_missed }))
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
        let settings = self.site_settings(id).await?.unwrap_or_default();
        Ok(Some(Site { id, key: key.clone(), name, appearance, allowed_origins, settings }))
    }

    /// The site's fallback message.
    pub async fn fallback_message(&self, site_id: SiteId) -> Result<String, StoreError> {
        on_db!(self, pool => read_fallback_message(&mut pool.acquire().await?, site_id).await)
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

    /// Changes what `update` gives of a site, in one transaction.
    pub async fn update_site(&self, site_id: SiteId, update: &SiteUpdate<'_>) -> Result<(), StoreError> {
        on_db!(self, begin tx => {
            sqlx::query(
                "UPDATE sites SET name = COALESCE($1, name), fallback_message = COALESCE($2, fallback_message),
                 chat_enabled = COALESCE($3, chat_enabled),
                 away_after_missed = COALESCE($5, away_after_missed) WHERE id = $4",
            )
            .bind(update.name)
            .bind(update.fallback_message)
            .bind(update.chat_enabled)
            .bind(site_id)
            .bind(update.away_after_missed.map(i64::from))
            .execute(&mut *tx)
            .await?;
            if let Some(origins) = update.origins {
                sqlx::query("DELETE FROM site_origins WHERE site_id = $1")
                    .bind(site_id)
                    .execute(&mut *tx)
                    .await?;
                link_all(&mut tx, LINK_ORIGIN, site_id.get(), origins).await?;
            }
            if let Some(domains) = update.blocked_email_domains {
                sqlx::query("DELETE FROM site_blocked_domains WHERE site_id = $1")
                    .bind(site_id)
                    .execute(&mut *tx)
                    .await?;
                link_all(&mut tx, LINK_BLOCKED, site_id.get(), domains).await?;
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
