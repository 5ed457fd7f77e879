-- Presence that follows the person. Each agent's offers let time out in a
-- row (an accept, a decline or a switch of their availability starts it
-- again), and, when a site's limit switched them to unavailable, after how
-- many (cleared by the next change of their availability).
ALTER TABLE agents ADD COLUMN missed_offers INTEGER NOT NULL DEFAULT 0;
ALTER TABLE agents ADD COLUMN away_after INTEGER;
-- Per site: missed offers in a row before an agent is switched to
-- unavailable (0: never).
ALTER TABLE sites ADD COLUMN away_after_missed INTEGER NOT NULL DEFAULT 2;
