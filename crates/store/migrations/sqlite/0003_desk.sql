-- The desk: users, sessions, API tokens, cases, desk-written verdicts, and the hash-chained
-- audit trail. Times are RFC 3339 UTC text with milliseconds, as in 0001.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    display_name  TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,           -- argon2id PHC string
    role          TEXT    NOT NULL CHECK (role IN ('viewer', 'editor', 'reviewer', 'admin')),
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- Only the SHA-256 of a session token is stored: a copy of the database opens no session.
CREATE TABLE sessions (
    token_hash TEXT    PRIMARY KEY,           -- hex SHA-256 of the cookie value
    user_id    INTEGER NOT NULL REFERENCES users (id),
    csrf_token TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    expires_at TEXT    NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id         INTEGER PRIMARY KEY,
    token_hash TEXT    NOT NULL UNIQUE,       -- hex SHA-256 of the token
    user_id    INTEGER NOT NULL REFERENCES users (id),
    name       TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    revoked_at TEXT
);

CREATE TABLE cases (
    id           INTEGER PRIMARY KEY,
    item_id      INTEGER REFERENCES items (id),
    factcheck_id INTEGER REFERENCES factchecks (id),
    claim        TEXT    NOT NULL,
    status       TEXT    NOT NULL CHECK (status IN ('triage', 'verifying', 'drafted',
                     'in_review', 'published', 'matched_existing', 'not_checkable')),
    assignee     INTEGER REFERENCES users (id),
    created_by   INTEGER NOT NULL REFERENCES users (id),
    drafted_by   INTEGER REFERENCES users (id),
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL
);
CREATE INDEX cases_status ON cases (status, updated_at);
CREATE INDEX cases_assignee ON cases (assignee, updated_at);
CREATE INDEX cases_item ON cases (item_id);

-- Every status change of a case, including its opening (from_status NULL).
CREATE TABLE case_transitions (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases (id),
    from_status TEXT,
    to_status   TEXT    NOT NULL,
    actor       INTEGER NOT NULL REFERENCES users (id),
    at          TEXT    NOT NULL
);
CREATE INDEX case_transitions_case ON case_transitions (case_id, id);

CREATE TABLE case_notes (
    id         INTEGER PRIMARY KEY,
    case_id    INTEGER NOT NULL REFERENCES cases (id),
    author     INTEGER NOT NULL REFERENCES users (id),
    text       TEXT    NOT NULL,
    created_at TEXT    NOT NULL
);
CREATE INDEX case_notes_case ON case_notes (case_id, id);

CREATE TABLE case_evidence (
    id       INTEGER PRIMARY KEY,
    case_id  INTEGER NOT NULL REFERENCES cases (id),
    url      TEXT    NOT NULL,
    title    TEXT,
    note     TEXT,
    added_by INTEGER NOT NULL REFERENCES users (id),
    added_at TEXT    NOT NULL
);
CREATE INDEX case_evidence_case ON case_evidence (case_id, id);

-- Desk-written verdicts live in `factchecks` beside the imported ones. Imported rows are
-- published (the default); a desk draft has published = 0 and is invisible to the index and
-- to the matcher until its case is published, which sets published, date_published and a
-- new revision.
ALTER TABLE factchecks ADD COLUMN published INTEGER NOT NULL DEFAULT 1;
ALTER TABLE factchecks ADD COLUMN case_id INTEGER REFERENCES cases (id);
ALTER TABLE factchecks ADD COLUMN author_user INTEGER REFERENCES users (id);
ALTER TABLE factchecks ADD COLUMN summary TEXT;
ALTER TABLE factchecks ADD COLUMN evidence TEXT NOT NULL DEFAULT '[]';  -- JSON array of URLs
CREATE UNIQUE INDEX factchecks_case ON factchecks (case_id) WHERE case_id IS NOT NULL;
CREATE INDEX factchecks_published ON factchecks (published, date_published);

-- The audit trail, append-only. hash = SHA-256 over the canonical encoding documented in
-- claimdesk_core::audit of (seq, at, actor, action, subject, before, after, prev_hash); the
-- first event's prev_hash is 64 zeros. seq is assigned by the store (max + 1), never reused.
CREATE TABLE audit_events (
    seq       INTEGER PRIMARY KEY,
    at        TEXT    NOT NULL,
    actor     TEXT    NOT NULL,               -- user:ID | cli | system
    action    TEXT    NOT NULL,               -- case.transition, user.add, import, ...
    subject   TEXT    NOT NULL,               -- case:12, user:3, import:7, ...
    before    TEXT,                           -- JSON
    after     TEXT,                           -- JSON
    prev_hash TEXT    NOT NULL,
    hash      TEXT    NOT NULL
);
CREATE INDEX audit_events_subject ON audit_events (subject, seq);

-- Defence in depth: SQLite refuses to change the trail. Verification does not rely on these
-- (someone with the file can drop them); it recomputes the chain.
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;

-- The last seq written, so deleting the newest events is noticed too.
INSERT INTO counters (name, value) VALUES ('audit_seq', 0);
