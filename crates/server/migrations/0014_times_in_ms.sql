-- One way to store a time: unix milliseconds (INTEGER), bound by the server
-- from its one clock. No column reads the database's clock any more.
--
-- Text times (ISO 8601 to the second or to the millisecond) are converted in
-- place, seconds are multiplied. SQLite cannot change a column's type or
-- default, so a text column (or one whose default reads the clock) is
-- replaced: a new column filled from the old one, which is dropped, then
-- renamed. None of them is indexed or in a constraint, which DROP COLUMN
-- would refuse. A new NOT NULL column needs some default; 0 is only that:
-- every insert binds its time.
--
-- julianday() is exact to the millisecond in SQLite (it keeps whole
-- milliseconds), but as a float: ROUND, not a truncating CAST, takes it back.

-- To the second.
ALTER TABLE sites ADD COLUMN created_at_ms INTEGER NOT NULL DEFAULT 0;
UPDATE sites SET created_at_ms = CAST(ROUND((julianday(created_at) - 2440587.5) * 86400000) AS INTEGER);
ALTER TABLE sites DROP COLUMN created_at;
ALTER TABLE sites RENAME COLUMN created_at_ms TO created_at;

ALTER TABLE agents ADD COLUMN created_at_ms INTEGER NOT NULL DEFAULT 0;
UPDATE agents SET created_at_ms = CAST(ROUND((julianday(created_at) - 2440587.5) * 86400000) AS INTEGER);
ALTER TABLE agents DROP COLUMN created_at;
ALTER TABLE agents RENAME COLUMN created_at_ms TO created_at;

ALTER TABLE visitors ADD COLUMN created_at_ms INTEGER NOT NULL DEFAULT 0;
UPDATE visitors SET created_at_ms = CAST(ROUND((julianday(created_at) - 2440587.5) * 86400000) AS INTEGER);
ALTER TABLE visitors DROP COLUMN created_at;
ALTER TABLE visitors RENAME COLUMN created_at_ms TO created_at;

ALTER TABLE conversations ADD COLUMN created_at_ms INTEGER NOT NULL DEFAULT 0;
UPDATE conversations SET created_at_ms = CAST(ROUND((julianday(created_at) - 2440587.5) * 86400000) AS INTEGER);
ALTER TABLE conversations DROP COLUMN created_at;
ALTER TABLE conversations RENAME COLUMN created_at_ms TO created_at;

ALTER TABLE streams ADD COLUMN published_at_ms INTEGER NOT NULL DEFAULT 0;
UPDATE streams SET published_at_ms = CAST(ROUND((julianday(published_at) - 2440587.5) * 86400000) AS INTEGER);
ALTER TABLE streams DROP COLUMN published_at;
ALTER TABLE streams RENAME COLUMN published_at_ms TO published_at;

-- To the millisecond.
ALTER TABLE messages ADD COLUMN at_ms INTEGER NOT NULL DEFAULT 0;
UPDATE messages SET at_ms = CAST(ROUND((julianday(at) - 2440587.5) * 86400000) AS INTEGER);
ALTER TABLE messages DROP COLUMN at;
ALTER TABLE messages RENAME COLUMN at_ms TO at;

ALTER TABLE routing_decisions ADD COLUMN at_ms INTEGER NOT NULL DEFAULT 0;
UPDATE routing_decisions SET at_ms = CAST(ROUND((julianday(at) - 2440587.5) * 86400000) AS INTEGER);
ALTER TABLE routing_decisions DROP COLUMN at;
ALTER TABLE routing_decisions RENAME COLUMN at_ms TO at;

ALTER TABLE transfers ADD COLUMN at_ms INTEGER NOT NULL DEFAULT 0;
UPDATE transfers SET at_ms = CAST(ROUND((julianday(at) - 2440587.5) * 86400000) AS INTEGER);
ALTER TABLE transfers DROP COLUMN at;
ALTER TABLE transfers RENAME COLUMN at_ms TO at;

-- NULL until an agent accepts (julianday(NULL) is NULL).
ALTER TABLE conversations ADD COLUMN accepted_at_ms INTEGER;
UPDATE conversations SET accepted_at_ms = CAST(ROUND((julianday(accepted_at) - 2440587.5) * 86400000) AS INTEGER);
ALTER TABLE conversations DROP COLUMN accepted_at;
ALTER TABLE conversations RENAME COLUMN accepted_at_ms TO accepted_at;

-- Unix seconds. Their type stays; stream_versions.published_at loses the
-- default that read the clock.
UPDATE sessions SET expires_at = expires_at * 1000;
UPDATE agents SET available_until = available_until * 1000;

ALTER TABLE stream_versions ADD COLUMN published_at_ms INTEGER NOT NULL DEFAULT 0;
UPDATE stream_versions SET published_at_ms = published_at * 1000;
ALTER TABLE stream_versions DROP COLUMN published_at;
ALTER TABLE stream_versions RENAME COLUMN published_at_ms TO published_at;
