//! Canned responses: the admins' shared ones and each agent's own (see
//! [`switchboard_protocol::admin::canned`]).

use super::{exists_or, on_db, Store, StoreError};
use crate::ids::{AgentId, SiteId};

/// Whose responses: the admins' shared ones, or one agent's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// The shared ones (an admin manages them).
    Shared,
    /// This agent's own.
    Agent(AgentId),
}

impl Owner {
    fn agent(self) -> Option<AgentId> {
        match self {
            Owner::Shared => None,
            Owner::Agent(a) => Some(a),
        }
    }
}

/// The rows of the owner bound as `$1` (an agent's id, or null for the
/// shared ones), on `canned_responses c`.
const OWNED: &str = "(c.agent_id = $1 OR (c.agent_id IS NULL AND $1 IS NULL))";
/// The same without the table's alias.
const OWNED_ROWS: &str = "(agent_id = $1 OR (agent_id IS NULL AND $1 IS NULL))";

/// One canned response as stored, with its site's key and team's name.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CannedRow {
    /// Its id.
    pub id: i64,
    /// The site it is limited to (its key).
    pub site: Option<String>,
    /// The team it is limited to (its name).
    pub team: Option<String>,
    /// Whose own it is (none: shared).
    pub agent_id: Option<i64>,
    /// What follows `/` (lower case).
    pub shortcut: String,
    /// Its text, tokens unfilled.
    pub text: String,
}

/// A response to store: what it says and where it applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CannedFields<'a> {
    /// Its shortcut (checked, lower case).
    pub shortcut: &'a str,
    /// Its text (checked).
    pub text: &'a str,
    /// Only on this site's conversations.
    pub site: Option<SiteId>,
    /// Only for this team's members (its id).
    pub team: Option<i64>,
}

/// What came of [`Store::save_canned`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CannedSaved {
    /// Stored, with this id.
    Done(i64),
    /// The id given is not one of this owner's responses.
    NotFound,
    /// The owner has `limit` already: nothing was added.
    TooMany,
}

const SELECT: &str = "SELECT c.id, s.key AS site, t.name AS team, c.agent_id, c.shortcut, c.text
     FROM canned_responses c
     LEFT JOIN sites s ON s.id = c.site_id
     LEFT JOIN teams t ON t.id = c.team_id";

impl Store {
    /// An owner's responses, by shortcut.
    pub async fn canned(&self, owner: Owner) -> Result<Vec<CannedRow>, StoreError> {
        let sql = format!("{SELECT} WHERE {OWNED} ORDER BY c.shortcut, c.id");
        Ok(on_db!(self, pool => {
            sqlx::query_as::<_, CannedRow>(&sql).bind(owner.agent()).fetch_all(pool).await?
        }))
    }

    /// What `agent` can insert in a conversation on `site`: their own
    /// responses, and the shared ones for every site or that one, for
    /// every agent or a team they are in; by shortcut.
    pub async fn canned_for(&self, agent: AgentId, site: SiteId) -> Result<Vec<CannedRow>, StoreError> {
        let sql = format!(
            "{SELECT} WHERE c.agent_id = $1
                OR (c.agent_id IS NULL
                    AND (c.site_id IS NULL OR c.site_id = $2)
                    AND (c.team_id IS NULL
                         OR c.team_id IN (SELECT m.team_id FROM team_members m WHERE m.agent_id = $1)))
             ORDER BY c.shortcut, c.agent_id IS NULL, c.id"
        );
        Ok(on_db!(self, pool => {
            sqlx::query_as::<_, CannedRow>(&sql).bind(agent).bind(site).fetch_all(pool).await?
        }))
    }

