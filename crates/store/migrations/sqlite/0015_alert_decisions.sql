-- What the desk decided about an alert (issue 16): acknowledged (seen, being handled) or
-- dismissed with a reason. One row per alert, replaced by a later decision; every decision
-- is also an audit event (`alert.acknowledge`, `alert.dismiss`). Alerts are never deleted,
-- so the reference holds.
CREATE TABLE alert_decisions (
    alert_id   INTEGER PRIMARY KEY REFERENCES alerts (id),
    decision   TEXT    NOT NULL CHECK (decision IN ('acknowledged', 'dismissed')),
    reason     TEXT,
    user_id    INTEGER REFERENCES users (id),   -- NULL when the CLI decided
    decided_at TEXT    NOT NULL
);
