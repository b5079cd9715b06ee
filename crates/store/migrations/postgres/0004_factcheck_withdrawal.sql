-- A fact-check withdrawn (SQLite's 0021_factcheck_withdrawal): the row stays, `withdrawn_at`
-- takes it out of matching, duplicate groups, public lists and feeds.
ALTER TABLE factchecks ADD COLUMN withdrawn_at TEXT COLLATE "C";
ALTER TABLE factchecks ADD COLUMN withdrawn_reason TEXT;
