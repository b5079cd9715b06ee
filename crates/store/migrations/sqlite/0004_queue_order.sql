-- The desk's queue: newest first by publication time, then by id, read straight off an index
-- (the expression must match the queue's ORDER BY exactly), and each item's latest case
-- found without sorting.
CREATE INDEX items_queue_order ON items (
    unixepoch(published_at) IS NULL, unixepoch(published_at) DESC, id DESC
);
CREATE INDEX cases_item_latest ON cases (item_id, updated_at DESC, id DESC);
DROP INDEX cases_item;
-- The queue's filters and facets (the distinct languages and sources) read these.
CREATE INDEX items_language ON items (language);
CREATE INDEX items_source ON items (source);
