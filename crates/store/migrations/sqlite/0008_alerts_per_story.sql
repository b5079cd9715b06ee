-- no-transaction
-- Alerts per story, not per item (issue 14), and narratives that a flood joins at full speed.
--
-- alerts: a fourth rule, `escalation` (a narrative that alerted has grown 10x, 100x, ... since),
-- and the narrative's size when the alert was raised: items, first and last seen (Unix
-- seconds). SQLite cannot change a CHECK in place, so the table is rebuilt (the documented
-- twelve steps: foreign keys off outside the transaction, copy, drop, rename, check); the
-- outbox and the delivery log keep their alert ids.
--
-- narrative_items.representative: the members the online clusterer keeps in memory, at most
-- 64 per narrative (claimdesk_monitor::cluster::REPRESENTATIVES); the others are only counted.
-- Narratives made before keep their first 64 members with a fingerprint or signature.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

CREATE TABLE alerts_new (
    id              INTEGER PRIMARY KEY,
    rule            TEXT    NOT NULL CHECK (rule IN ('false_match', 'burst', 'growth', 'escalation')),
    subject         TEXT    NOT NULL,
    item_id         INTEGER REFERENCES items (id),
    narrative_id    INTEGER,                 -- no reference: narratives are rebuilt
    factcheck_id    INTEGER REFERENCES factchecks (id),
    summary         TEXT    NOT NULL,
    details         TEXT    NOT NULL,        -- JSON
    created_at      TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    narrative_items INTEGER,                 -- the narrative's size when raised
    first_seen      INTEGER,                 -- Unix seconds
    last_seen       INTEGER,                 -- Unix seconds
    UNIQUE (rule, subject)
);
INSERT INTO alerts_new (id, rule, subject, item_id, narrative_id, factcheck_id, summary, details,
                        created_at)
SELECT id, rule, subject, item_id, narrative_id, factcheck_id, summary, details, created_at
FROM alerts;
DROP TABLE alerts;
ALTER TABLE alerts_new RENAME TO alerts;
CREATE INDEX alerts_narrative ON alerts (narrative_id) WHERE narrative_id IS NOT NULL;

ALTER TABLE narrative_items ADD COLUMN representative INTEGER NOT NULL DEFAULT 0
    CHECK (representative IN (0, 1));
UPDATE narrative_items SET representative = 1
WHERE item_id IN (
    SELECT item_id FROM (
        SELECT item_id, ROW_NUMBER() OVER (PARTITION BY narrative_id ORDER BY item_id) AS k
        FROM narrative_items WHERE fingerprint IS NOT NULL OR minhash IS NOT NULL
    ) WHERE k <= 64
);
CREATE INDEX narrative_items_representative ON narrative_items (item_id) WHERE representative = 1;

COMMIT;
PRAGMA foreign_keys = ON;
