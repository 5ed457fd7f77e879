-- The stream designer: one draft per stream, saved as the admin works
-- (a whole stream as JSON, which need not be publishable yet), and the
-- history of releases. A draft's revision counts its saves: a save names
-- the revision it started from, so a second tab or admin is told rather
-- than overwritten.
CREATE TABLE stream_drafts (
    site_id   INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    stream_id TEXT    NOT NULL,
    model     TEXT    NOT NULL,
    revision  INTEGER NOT NULL,
    -- Unix ms.
    saved_at  INTEGER NOT NULL,
    -- The agent's name; empty from the command line.
    saved_by  TEXT    NOT NULL,
    PRIMARY KEY (site_id, stream_id)
);

-- One row per publication: who, when, why and what it changed since the
-- release before. The stream itself is the version's row in
-- stream_versions (kept for every version since 0011).
CREATE TABLE stream_releases (
    site_id            INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    stream_id          TEXT    NOT NULL,
    version            INTEGER NOT NULL,
    note               TEXT    NOT NULL,
    published_by_name  TEXT    NOT NULL,
    published_by_email TEXT    NOT NULL,
    -- Unix ms.
    published_at       INTEGER NOT NULL,
    -- {"added": [card ids], "removed": [...], "changed": [...]}
    changes            TEXT    NOT NULL,
    settings_changed   INTEGER NOT NULL,
    PRIMARY KEY (site_id, stream_id, version)
);

-- Each stream published now starts its history with its current version,
-- every card of it added.
INSERT INTO stream_releases (site_id, stream_id, version, note, published_by_name, published_by_email,
                             published_at, changes, settings_changed)
    SELECT s.site_id, s.stream_id, s.version, '', '', '', s.published_at,
           json_object(
               'added', json(COALESCE(
                   (SELECT json_group_array(json_extract(c.value, '$.id'))
                      FROM json_each(s.model, '$.cards') c),
                   '[]')),
               'removed', json_array(),
               'changed', json_array()),
           0
      FROM streams s;
