-- The database's epoch: a random name for this copy of its history. A
-- restore from a backup (or a promoted replica that missed commits) can
-- number new messages with sequence numbers clients already hold; after
-- `switchboard db new-epoch` a client that names the old epoch in its hello
-- is sent its conversation again from the start, marked as a reset.
CREATE TABLE cluster_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

INSERT INTO cluster_meta (key, value) VALUES ('epoch', lower(hex(randomblob(8))));
