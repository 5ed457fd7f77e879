-- The admin's list of every conversation: paged newest first on
-- (created_at, id), filtered by site, state, agent, team, a time range and
-- the words of the transcript, fast with a million conversations.

-- When a conversation ended or fell back (unix ms); NULL while open. Set by
-- the statement that ends it, from the server's clock. For those that ended
-- before this column, the best the rows still know: their last message,
-- acceptance or start, whichever is latest.
ALTER TABLE conversations ADD COLUMN ended_at INTEGER;
UPDATE conversations SET ended_at = MAX(
        created_at,
        COALESCE(accepted_at, 0),
        COALESCE((SELECT MAX(at) FROM messages WHERE conversation_id = conversations.id), 0))
    WHERE state IN ('ended', 'fallback');

-- One index per filter, each in the list's order, so the first page of any
-- filter reads its rows in order and stops after a page; the two pairs an
-- admin combines most (a site's or an agent's conversations in one state)
-- have their own. Other combinations read the index of one filter and
-- check the rest row by row.
CREATE INDEX conversations_started ON conversations(created_at, id);
CREATE INDEX conversations_site_started ON conversations(site_id, created_at, id);
CREATE INDEX conversations_state_started ON conversations(state, created_at, id);
CREATE INDEX conversations_agent_started ON conversations(agent_id, created_at, id);
CREATE INDEX conversations_site_state_started ON conversations(site_id, state, created_at, id);
CREATE INDEX conversations_agent_state_started ON conversations(agent_id, state, created_at, id);

-- The teams a conversation was routed to: every routing decision that
-- tried a team (the card's team, a rule's, a transfer's), kept by a
-- trigger in the decision's own transaction. With the conversation's start,
-- so a team's conversations are read in the list's order.
CREATE TABLE conversation_teams (
    team_id         INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    created_at      INTEGER NOT NULL,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, created_at, conversation_id)
) WITHOUT ROWID;
CREATE INDEX conversation_teams_conversation ON conversation_teams(conversation_id);

CREATE TRIGGER routing_decisions_teams AFTER INSERT ON routing_decisions BEGIN
    INSERT INTO conversation_teams (team_id, created_at, conversation_id)
    SELECT DISTINCT t.id, c.created_at, c.id
    FROM conversations c, json_each(NEW.decision, '$.steps') s
    JOIN teams t ON t.name = CASE json_extract(s.value, '$.stage')
        WHEN 'team' THEN json_extract(s.value, '$.team')
        WHEN 'rule' THEN json_extract(s.value, '$.target.team')
        WHEN 'transfer' THEN json_extract(s.value, '$.to.name')
    END
    WHERE c.id = NEW.conversation_id
    ON CONFLICT DO NOTHING;
END;

INSERT INTO conversation_teams (team_id, created_at, conversation_id)
    SELECT DISTINCT t.id, c.created_at, c.id
    FROM routing_decisions d
    JOIN conversations c ON c.id = d.conversation_id, json_each(d.decision, '$.steps') s
    JOIN teams t ON t.name = CASE json_extract(s.value, '$.stage')
        WHEN 'team' THEN json_extract(s.value, '$.team')
        WHEN 'rule' THEN json_extract(s.value, '$.target.team')
        WHEN 'transfer' THEN json_extract(s.value, '$.to.name')
    END
    WHERE true
    ON CONFLICT DO NOTHING;

-- Full-text search over what people wrote: the visitor's answers in the bot
-- part and the live messages of the visitor and agents (not the bot's own
-- lines nor system notices, the same in every conversation). Contentless:
-- the text stays in `conversations.transcript` and `messages` only.
--
-- A row's id places it: conversation id * 2^24, plus the answer's index in
-- the bot part (below 2^20), or 2^20 + the message's sequence number. So
-- one conversation's rows are one range of ids (a snippet reads its first
-- hit, a deleted conversation takes its rows along), and the search engine
-- hands matches out in conversation order.
CREATE VIRTUAL TABLE transcript_search USING fts5(
    text,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- Kept in the same transaction as the write, by triggers: the bot part
-- arrives whole with the hand-off, messages one by one.
CREATE TRIGGER conversations_search_insert AFTER INSERT ON conversations BEGIN
    INSERT INTO transcript_search (rowid, text)
    SELECT NEW.id * 16777216 + CAST(e.key AS INTEGER), json_extract(e.value, '$.text')
    FROM json_each(NEW.transcript) e
    WHERE json_extract(e.value, '$.from') = 'visitor' AND CAST(e.key AS INTEGER) < 1048576;
END;

CREATE TRIGGER messages_search_insert AFTER INSERT ON messages
    WHEN NEW.author <> 'system' AND NEW.seq < 15728640
BEGIN
    INSERT INTO transcript_search (rowid, text)
    VALUES (NEW.conversation_id * 16777216 + 1048576 + NEW.seq, NEW.text);
END;

CREATE TRIGGER conversations_search_delete AFTER DELETE ON conversations BEGIN
    DELETE FROM transcript_search
    WHERE rowid BETWEEN OLD.id * 16777216 AND OLD.id * 16777216 + 16777215;
END;

-- What was written before this migration.
INSERT INTO transcript_search (rowid, text)
    SELECT c.id * 16777216 + CAST(e.key AS INTEGER), json_extract(e.value, '$.text')
    FROM conversations c, json_each(c.transcript) e
    WHERE json_extract(e.value, '$.from') = 'visitor' AND CAST(e.key AS INTEGER) < 1048576;
INSERT INTO transcript_search (rowid, text)
    SELECT conversation_id * 16777216 + 1048576 + seq, text
    FROM messages
    WHERE author <> 'system' AND seq < 15728640;
