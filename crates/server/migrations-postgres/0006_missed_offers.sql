-- Presence that follows the person: see the SQLite migration 0029.
ALTER TABLE agents ADD COLUMN missed_offers BIGINT NOT NULL DEFAULT 0;
ALTER TABLE agents ADD COLUMN away_after BIGINT;
ALTER TABLE sites ADD COLUMN away_after_missed BIGINT NOT NULL DEFAULT 2;
