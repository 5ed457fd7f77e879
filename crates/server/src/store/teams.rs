//! Teams and their members.

use super::{exists_or, link_all, on_db, Store, StoreError};

const LINK_MEMBER: &str =
    "INSERT INTO team_members (team_id, agent_id) VALUES ($1, $2) ON CONFLICT (team_id, agent_id) DO NOTHING";

/// A team with its members' emails.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Team {
    /// Its id (members and rules name the team by name).
    pub id: i64,
    /// Unique name (case-insensitive).
    pub name: String,
    /// Members' emails, sorted.
    pub members: Vec<String>,
}

impl Store {
    /// Every team, by name.
    pub async fn teams(&self) -> Result<Vec<Team>, StoreError> {
        let rows: Vec<(i64, String)> = on_db!(self, pool => {
            sqlx::query_as("SELECT id, name FROM teams ORDER BY name").fetch_all(pool).await?
        });
        let mut teams = Vec::new();
        for (id, name) in rows {
            teams.push(Team { id, name, members: self.team_members(id).await? });
        }
        Ok(teams)
    }

    /// The team called `name` (case-insensitive).
    pub async fn team(&self, name: &str) -> Result<Option<Team>, StoreError> {
        let row: Option<(i64, String)> = on_db!(self, pool => {
            sqlx::query_as("SELECT id, name FROM teams WHERE name = $1").bind(name).fetch_optional(pool).await?
        });
        let Some((id, name)) = row else { return Ok(None) };
        Ok(Some(Team { id, name, members: self.team_members(id).await? }))
    }

    async fn team_members(&self, team_id: i64) -> Result<Vec<String>, StoreError> {
        Ok(on_db!(self, pool => {
            sqlx::query_scalar(
                "SELECT a.email FROM team_members m JOIN agents a ON a.id = m.agent_id WHERE m.team_id = $1 ORDER BY a.email",
            )
            .bind(team_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Creates a team with members (agent ids).
    pub async fn create_team(&self, name: &str, members: &[i64]) -> Result<i64, StoreError> {
        on_db!(self, begin tx => {
            let id: i64 = sqlx::query_scalar("INSERT INTO teams (name) VALUES ($1) RETURNING id")
                .bind(name)
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| exists_or(e, || format!("team {name}")))?;
            link_all(&mut tx, LINK_MEMBER, id, members).await?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// Renames a team and/or replaces its members.
    pub async fn update_team(
        &self,
        id: i64,
        name: Option<&str>,
        members: Option<&[i64]>,
    ) -> Result<(), StoreError> {
        on_db!(self, begin tx => {
            if let Some(name) = name {
                sqlx::query("UPDATE teams SET name = $1 WHERE id = $2")
                    .bind(name)
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| exists_or(e, || format!("team {name}")))?;
            }
            if let Some(members) = members {
                sqlx::query("DELETE FROM team_members WHERE team_id = $1").bind(id).execute(&mut *tx).await?;
                link_all(&mut tx, LINK_MEMBER, id, members).await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// Removes a team.
    pub async fn delete_team(&self, id: i64) -> Result<(), StoreError> {
        on_db!(self, pool => {
            sqlx::query("DELETE FROM teams WHERE id = $1").bind(id).execute(pool).await?;
        });
        Ok(())
    }
}
