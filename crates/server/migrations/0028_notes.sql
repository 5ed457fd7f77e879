-- Agents' private notes are stored among a chat's messages, numbered with
-- them (so each keeps its place and is resent like any message), with the
-- author 'note'; the visitor's sockets skip them. SQLite cannot change a
-- CHECK constraint in place, so the table is rebuilt with the same columns,
-- index and trigger.
CREATE TABLE messages_new (
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    seq             INTEGER NOT NULL,
    author          TEXT    NOT NULL CHECK (author IN ('visitor', 'agent', 'system', 'note')),
    client_id       TEXT,
    text            TEXT    NOT NULL,
    at              INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (conversation_id, seq)
);
INSERT INTO messages_new (conversation_id, seq, author, client_id, text, at)
    SELECT conversation_id, seq, author, client_id, text, at FROM messages;
DROP TABLE messages;
ALTER TABLE messages_new RENAME TO messages;

-- A resent client message id is stored once.
CREATE UNIQUE INDEX messages_client_id ON messages(conversation_id, author, client_id) WHERE client_id IS NOT NULL;

CREATE TRIGGER messages_search_insert AFTER INSERT ON messages
    WHEN NEW.author <> 'system' AND NEW.seq < 15728640
BEGIN
    INSERT INTO transcript_search (rowid, text)
    VALUES (NEW.conversation_id * 16777216 + 1048576 + NEW.seq, NEW.text);
END;
