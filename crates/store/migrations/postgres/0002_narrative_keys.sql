-- Narratives that left the monitor's memory (SQLite's 0019_narrative_keys): each
-- representative member files its narrative under lookup keys (its SimHash fingerprint and a
-- few MinHash bands), so a later copy finds its narrative by key and the monitor brings it
-- back from its representatives. Derived state, cleared with the narratives.
CREATE TABLE narrative_keys (
    key          BIGINT NOT NULL,        -- u64 stored as i64
    narrative_id BIGINT NOT NULL,        -- narratives (id); no foreign key: cleared together
    PRIMARY KEY (key, narrative_id)
);

-- A narrative's representatives, read when it comes back into memory.
CREATE INDEX narrative_items_representatives ON narrative_items (narrative_id)
    WHERE representative;