    /// Adds a response for `owner` (`id` none), or replaces one of theirs,
    /// at `now_ms`; refused when a response of the same scope has the
    /// shortcut ([`StoreError::Exists`]), and an addition when the owner
    /// has `limit` responses already.
    pub async fn save_canned(
        &self,
        owner: Owner,
        id: Option<i64>,
        fields: &CannedFields<'_>,
        limit: usize,
        now_ms: i64,
    ) -> Result<CannedSaved, StoreError> {
        let taken = |e| exists_or(e, || format!("a response with shortcut /{}", fields.shortcut));
        let count_sql = format!("SELECT COUNT(*) FROM canned_responses c WHERE {OWNED}");
        let update_sql = format!(
            "UPDATE canned_responses SET site_id = $2, team_id = $3, shortcut = $4, text = $5, updated_ms = $6
             WHERE id = $7 AND {OWNED_ROWS}"
        );
        on_db!(self, begin_exclusive tx => {
            let saved = match id {
                None => {
                    let n = sqlx::query_scalar::<_, i64>(&count_sql)
                        .bind(owner.agent())
                        .fetch_one(&mut *tx)
                        .await?;
                    if usize::try_from(n).unwrap_or(usize::MAX) >= limit {
                        return Ok(CannedSaved::TooMany);
                    }
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO canned_responses (agent_id, site_id, team_id, shortcut, text, updated_ms)
                         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                    )
                    .bind(owner.agent())
                    .bind(fields.site)
                    .bind(fields.team)
                    .bind(fields.shortcut)
                    .bind(fields.text)
                    .bind(now_ms)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(taken)?;
                    CannedSaved::Done(id)
                }
                Some(id) => {
                    let changed = sqlx::query(&update_sql)
                        .bind(owner.agent())
                        .bind(fields.site)
                        .bind(fields.team)
                        .bind(fields.shortcut)
                        .bind(fields.text)
                        .bind(now_ms)
                        .bind(id)
                        .execute(&mut *tx)
                        .await
                        .map_err(taken)?
                        .rows_affected();
                    if changed == 0 {
                        return Ok(CannedSaved::NotFound);
                    }
                    CannedSaved::Done(id)
                }
            };
            tx.commit().await?;
            Ok(saved)
        })
    }

    /// Removes one of `owner`'s responses; `false` when they have none with
    /// that id.
    pub async fn delete_canned(&self, owner: Owner, id: i64) -> Result<bool, StoreError> {
        let sql = format!("DELETE FROM canned_responses WHERE id = $2 AND {OWNED_ROWS}");
        let deleted = on_db!(self, pool => {
            sqlx::query(&sql).bind(owner.agent()).bind(id).execute(pool).await?.rows_affected()
        });
        Ok(deleted == 1)
    }

    /// One response of `owner`'s.
    pub async fn canned_one(&self, owner: Owner, id: i64) -> Result<Option<CannedRow>, StoreError> {
        let sql = format!("{SELECT} WHERE c.id = $2 AND {OWNED}");
        Ok(on_db!(self, pool => {
            sqlx::query_as::<_, CannedRow>(&sql).bind(owner.agent()).bind(id).fetch_optional(pool).await?
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::scratch;

    const LIMIT: usize = 500;

    fn fields(shortcut: &str) -> CannedFields<'_> {
        CannedFields { shortcut, text: "Hello!", site: None, team: None }
    }

    #[tokio::test]
    async fn each_agent_sees_their_own_and_the_shared_ones_that_apply() {
        use switchboard_protocol::auth::Role;
        use switchboard_protocol::site::{Appearance, SiteKey};
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&scratch::database_url(dir.path()).await).await.unwrap();
        {
            let site = |k: &'static str| {
                let store = store.clone();
                async move {
                    let key = SiteKey::parse(k).unwrap();
                    store.create_site(&key, k, &Appearance::default(), &[], 0).await.unwrap()
                }
            };
            let agent = |e: &'static str| {
                let store = store.clone();
                async move { AgentId::new(store.create_agent(e, e, "hash", Role::Agent, 0).await.unwrap()) }
            };
            let (s1, s2) = (site("one").await, site("two").await);
            let (ada, bob) = (agent("ada@x.org").await, agent("bob@x.org").await);
            let sales = store.create_team("Sales", &[ada.get()]).await.unwrap();
            let add = |owner, f: CannedFields<'static>| {
                let store = store.clone();
                async move {
                    match store.save_canned(owner, None, &f, LIMIT, 1).await.unwrap() {
                        CannedSaved::Done(id) => id,
                        other => panic!("{other:?}"),
                    }
                }
            };
            let everyone = add(Owner::Shared, fields("hi")).await;
            let on_one = add(Owner::Shared, CannedFields { site: Some(s1), ..fields("one") }).await;
            let for_sales = add(Owner::Shared, CannedFields { team: Some(sales), ..fields("sales") }).await;
            let adas = add(Owner::Agent(ada), fields("hi")).await;
            let bobs = add(Owner::Agent(bob), fields("mine")).await;
            let ids = |rows: Vec<CannedRow>| rows.iter().map(|r| r.id).collect::<Vec<_>>();
            assert_eq!(
                ids(store.canned_for(ada, s1).await.unwrap()),
                vec![adas, everyone, on_one, for_sales]
            );
            assert_eq!(ids(store.canned_for(ada, s2).await.unwrap()), vec![adas, everyone, for_sales]);
            assert_eq!(ids(store.canned_for(bob, s1).await.unwrap()), vec![everyone, bobs, on_one]);
            assert_eq!(ids(store.canned(Owner::Shared).await.unwrap()), vec![everyone, on_one, for_sales]);
            assert_eq!(ids(store.canned(Owner::Agent(bob)).await.unwrap()), vec![bobs]);
            let row = store.canned_one(Owner::Shared, for_sales).await.unwrap().unwrap();
            assert_eq!((row.team.as_deref(), row.site.as_deref(), row.agent_id), (Some("Sales"), None, None));
            let row = store.canned_one(Owner::Shared, on_one).await.unwrap().unwrap();
            assert_eq!(row.site.as_deref(), Some("one"));
            // Neither reaches the other's: an agent cannot touch a shared one or a colleague's.
            assert_eq!(store.canned_one(Owner::Agent(ada), bobs).await.unwrap(), None);
            assert_eq!(
                store.save_canned(Owner::Agent(ada), Some(bobs), &fields("x"), LIMIT, 2).await.unwrap(),
                CannedSaved::NotFound
            );
            assert_eq!(
                store.save_canned(Owner::Agent(ada), Some(everyone), &fields("x"), LIMIT, 2).await.unwrap(),
                CannedSaved::NotFound
            );
            assert_eq!(
                store.save_canned(Owner::Shared, Some(adas), &fields("x"), LIMIT, 2).await.unwrap(),
                CannedSaved::NotFound
            );
            assert!(!store.delete_canned(Owner::Agent(ada), bobs).await.unwrap());
            assert!(!store.delete_canned(Owner::Shared, adas).await.unwrap());
            // A shortcut is unique within its scope only.
            let e = store.save_canned(Owner::Shared, None, &fields("hi"), LIMIT, 2).await.unwrap_err();
            assert!(matches!(e, StoreError::Exists(_)), "{e:?}");
            let e =
                store.save_canned(Owner::Shared, Some(on_one), &fields("hi"), LIMIT, 2).await.unwrap_err();
            assert!(matches!(e, StoreError::Exists(_)), "{e:?}");
            assert!(matches!(
                store.save_canned(Owner::Agent(bob), None, &fields("hi"), LIMIT, 2).await.unwrap(),
                CannedSaved::Done(_)
            ));
            // Changed in place; removed.
            let f = CannedFields { text: "Bonjour", site: Some(s2), ..fields("bonjour") };
            assert_eq!(
                store.save_canned(Owner::Shared, Some(on_one), &f, LIMIT, 3).await.unwrap(),
                CannedSaved::Done(on_one)
            );
            let row = store.canned_one(Owner::Shared, on_one).await.unwrap().unwrap();
            assert_eq!(
                (row.shortcut.as_str(), row.text.as_str(), row.site.as_deref()),
                ("bonjour", "Bonjour", Some("two"))
            );
            assert!(store.delete_canned(Owner::Agent(ada), adas).await.unwrap());
            assert_eq!(ids(store.canned(Owner::Agent(ada)).await.unwrap()), Vec::<i64>::new());
            // A limit per owner.
            assert_eq!(
                store.save_canned(Owner::Agent(bob), None, &fields("third"), 2, 4).await.unwrap(),
                CannedSaved::TooMany
            );
            // A team's responses go with the team.
            store.delete_team(sales).await.unwrap();
            assert_eq!(store.canned_one(Owner::Shared, for_sales).await.unwrap(), None);
        }
        store.close().await;
    }
}
