-- Check-worthiness of each item: its sentences scored by the detector (`claimdesk detect`'s
-- model). `score` is the best sentence's, so the queue can sort and filter on it; `matched`
-- says whether the score reached the match threshold (items below it are not matched).
CREATE TABLE item_check_worthiness (
    item_id   INTEGER PRIMARY KEY REFERENCES items (id),
    score     REAL    NOT NULL,
    sentences TEXT    NOT NULL,               -- JSON: [{start, end, score}] in text order
    scorer    TEXT    NOT NULL,               -- 'cues+embedding' or 'cues'
    matched   INTEGER NOT NULL CHECK (matched IN (0, 1)),
    scored_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX item_check_worthiness_score ON item_check_worthiness (score);
