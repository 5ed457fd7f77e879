-- Every published version of every stream, kept: a visitor goes on with the
-- version they started, and their hand-off names it with the live chat card,
-- whose routing the server takes from here (never from the client).
CREATE TABLE stream_versions (
    site_id   INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    stream_id TEXT    NOT NULL,
    version   INTEGER NOT NULL,
    model     TEXT    NOT NULL,
    -- Unix seconds: a version stays usable for hand-offs a grace period
    -- after the next one is published.
    published_at INTEGER NOT NULL DEFAULT (CAST(strftime('%s', 'now') AS INTEGER)),
    PRIMARY KEY (site_id, stream_id, version)
);
ALTER TABLE streams ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
INSERT INTO stream_versions (site_id, stream_id, version, model)
    SELECT site_id, stream_id, 1, model FROM streams;
