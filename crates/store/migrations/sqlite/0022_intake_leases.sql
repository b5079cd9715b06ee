-- Intake shared by several processes (issue 19). A pending item is first scored and matched
-- (stage 0), then placed in a narrative (stage 1) by the one process that holds the monitor
-- (on SQLite, the process at hand). `lease_until` (Unix milliseconds) is when the process
-- that took a stage-0 item is presumed gone, so another may take it over; the process that
-- stores an item takes it at once. Rows from before this migration are free to take.
ALTER TABLE pending_items ADD COLUMN stage INTEGER NOT NULL DEFAULT 0 CHECK (stage IN (0, 1));
ALTER TABLE pending_items ADD COLUMN lease_until INTEGER;
CREATE INDEX pending_items_stage ON pending_items (stage, item_id);
