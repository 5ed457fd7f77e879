-- Timers as rows: one due time per conversation (unix milliseconds), its
-- meaning following the state: waiting → route it (again); offered → the
-- accept timeout; active → the inactivity limit; NULL once it is over.
-- The lifecycle's sweeper claims what is due, so a timer due while the
-- server was stopped fires once after a start, and any node could fire it.
ALTER TABLE conversations ADD COLUMN due_at INTEGER;
CREATE INDEX conversations_due ON conversations(due_at) WHERE due_at IS NOT NULL;
-- Open conversations from before: due at once; the sweeper checks the facts
-- (when it was offered, the last message) before acting, and re-arms.
UPDATE conversations SET due_at = 0 WHERE state IN ('waiting', 'offered', 'active');
