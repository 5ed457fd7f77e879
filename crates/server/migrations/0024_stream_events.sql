-- What visitors did in the streams (the widget's counts, never free text):
-- one row per visit (the widget's random id for one run of a stream), kind
-- and card, so a batch sent twice counts once.
CREATE TABLE stream_events (
    id        INTEGER PRIMARY KEY,
    site_id   INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    visit     TEXT    NOT NULL,
    stream_id TEXT    NOT NULL,
    version   INTEGER NOT NULL,
    kind      TEXT    NOT NULL CHECK (kind IN ('shown', 'reached', 'engaged', 'completed', 'email', 'live_chat')),
    card      TEXT    NOT NULL,
    at        INTEGER NOT NULL, -- unix ms, when the server took it
    UNIQUE (visit, kind, card)
);
-- Reports read the visits that started in a range of days, visit by visit.
CREATE INDEX stream_events_started ON stream_events(kind, at);
