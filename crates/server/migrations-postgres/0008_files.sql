-- Files sent in chats, both ways. Kept in the database so every node can
-- serve them; a message that carries one has its reference in `file`
-- (JSON: id, name, mime, size). The id is random: unguessable.
CREATE TABLE files (
    id              TEXT PRIMARY KEY,
    conversation_id BIGINT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    author          TEXT NOT NULL CHECK (author IN ('visitor', 'agent')),
    name            TEXT NOT NULL,
    mime            TEXT NOT NULL,
    size            BIGINT NOT NULL,
    bytes           BYTEA NOT NULL,
    created_ms      BIGINT NOT NULL
);
CREATE INDEX files_conversation ON files (conversation_id);
ALTER TABLE messages ADD COLUMN file TEXT;
-- Per site: the largest file taken (MB; 0: no files), and the groups of
-- kinds taken (images, pdf, text, office; comma-separated).
ALTER TABLE sites ADD COLUMN file_max_mb BIGINT NOT NULL DEFAULT 10;
ALTER TABLE sites ADD COLUMN file_groups TEXT NOT NULL DEFAULT 'images,pdf,text,office';
