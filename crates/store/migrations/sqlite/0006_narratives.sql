-- Narratives (items that say the same thing), their copy-paste bursts, alerts, and the
-- webhooks alerts are delivered to. Narratives and bursts are derived state: `claimdesk
-- narratives rebuild` recomputes them from the items. Times are RFC 3339 UTC text with
-- milliseconds, as in 0001, except item times on a narrative's time line, which are Unix
-- seconds (the item's published_at, else the time of its ingest) so windows compare fast.

CREATE TABLE narratives (
    id                  INTEGER PRIMARY KEY,
    representative_item INTEGER NOT NULL REFERENCES items (id),
    representative_text TEXT    NOT NULL,
    first_seen          INTEGER NOT NULL,    -- Unix seconds
    last_seen           INTEGER NOT NULL,    -- Unix seconds
    item_count          INTEGER NOT NULL,
    centroid            BLOB,                -- mean embedding (f32 little-endian), if any
    centroid_count      INTEGER NOT NULL DEFAULT 0,
    created_at          TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX narratives_last_seen ON narratives (last_seen);

-- One row per item: assigning an item twice changes nothing.
CREATE TABLE narrative_items (
    item_id      INTEGER PRIMARY KEY REFERENCES items (id),
    narrative_id INTEGER NOT NULL REFERENCES narratives (id),
    fingerprint  INTEGER,                    -- SimHash (u64 stored as i64)
    minhash      BLOB,                       -- MinHash signature (64 u32 little-endian)
    joined_by    TEXT    NOT NULL CHECK (joined_by IN ('seed', 'fingerprint', 'embedding')),
    at           INTEGER NOT NULL            -- Unix seconds
);
CREATE INDEX narrative_items_narrative ON narrative_items (narrative_id, at);

-- The copy-paste burst of a narrative: the first window that crossed the thresholds.
CREATE TABLE narrative_bursts (
    narrative_id INTEGER PRIMARY KEY REFERENCES narratives (id),
    window_start INTEGER NOT NULL,
    window_end   INTEGER NOT NULL,
    items        INTEGER NOT NULL,
    sources      INTEGER NOT NULL,
    evidence     TEXT    NOT NULL,           -- JSON array of {item, at, source, joined_by}
    detected_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- One alert per rule and subject (`item:ID`, `narrative:ID`).
CREATE TABLE alerts (
    id           INTEGER PRIMARY KEY,
    rule         TEXT    NOT NULL CHECK (rule IN ('false_match', 'burst', 'growth')),
    subject      TEXT    NOT NULL,
    item_id      INTEGER REFERENCES items (id),
    narrative_id INTEGER,                    -- no reference: narratives are rebuilt
    factcheck_id INTEGER REFERENCES factchecks (id),
    summary      TEXT    NOT NULL,
    details      TEXT    NOT NULL,           -- JSON
    created_at   TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (rule, subject)
);

-- Endpoints that receive alerts as signed JSON. The secret is kept as given: it signs.
CREATE TABLE webhooks (
    id         INTEGER PRIMARY KEY,
    url        TEXT    NOT NULL,
    secret     TEXT    NOT NULL,
    created_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    removed_at TEXT
);

-- What each webhook still has to receive, and when to try next.
CREATE TABLE webhook_outbox (
    webhook_id      INTEGER NOT NULL REFERENCES webhooks (id),
    alert_id        INTEGER NOT NULL REFERENCES alerts (id),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT    NOT NULL,
    state           TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
    PRIMARY KEY (webhook_id, alert_id)
) WITHOUT ROWID;
CREATE INDEX webhook_outbox_due ON webhook_outbox (state, next_attempt_at);

-- Every delivery attempt.
CREATE TABLE webhook_deliveries (
    id         INTEGER PRIMARY KEY,
    webhook_id INTEGER NOT NULL REFERENCES webhooks (id),
    alert_id   INTEGER NOT NULL REFERENCES alerts (id),
    attempt    INTEGER NOT NULL,
    status     INTEGER,                      -- HTTP status, when there was a response
    error      TEXT,
    at         TEXT    NOT NULL
);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, id);
