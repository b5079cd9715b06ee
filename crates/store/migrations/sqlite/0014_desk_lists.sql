-- Every list of the desk read from an index or a summary, never a scan of the items (issue 22).
--
-- item_queue: one narrow row per item with everything the queue filters and sorts on, kept
-- in step with items, matches, check-worthiness and cases by the triggers below (derived
-- state: no foreign key, rebuilt from those tables by this migration). `at` is the queue's
-- order key: the publication time in Unix seconds, or -2^62 for an item without one, so
-- undated items sort last under `ORDER BY at DESC, item_id DESC` and one index column
-- holds the whole order. `top`: 0 no match, 1 a rank-1 match not confident, 2 confident.
-- Each filter has an index that ends with `at` (the rowid, item_id, follows implicitly), so
-- a filtered page is read off one index in queue order, and a date range is a range of it.
CREATE TABLE item_queue (
    item_id     INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    source      TEXT,
    language    TEXT,
    top         INTEGER NOT NULL DEFAULT 0 CHECK (top IN (0, 1, 2)),
    case_status TEXT,
    worthiness  REAL
);

INSERT INTO item_queue (item_id, at, source, language, top, case_status, worthiness)
SELECT i.id, coalesce(unixepoch(i.published_at), -4611686018427387904), i.source, i.language,
       coalesce((SELECT 1 + (m.confident = 1) FROM matches m
                 WHERE m.item_id = i.id AND m.rank = 1), 0),
       (SELECT c.status FROM cases c WHERE c.item_id = i.id
        ORDER BY c.updated_at DESC, c.id DESC LIMIT 1),
       (SELECT w.score FROM item_check_worthiness w WHERE w.item_id = i.id)
FROM items i;

CREATE INDEX item_queue_order ON item_queue (at);
CREATE INDEX item_queue_source ON item_queue (source, at);
CREATE INDEX item_queue_language ON item_queue (language, at);
CREATE INDEX item_queue_top ON item_queue (top, at);
CREATE INDEX item_queue_matched ON item_queue (at) WHERE top > 0;
CREATE INDEX item_queue_case ON item_queue (case_status, at) WHERE case_status IS NOT NULL;
CREATE INDEX item_queue_worthiness ON item_queue (worthiness) WHERE worthiness IS NOT NULL;
-- The check-worthiness levels the desk's filter offers (claimdesk_store::WORTHINESS_LEVELS),
-- each in queue order: few items pass the higher ones, and walking the whole order to find
-- them would read most of the queue.
CREATE INDEX item_queue_worthy_30 ON item_queue (at) WHERE worthiness >= 0.3;
CREATE INDEX item_queue_worthy_50 ON item_queue (at) WHERE worthiness >= 0.5;
CREATE INDEX item_queue_worthy_70 ON item_queue (at) WHERE worthiness >= 0.7;

-- The queue read these; item_queue's indexes replace them.
DROP INDEX items_queue_order;
DROP INDEX items_language;
DROP INDEX items_source;

-- The queue's facets (the distinct languages and sources, with their item counts) and the
-- number of items, kept by the same triggers.
CREATE TABLE item_facets (
    facet TEXT    NOT NULL CHECK (facet IN ('language', 'source')),
    value TEXT    NOT NULL,
    items INTEGER NOT NULL,
    PRIMARY KEY (facet, value)
) WITHOUT ROWID;
INSERT INTO item_facets (facet, value, items)
SELECT 'language', language, COUNT(*) FROM items WHERE language IS NOT NULL GROUP BY language;
INSERT INTO item_facets (facet, value, items)
SELECT 'source', source, COUNT(*) FROM items WHERE source IS NOT NULL GROUP BY source;
INSERT INTO counters (name, value) SELECT 'items', COUNT(*) FROM items;

CREATE TRIGGER items_lists_insert AFTER INSERT ON items
BEGIN
    INSERT INTO item_queue (item_id, at, source, language)
    VALUES (new.id, coalesce(unixepoch(new.published_at), -4611686018427387904), new.source,
            new.language);
    UPDATE counters SET value = value + 1 WHERE name = 'items';
    INSERT INTO item_facets (facet, value, items)
    SELECT 'source', new.source, 1 WHERE new.source IS NOT NULL
    ON CONFLICT DO UPDATE SET items = items + 1;
    INSERT INTO item_facets (facet, value, items)
    SELECT 'language', new.language, 1 WHERE new.language IS NOT NULL
    ON CONFLICT DO UPDATE SET items = items + 1;
END;

CREATE TRIGGER items_lists_update AFTER UPDATE OF published_at, source, language ON items
BEGIN
    UPDATE item_queue
    SET at = coalesce(unixepoch(new.published_at), -4611686018427387904),
        source = new.source, language = new.language
    WHERE item_id = new.id;
    UPDATE item_facets SET items = items - 1
    WHERE (facet = 'source' AND value = old.source)
       OR (facet = 'language' AND value = old.language);
    INSERT INTO item_facets (facet, value, items)
    SELECT 'source', new.source, 1 WHERE new.source IS NOT NULL
    ON CONFLICT DO UPDATE SET items = items + 1;
    INSERT INTO item_facets (facet, value, items)
    SELECT 'language', new.language, 1 WHERE new.language IS NOT NULL
    ON CONFLICT DO UPDATE SET items = items + 1;
    DELETE FROM item_facets
    WHERE ((facet = 'source' AND value = old.source)
        OR (facet = 'language' AND value = old.language))
      AND items <= 0;
