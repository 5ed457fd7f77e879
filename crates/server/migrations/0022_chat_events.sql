-- What happened to each hand-off, one row per fact, for reports: written
-- in the same transaction as the change it records (`store::events`), so
-- a report never counts a change that was not made, nor misses one that was.
CREATE TABLE chat_events (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    site_id         INTEGER NOT NULL,
    kind            TEXT    NOT NULL CHECK (kind IN ('handoff', 'offered', 'declined', 'timed_out',
                        'withdrawn', 'accepted', 'transferred', 'first_reply', 'ended', 'fallback')),
    -- No reference: a removed agent's history stays in the reports.
    agent_id        INTEGER,
    -- offered: from a team's rotation; transferred: to a team (its name then).
    team            TEXT,
    -- handoff: the stream id; ended: who ended it.
    detail          TEXT,
    -- accepted: ms since the offer; first_reply: ms since the hand-off;
    -- ended: the messages the visitor and agents wrote.
    value           INTEGER,
    at              INTEGER NOT NULL -- unix ms
);
-- Reports read a range of conversations (numbered in the order they start)
-- with their events in order.
CREATE INDEX chat_events_conversation ON chat_events(conversation_id, id);
