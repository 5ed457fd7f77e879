-- Canned responses. Shared ones (agent_id NULL) are the admins': for every
-- agent, or only on one site's conversations, or only for one team's
-- members. Personal ones (agent_id set) are that agent's own. A shortcut is
-- unique within its scope.
CREATE TABLE canned_responses (
    id         INTEGER PRIMARY KEY,
    site_id    INTEGER REFERENCES sites(id) ON DELETE CASCADE,
    team_id    INTEGER REFERENCES teams(id) ON DELETE CASCADE,
    agent_id   INTEGER REFERENCES agents(id) ON DELETE CASCADE,
    shortcut   TEXT NOT NULL,
    text       TEXT NOT NULL,
    updated_ms INTEGER NOT NULL
);
CREATE UNIQUE INDEX canned_responses_scope
    ON canned_responses (COALESCE(site_id, 0), COALESCE(team_id, 0), COALESCE(agent_id, 0), shortcut);
CREATE INDEX canned_responses_agent ON canned_responses (agent_id);
