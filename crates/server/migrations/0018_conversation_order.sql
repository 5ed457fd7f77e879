-- Conversations are numbered in the order they start: a start is never
-- before the one numbered before it (`create_conversation` keeps it so
-- from now on), so the search index, which hands matches out by
-- conversation number, hands them out in the admin list's order.
--
-- One that a clock stepping back had started before an earlier number
-- starts with that one instead, here and where its team routing keeps its
-- start for the list's order; it ended no earlier than it started.
UPDATE conversations SET created_at = numbered.started
FROM (SELECT id, MAX(created_at) OVER (ORDER BY id) AS started FROM conversations) AS numbered
WHERE numbered.id = conversations.id AND numbered.started > conversations.created_at;

UPDATE conversation_teams SET created_at = c.created_at
FROM conversations c
WHERE c.id = conversation_teams.conversation_id AND c.created_at <> conversation_teams.created_at;

UPDATE conversations SET ended_at = created_at WHERE ended_at < created_at;
