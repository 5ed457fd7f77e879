-- The first agent message of each conversation, by its sequence number:
-- an agent's message is its chat's first reply when it sets this (one
-- column in the update that numbers it), so recording that fact costs
-- delivery nothing beyond that first message.
ALTER TABLE conversations ADD COLUMN first_reply_seq INTEGER;
UPDATE conversations SET first_reply_seq =
    (SELECT MIN(seq) FROM messages WHERE conversation_id = conversations.id AND author = 'agent')
WHERE EXISTS (SELECT 1 FROM messages WHERE conversation_id = conversations.id AND author = 'agent');

-- Reports: the facts of each block of 1024 conversations (by id: `block`
-- is id / 1024), folded once and packed (`reports::digest`), so a report
-- over a million conversations reads a thousand rows, not ten million
-- facts. Written for a block below the newest conversation's; its
-- conversations still open are holes in it (the report reads their
-- facts). Any fact recorded, changed or removed for a conversation of a
-- block, or its conversation removed, deletes the block's row (these
-- triggers): the report then reads the block's facts until it is packed
-- again. Packing claims the row first (an empty body) and fills it in
-- only if it is still there (`store::chat_digests`), so a digest is never
-- older than the facts.
CREATE TABLE chat_digests (
    block INTEGER PRIMARY KEY,
    body  BLOB    NOT NULL
);
CREATE TRIGGER chat_digests_fact_added AFTER INSERT ON chat_events BEGIN
    DELETE FROM chat_digests WHERE block = NEW.conversation_id / 1024;
END;
CREATE TRIGGER chat_digests_fact_changed AFTER UPDATE ON chat_events BEGIN
    DELETE FROM chat_digests WHERE block IN (OLD.conversation_id / 1024, NEW.conversation_id / 1024);
END;
CREATE TRIGGER chat_digests_fact_removed AFTER DELETE ON chat_events BEGIN
    DELETE FROM chat_digests WHERE block = OLD.conversation_id / 1024;
END;
CREATE TRIGGER chat_digests_conversation_removed AFTER DELETE ON conversations BEGIN
    DELETE FROM chat_digests WHERE block = OLD.id / 1024;
END;
