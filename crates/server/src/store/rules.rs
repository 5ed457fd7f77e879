//! Custom routing rules per site. (Account routes live in [`super::routing`]
//! with the other facts routing reads.)

use switchboard_protocol::rules::RoutingRule;

use super::{on_db, Store, StoreError};
use crate::ids::SiteId;

/// A site's rules, highest priority first.
pub(super) async fn read_rules<'e>(
    e: impl sqlx::SqliteExecutor<'e>,
    site_id: SiteId,
) -> Result<Vec<RoutingRule>, StoreError> {
    let rows: Vec<String> =
        sqlx::query_scalar("SELECT rule FROM rules WHERE site_id = $1 ORDER BY priority DESC, name")
            .bind(site_id)
            .fetch_all(e)
            .await?;
    rows.iter()
        .map(|r| serde_json::from_str(r).map_err(|source| StoreError::Corrupt { what: "rule", source }))
        .collect()
}

impl Store {
    /// Saves a rule for a site, replacing one with the same name.
    pub async fn save_rule(&self, site_id: SiteId, rule: &RoutingRule) -> Result<(), StoreError> {
        let json = serde_json::to_string(rule).expect("rules serialize");
        on_db!(self, pool => {
            sqlx::query(
                "INSERT INTO rules (site_id, name, priority, rule) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (site_id, name) DO UPDATE SET priority = excluded.priority, rule = excluded.rule",
            )
            .bind(site_id)
            .bind(rule.name.trim())
            .bind(rule.priority)
            .bind(&json)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// A site's rules, highest priority first.
    pub async fn rules(&self, site_id: SiteId) -> Result<Vec<RoutingRule>, StoreError> {
        on_db!(self, pool => read_rules(pool, site_id).await)
    }

    /// Removes a rule; `false` when there was none with that name.
    pub async fn delete_rule(&self, site_id: SiteId, name: &str) -> Result<bool, StoreError> {
        let deleted = on_db!(self, pool => {
            sqlx::query("DELETE FROM rules WHERE site_id = $1 AND name = $2")
                .bind(site_id)
                .bind(name)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(deleted == 1)
    }
}
