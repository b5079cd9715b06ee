-- Every attempt to mail a scheduled digest (issue 18), like webhook_deliveries: which digest
-- (kind and first day of its period, local), in which language, the attempt's number, and
-- whether it was sent or why not. A period with a sent attempt is not mailed again; the
-- failed attempts of a period say when to retry (backoff) and when to give up.
CREATE TABLE digest_deliveries (
    id          INTEGER PRIMARY KEY,
    kind        TEXT    NOT NULL CHECK (kind IN ('weekly', 'monthly')),
    period_from TEXT    NOT NULL,               -- YYYY-MM-DD, local
    period_to   TEXT    NOT NULL,               -- YYYY-MM-DD, local, inclusive
    language    TEXT    NOT NULL,
    recipients  INTEGER NOT NULL,
    attempt     INTEGER NOT NULL,
    sent        INTEGER NOT NULL CHECK (sent IN (0, 1)),
    error       TEXT,
    at          TEXT    NOT NULL                -- RFC 3339, UTC
);
CREATE INDEX digest_deliveries_period ON digest_deliveries (kind, period_from, attempt);
