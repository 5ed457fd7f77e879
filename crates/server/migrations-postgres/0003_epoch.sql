-- SQLite's 0027: the database's epoch, a random name for this copy of its
-- history (see there).
CREATE TABLE cluster_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

INSERT INTO cluster_meta (key, value)
VALUES ('epoch', substr(md5(random()::text || clock_timestamp()::text), 1, 16));
