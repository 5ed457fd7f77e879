-- An agent's own capacity (most open chats routing gives them); NULL: the
-- server's `routing.capacity`.
ALTER TABLE agents ADD COLUMN capacity INTEGER CHECK (capacity BETWEEN 1 AND 10);

-- An invited agent has no password until they accept: their
-- `password_hash` is empty, which no password verifies against.

-- One-time links: the first admin's setup link and agents' invitations.
-- Only a hash of each token is stored, as for sessions. A token works once
-- (`used_at`), until `expires_at`.
CREATE TABLE account_tokens (
    token_hash TEXT    PRIMARY KEY,
    purpose    TEXT    NOT NULL CHECK (purpose IN ('setup', 'invite')),
    -- The invited agent; NULL for setup.
    agent_id   INTEGER REFERENCES agents(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL, -- unix milliseconds
    expires_at INTEGER NOT NULL, -- unix milliseconds
    used_at    INTEGER,          -- unix milliseconds; NULL until used
    CHECK ((purpose = 'setup') = (agent_id IS NULL))
);
CREATE INDEX account_tokens_agent ON account_tokens(agent_id);
