-- Visitors (identified by an unguessable token; only its hash is stored),
-- their conversations and the messages, numbered per conversation.
CREATE TABLE visitors (
    id         INTEGER PRIMARY KEY,
    site_id    INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    token_hash TEXT    NOT NULL UNIQUE,
    created_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

CREATE TABLE conversations (
    id          INTEGER PRIMARY KEY,
    site_id     INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    visitor_id  INTEGER NOT NULL REFERENCES visitors(id) ON DELETE CASCADE,
    state       TEXT    NOT NULL,
    stream_id   TEXT    NOT NULL,
    routing     TEXT    NOT NULL, -- JSON
    attributes  TEXT    NOT NULL, -- JSON
    transcript  TEXT    NOT NULL, -- JSON
    page        TEXT    NOT NULL, -- JSON
    agent_id    INTEGER REFERENCES agents(id) ON DELETE SET NULL,
    last_seq    INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX conversations_visitor ON conversations(visitor_id, id);

CREATE TABLE messages (
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    seq             INTEGER NOT NULL,
    author          TEXT    NOT NULL CHECK (author IN ('visitor', 'agent', 'system')),
    client_id       TEXT,
    text            TEXT    NOT NULL,
    at              TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (conversation_id, seq)
);
-- A resent client message id is stored once.
CREATE UNIQUE INDEX messages_client_id ON messages(conversation_id, author, client_id) WHERE client_id IS NOT NULL;
