-- Routing: the live chat permission, persisted availability (a manual toggle
-- and an optional weekly schedule), rotation per pool (site-wide, per team,
-- per rule), offers that time out, declined/timed-out attempts, the stored
-- decisions that `explain` shows, and account routes.
ALTER TABLE agents ADD COLUMN live_chat INTEGER NOT NULL DEFAULT 1;
ALTER TABLE agents ADD COLUMN available INTEGER NOT NULL DEFAULT 1;
-- With a schedule: the manual toggle holds until this moment (unix seconds).
ALTER TABLE agents ADD COLUMN available_until INTEGER;
-- routing::availability::Schedule as JSON, or NULL.
ALTER TABLE agents ADD COLUMN schedule TEXT;

CREATE TABLE rotation_pools (
    site_id       INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    pool          TEXT    NOT NULL,
    last_agent_id INTEGER NOT NULL,
    PRIMARY KEY (site_id, pool)
);
INSERT INTO rotation_pools (site_id, pool, last_agent_id) SELECT site_id, 'all', last_agent_id FROM rotation;
DROP TABLE rotation;

-- When the current offer was made (unix milliseconds), so its timeout
-- survives a restart.
ALTER TABLE conversations ADD COLUMN offered_at INTEGER;

CREATE TABLE routing_attempts (
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    agent_id        INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    outcome         TEXT    NOT NULL CHECK (outcome IN ('declined', 'timed_out')),
    PRIMARY KEY (conversation_id, agent_id)
);

CREATE TABLE routing_decisions (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    decision        TEXT    NOT NULL, -- routing::decide::Decision as JSON
    at              TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX routing_decisions_conversation ON routing_decisions(conversation_id, id);

-- Account routing: a visitor whose email is at `domain` goes to this agent first.
CREATE TABLE account_routes (
    site_id  INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    domain   TEXT    NOT NULL COLLATE NOCASE,
    agent_id INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    PRIMARY KEY (site_id, domain)
);
