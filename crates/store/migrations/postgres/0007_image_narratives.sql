-- Near-duplicate images join one narrative (issue 20; SQLite's 0024_image_narratives): the
-- earlier item whose image an item's image is a near-duplicate of, and 'image' as a reason
-- to join a narrative.
CREATE TABLE item_image_neighbours (
    item_id   BIGINT PRIMARY KEY REFERENCES items (id),
    near_item BIGINT NOT NULL REFERENCES items (id),
    distance  BIGINT NOT NULL CHECK (distance BETWEEN 0 AND 256)
);

ALTER TABLE narrative_items DROP CONSTRAINT narrative_items_joined_by_check;
ALTER TABLE narrative_items ADD CONSTRAINT narrative_items_joined_by_check
    CHECK (joined_by IN ('seed', 'fingerprint', 'embedding', 'image'));
