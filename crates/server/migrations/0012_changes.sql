-- Admin changes with a live effect (an agent removed, their live chat
-- permission or schedule changed, their sessions ended), recorded where
-- they are made (the HTTP API or the command line) and applied once by a
-- running server's lifecycle, so both have the same live effect.
CREATE TABLE changes (
    id         INTEGER PRIMARY KEY,
    change     TEXT    NOT NULL, -- store::changes::Change as JSON
    made_at    INTEGER NOT NULL, -- unix milliseconds
    applied_at INTEGER           -- unix milliseconds; NULL until applied
);
CREATE INDEX changes_unapplied ON changes(id) WHERE applied_at IS NULL;
