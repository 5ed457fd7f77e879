-- Published streams: the file as the site owner wrote it, and the validated
-- model as JSON (what the widget receives).
CREATE TABLE streams (
    site_id      INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    stream_id    TEXT    NOT NULL,
    priority     INTEGER NOT NULL,
    source       TEXT    NOT NULL,
    model        TEXT    NOT NULL,
    published_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    PRIMARY KEY (site_id, stream_id)
);
