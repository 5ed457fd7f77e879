-- Transfers: an agent handed an active chat to another agent or a team. The
-- latest one replaces the conversation's routing (its target, never the agent
-- who transferred it); together they are the chat's history of hand-overs.
CREATE TABLE transfers (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    from_agent_id   INTEGER REFERENCES agents(id) ON DELETE SET NULL,
    -- The transferring agent's display name at the time (offers show it).
    from_name       TEXT    NOT NULL,
    target          TEXT    NOT NULL, -- protocol::wire::TransferTarget as JSON
    at              TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX transfers_conversation ON transfers(conversation_id, id);
