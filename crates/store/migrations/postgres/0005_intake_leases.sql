-- Several desk nodes on one database (SQLite's 0022_intake_leases, and the index's wake-up).
-- A pending item is first scored and matched (stage 0) by whichever node takes it, then
-- placed in a narrative (stage 1) by the node that holds the monitor's advisory lock.
-- `lease_until` (Unix milliseconds, the database's clock) is when the node that took a
-- stage-0 item is presumed dead and another may take it (`FOR UPDATE SKIP LOCKED`); the node
-- that stores an item takes it at once.
ALTER TABLE pending_items
    ADD COLUMN stage SMALLINT NOT NULL DEFAULT 0 CHECK (stage IN (0, 1)),
    ADD COLUMN lease_until BIGINT;
CREATE INDEX pending_items_stage ON pending_items (stage, item_id);

-- Every node's index follows the fact-check revision: a change is announced on the channel
-- `claimdesk_factcheck_revision` when its transaction commits, so followers wake at once; they
-- still poll, so a lost notification costs at most the poll interval.
CREATE FUNCTION factcheck_revision_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('claimdesk_factcheck_revision', NEW.value::text);
    RETURN NULL;
END
$$;
CREATE TRIGGER factcheck_revision_notify AFTER UPDATE OF value ON counters
FOR EACH ROW WHEN (NEW.name = 'factcheck_revision' AND NEW.value IS DISTINCT FROM OLD.value)
EXECUTE FUNCTION factcheck_revision_notify();

-- The database's clock in Unix milliseconds, what leases are written in.
CREATE FUNCTION now_ms() RETURNS bigint LANGUAGE sql VOLATILE PARALLEL SAFE
AS $$ SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint $$;
