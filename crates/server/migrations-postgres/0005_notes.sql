-- Agents' private notes are stored among a chat's messages, numbered with
-- them, with the author 'note'; the visitor's sockets skip them.
ALTER TABLE messages DROP CONSTRAINT messages_author_check;
ALTER TABLE messages ADD CONSTRAINT messages_author_check
    CHECK (author IN ('visitor', 'agent', 'system', 'note'));
