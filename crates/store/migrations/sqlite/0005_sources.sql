-- Sources claimdesk watches: feeds (http/https URLs) and drop folders. The poller's state
-- lives beside each source, so `source list` shows the health a user can act on. Times are
-- RFC 3339 UTC text; the poller writes them at whole seconds.

CREATE TABLE sources (
    id                   INTEGER PRIMARY KEY,
    kind                 TEXT    NOT NULL CHECK (kind IN ('feed', 'folder')),
    location             TEXT    NOT NULL UNIQUE,   -- the URL as normalized, or an absolute folder path
    interval_secs        INTEGER NOT NULL CHECK (interval_secs > 0),
    etag                 TEXT,                      -- the validators of the last 200, sent back
    last_modified        TEXT,                      -- as If-None-Match / If-Modified-Since
    next_poll_at         TEXT    NOT NULL,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    failing_since        TEXT,                      -- first failure of the current run of failures
    last_error           TEXT,                      -- why the last poll failed
    last_polled_at       TEXT,
    last_success_at      TEXT,
    last_outcome         TEXT    CHECK (last_outcome IN ('fetched', 'not_modified', 'failed')),
    items_seen           INTEGER NOT NULL DEFAULT 0, -- items read from it, all polls together
    created_at           TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX sources_due ON sources (next_poll_at);
