-- Narratives that left the monitor's memory (issue 22). The monitor holds only the narratives
-- that grew most recently; each representative member files its narrative here under lookup
-- keys (its SimHash fingerprint and a few MinHash bands, as `claimdesk_monitor::cluster::
-- lookup_keys` computes them), so a later copy finds its narrative by key and the monitor
-- brings it back from its representatives. Derived state, like narratives: cleared with them
-- and refilled by `claimdesk narratives rebuild`. Narratives stored before this migration
-- have no keys until that rebuild.
CREATE TABLE narrative_keys (
    key          INTEGER NOT NULL,       -- u64 stored as i64
    narrative_id INTEGER NOT NULL,       -- narratives (id); no foreign key: cleared together
    PRIMARY KEY (key, narrative_id)
) WITHOUT ROWID;

-- A narrative's representatives, read when it comes back into memory (a flood's narrative
-- has a few dozen among a hundred thousand members).
CREATE INDEX narrative_items_representatives ON narrative_items (narrative_id)
    WHERE representative = 1;
