-- Sites, their allowed origins, agents and their login sessions.
CREATE TABLE sites (
    id          INTEGER PRIMARY KEY,
    key         TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    -- protocol::site::Appearance as JSON; checked by the server before it is stored.
    appearance  TEXT    NOT NULL,
    fallback_message TEXT NOT NULL DEFAULT '',
    created_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

CREATE TABLE site_origins (
    site_id INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    origin  TEXT    NOT NULL,
    PRIMARY KEY (site_id, origin)
);

CREATE TABLE agents (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('agent', 'admin')),
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

-- Only a hash of each session token is stored: a leaked database does not
-- hand out live sessions.
CREATE TABLE sessions (
    token_hash TEXT    PRIMARY KEY,
    agent_id   INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    expires_at INTEGER NOT NULL -- unix seconds
);
CREATE INDEX sessions_agent ON sessions(agent_id);
