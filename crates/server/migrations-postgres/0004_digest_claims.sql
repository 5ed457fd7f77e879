-- A packer's claim on a block of digests (store/chat_digests.rs) must not
-- come between a fact writer's trigger and its commit: the trigger would
-- find no claim to delete, the packer would read the facts without the
-- uncommitted one, and its digest would miss that fact for good. SQLite
-- has one writer at a time, so there it cannot happen; here every
-- transaction that records, changes or removes a fact (or removes a
-- conversation) holds its block's advisory lock shared until it ends, and
-- a claim takes the same lock exclusively: it waits for the writers in
-- flight, and writers after it wait for it and then delete it.
-- The key: (0x53574447 "SWDG", block).
CREATE OR REPLACE FUNCTION chat_digests_fact() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM pg_advisory_xact_lock_shared(1398228039, (OLD.conversation_id / 1024)::integer);
        DELETE FROM chat_digests WHERE block = OLD.conversation_id / 1024;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM pg_advisory_xact_lock_shared(1398228039, (NEW.conversation_id / 1024)::integer);
        DELETE FROM chat_digests WHERE block = NEW.conversation_id / 1024;
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION conversations_search_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM transcript_search WHERE rowid BETWEEN OLD.id * 16777216 AND OLD.id * 16777216 + 16777215;
    PERFORM pg_advisory_xact_lock_shared(1398228039, (OLD.id / 1024)::integer);
    DELETE FROM chat_digests WHERE block = OLD.id / 1024;
    RETURN NULL;
END $$;
