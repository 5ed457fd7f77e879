//! Custom routing rules per site. (Account routes live in [`super::routing`]
//! with the other facts routing reads.)

use super::{on_conn, OnConn};
use switchboard_protocol::rules::RoutingRule;

use super::{on_db, Store, StoreError};
use crate::ids::SiteId;

/// A site's rules, highest priority first.
pub(super) async fn read_rules(e: &mut impl OnConn, site_id: SiteId) -> Result<Vec<RoutingRule>, StoreError> {
    on_conn!(e, e => {
        let rows: Vec<String> =
            sqlx::query_scalar("SELECT rule FROM rules WHERE site_id = $1 ORDER BY priority DESC, name")
                .bind(site_id)
                .fetch_all(e)
                .await?;
        rows.iter()
            .map(|r| serde_json::from_str(r).map_err(|source| StoreError::Corrupt { what: "rule", source }))
            .collect()
    })
}

/// What came of [`Store::replace_rule`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replaced {
    /// The rule was replaced.
    Done,
    /// No rule has the name given: nothing changed.
    NoSuchRule,
    /// Another rule has the new rule's name: nothing changed.
    NameTaken,
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
        on_db!(self, pool => read_rules(&mut pool.acquire().await?, site_id).await)
    }

    /// Gives a site's rules the priorities of the order `order` makes of
    /// their names (as stored, any order): N×10 for the first of N down to
    /// 10 for the last, in one transaction holding the write lock, so no
    /// rule comes or goes between the check and the write. `Err` from
    /// `order` changes nothing. Answers the rules, highest priority first.
    pub async fn reorder_rules<E>(
        &self,
        site_id: SiteId,
        order: impl FnOnce(&[String]) -> Result<Vec<String>, E>,
    ) -> Result<Result<Vec<RoutingRule>, E>, StoreError> {
        on_db!(self, begin_exclusive tx => {
            let mut rules = read_rules(&mut *tx, site_id).await?;
            let names: Vec<String> = rules.iter().map(|r| r.name.trim().to_owned()).collect();
            let ordered = match order(&names) {
                Ok(ordered) => ordered,
                Err(refused) => return Ok(Err(refused)),
            };
            let top = i32::try_from(ordered.len()).unwrap_or(i32::MAX / 10).saturating_mul(10);
            for (i, name) in ordered.iter().enumerate() {
                let priority = top.saturating_sub(i32::try_from(i).unwrap_or(i32::MAX).saturating_mul(10));
                let Some(rule) = rules.iter_mut().find(|r| r.name.trim().eq_ignore_ascii_case(name)) else {
                    continue;
                };
                rule.priority = priority;
                sqlx::query("UPDATE rules SET priority = $1, rule = $2 WHERE site_id = $3 AND name = $4")
                    .bind(priority)
                    .bind(serde_json::to_string(&*rule).expect("rules serialize"))
                    .bind(site_id)
                    .bind(rule.name.trim())
                    .execute(&mut *tx)
                    .await?;
            }
            let rules = read_rules(&mut *tx, site_id).await?;
            tx.commit().await?;
            Ok(Ok(rules))
        })
    }

    /// Replaces the rule called `name` with `rule`, which may have another
    /// name, in one transaction.
    pub async fn replace_rule(
        &self,
        site_id: SiteId,
        name: &str,
        rule: &RoutingRule,
    ) -> Result<Replaced, StoreError> {
        let json = serde_json::to_string(rule).expect("rules serialize");
        on_db!(self, begin_exclusive tx => {
            let deleted = sqlx::query("DELETE FROM rules WHERE site_id = $1 AND name = $2")
                .bind(site_id)
                .bind(name.trim())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if deleted == 0 {
                return Ok(Replaced::NoSuchRule);
            }
            let inserted = sqlx::query(
                "INSERT INTO rules (site_id, name, priority, rule) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (site_id, name) DO NOTHING",
            )
            .bind(site_id)
            .bind(rule.name.trim())
            .bind(rule.priority)
            .bind(&json)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if inserted == 0 {
                // Another rule has the new name: the old one stays too.
                return Ok(Replaced::NameTaken);
            }
            tx.commit().await?;
            Ok(Replaced::Done)
        })
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