END;

CREATE TRIGGER items_lists_delete AFTER DELETE ON items
BEGIN
    DELETE FROM item_queue WHERE item_id = old.id;
    UPDATE counters SET value = value - 1 WHERE name = 'items';
    UPDATE item_facets SET items = items - 1
    WHERE (facet = 'source' AND value = old.source)
       OR (facet = 'language' AND value = old.language);
    DELETE FROM item_facets
    WHERE ((facet = 'source' AND value = old.source)
        OR (facet = 'language' AND value = old.language))
      AND items <= 0;
END;

-- The top match: matches are replaced (deleted, then inserted) per item.
CREATE TRIGGER matches_queue_insert AFTER INSERT ON matches WHEN new.rank = 1
BEGIN
    UPDATE item_queue SET top = 1 + (new.confident = 1) WHERE item_id = new.item_id;
END;
CREATE TRIGGER matches_queue_delete AFTER DELETE ON matches WHEN old.rank = 1
BEGIN
    UPDATE item_queue SET top = 0 WHERE item_id = old.item_id;
END;
CREATE TRIGGER matches_queue_update AFTER UPDATE OF item_id, rank, confident ON matches
BEGIN
    UPDATE item_queue
    SET top = coalesce((SELECT 1 + (m.confident = 1) FROM matches m
                        WHERE m.item_id = item_queue.item_id AND m.rank = 1), 0)
    WHERE item_id IN (old.item_id, new.item_id);
END;

CREATE TRIGGER worthiness_queue_insert AFTER INSERT ON item_check_worthiness
BEGIN
    UPDATE item_queue SET worthiness = new.score WHERE item_id = new.item_id;
END;
CREATE TRIGGER worthiness_queue_update AFTER UPDATE OF score ON item_check_worthiness
BEGIN
    UPDATE item_queue SET worthiness = new.score WHERE item_id = new.item_id;
END;
CREATE TRIGGER worthiness_queue_delete AFTER DELETE ON item_check_worthiness
BEGIN
    UPDATE item_queue SET worthiness = NULL WHERE item_id = old.item_id;
END;

-- The status of an item's latest case (by updated_at, then id), as the queue shows it.
CREATE TRIGGER cases_queue_insert AFTER INSERT ON cases WHEN new.item_id IS NOT NULL
BEGIN
    UPDATE item_queue
    SET case_status = (SELECT c.status FROM cases c WHERE c.item_id = new.item_id
                       ORDER BY c.updated_at DESC, c.id DESC LIMIT 1)
    WHERE item_id = new.item_id;
END;
CREATE TRIGGER cases_queue_update AFTER UPDATE OF item_id, status, updated_at ON cases
BEGIN
    UPDATE item_queue
    SET case_status = (SELECT c.status FROM cases c WHERE c.item_id = item_queue.item_id
                       ORDER BY c.updated_at DESC, c.id DESC LIMIT 1)
    WHERE item_id IN (old.item_id, new.item_id);
END;
CREATE TRIGGER cases_queue_delete AFTER DELETE ON cases WHEN old.item_id IS NOT NULL
BEGIN
    UPDATE item_queue
    SET case_status = (SELECT c.status FROM cases c WHERE c.item_id = old.item_id
                       ORDER BY c.updated_at DESC, c.id DESC LIMIT 1)
    WHERE item_id = old.item_id;
END;

-- The distinct sources of each narrative, so a list of narratives counts its sources
-- without reading every member (a flood has hundreds of thousands). Kept by a trigger on
-- narrative_items; clearing the narratives clears it.
CREATE TABLE narrative_sources (
    narrative_id INTEGER NOT NULL,
    source       TEXT    NOT NULL,
    items        INTEGER NOT NULL,
    PRIMARY KEY (narrative_id, source)
) WITHOUT ROWID;
ALTER TABLE narratives ADD COLUMN source_count INTEGER NOT NULL DEFAULT 0;
INSERT INTO narrative_sources (narrative_id, source, items)
SELECT ni.narrative_id, i.source, COUNT(*)
FROM narrative_items ni JOIN items i ON i.id = ni.item_id
WHERE i.source IS NOT NULL GROUP BY ni.narrative_id, i.source;
UPDATE narratives
SET source_count = (SELECT COUNT(*) FROM narrative_sources s WHERE s.narrative_id = narratives.id);

CREATE TRIGGER narrative_items_sources AFTER INSERT ON narrative_items
BEGIN
    UPDATE narratives SET source_count = source_count + 1
    WHERE id = new.narrative_id
      AND NOT EXISTS (SELECT 1 FROM narrative_sources s JOIN items i ON i.source = s.source
                      WHERE s.narrative_id = new.narrative_id AND i.id = new.item_id)
      AND (SELECT i.source FROM items i WHERE i.id = new.item_id) IS NOT NULL;
    INSERT INTO narrative_sources (narrative_id, source, items)
    SELECT new.narrative_id, i.source, 1 FROM items i
    WHERE i.id = new.item_id AND i.source IS NOT NULL
    ON CONFLICT DO UPDATE SET items = items + 1;
END;

-- The desk lists narratives of at least two items (its default) newest growth first.
CREATE INDEX narratives_recent ON narratives (last_seen) WHERE item_count >= 2;

-- Alerts by rule, newest first; cases newest first without a status filter.
CREATE INDEX alerts_rule ON alerts (rule, id);
CREATE INDEX cases_updated ON cases (updated_at, id);
