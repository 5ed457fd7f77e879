-- When an agent accepted the conversation: an active chat's inactivity is
-- counted from its last message or from this, whichever is later (also after
-- a restart).
ALTER TABLE conversations ADD COLUMN accepted_at TEXT;
