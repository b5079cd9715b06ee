-- claimdesk store, SQLite. The PostgreSQL schema mirrors this one table for table.

-- Audit log of every import and ingest run: what came in, from where, and what happened.
CREATE TABLE imports (
    id          INTEGER PRIMARY KEY,
    kind        TEXT    NOT NULL,             -- 'factchecks' | 'items'
    file        TEXT    NOT NULL,
    format      TEXT    NOT NULL,
    started_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    added       INTEGER NOT NULL,
    updated     INTEGER NOT NULL,
    unchanged   INTEGER NOT NULL,
    aliased     INTEGER NOT NULL,
    rejected    INTEGER NOT NULL,
    diagnostics TEXT    NOT NULL              -- JSON array of diagnostics
);

-- Global change counter: every import that changes fact-checks takes the next revision,
-- and derived indexes remember the revision they reflect.
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO counters (name, value) VALUES ('factcheck_revision', 0);

CREATE TABLE factchecks (
    id             INTEGER PRIMARY KEY,
    source_id      TEXT    NOT NULL UNIQUE,
    claim          TEXT    NOT NULL,
    headline       TEXT,
    rating_value   REAL,
    rating_best    REAL,
    rating_worst   REAL,
    rating_label   TEXT,
    claim_author   TEXT,
    claim_date     TEXT,
    appearances    TEXT    NOT NULL,          -- JSON array of URLs
    author         TEXT,
    date_published TEXT,
    url            TEXT,
    language       TEXT,
    duplicate_key  TEXT    NOT NULL,
    alias_of       INTEGER REFERENCES factchecks (id),
    revision       INTEGER NOT NULL,
    import_id      INTEGER REFERENCES imports (id)
);
CREATE INDEX factchecks_duplicate_key ON factchecks (duplicate_key);
CREATE INDEX factchecks_revision ON factchecks (revision);

CREATE TABLE items (
    id           INTEGER PRIMARY KEY,
    item_key     TEXT    NOT NULL UNIQUE,     -- source + external id, else content hash
    external_id  TEXT,
    text         TEXT    NOT NULL,
    url          TEXT,
    published_at TEXT,
    source       TEXT,
    language     TEXT,
    import_id    INTEGER REFERENCES imports (id)
);

CREATE TABLE matches (
    item_id      INTEGER NOT NULL REFERENCES items (id),
    factcheck_id INTEGER NOT NULL REFERENCES factchecks (id),
    rank         INTEGER NOT NULL,
    score        REAL    NOT NULL,
    explanation  TEXT    NOT NULL,            -- JSON
    matched_at   TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (item_id, factcheck_id)
);
