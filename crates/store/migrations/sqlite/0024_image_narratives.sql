-- Near-duplicate images join one narrative (issue 20): a re-shared picture, cropped, framed or
-- captioned anew, is one story whatever words go with it.
--
-- item_image_neighbours: for an item with images, the earlier item whose image one of its
-- images is a near-duplicate of (the nearest the desk found when it processed the item), and
-- the distance in bits of 256. Learned from the images, not from narratives: it outlives
-- `claimdesk narratives rebuild`, which reads it again.
CREATE TABLE item_image_neighbours (
    item_id   INTEGER PRIMARY KEY REFERENCES items (id),
    near_item INTEGER NOT NULL REFERENCES items (id),
    distance  INTEGER NOT NULL CHECK (distance BETWEEN 0 AND 256)
);

-- narrative_items.joined_by takes 'image'. SQLite cannot change a CHECK constraint in place:
-- the table is made again with its rows, indexes and trigger (0006, 0008, 0014, 0019).
CREATE TABLE narrative_items_0024 (
    item_id        INTEGER PRIMARY KEY REFERENCES items (id),
    narrative_id   INTEGER NOT NULL REFERENCES narratives (id),
    fingerprint    INTEGER,
    minhash        BLOB,
    joined_by      TEXT    NOT NULL
                   CHECK (joined_by IN ('seed', 'fingerprint', 'embedding', 'image')),
    at             INTEGER NOT NULL,
    representative INTEGER NOT NULL DEFAULT 0
);
INSERT INTO narrative_items_0024
    (item_id, narrative_id, fingerprint, minhash, joined_by, at, representative)
SELECT item_id, narrative_id, fingerprint, minhash, joined_by, at, representative
FROM narrative_items;
DROP TABLE narrative_items;
ALTER TABLE narrative_items_0024 RENAME TO narrative_items;

CREATE INDEX narrative_items_narrative ON narrative_items (narrative_id, at);
CREATE INDEX narrative_items_representative ON narrative_items (item_id) WHERE representative = 1;
CREATE INDEX narrative_items_representatives ON narrative_items (narrative_id)
    WHERE representative = 1;
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
