-- The narratives' lookup keys in levels (issue 22). Each key is a random 64-bit number, so
-- filing keys straight into one large table wrote one B-tree page per key: at 3,000,000 items
-- (24 million rows) a batch of 256 items dirtied some 3,400 pages of 4 KB, each written to the
-- WAL and again by the checkpoint. Keys are now filed into a small table and moved down, in
-- key order, into ten times larger ones as each fills (the layout of a log-structured merge
-- tree): a batch dirties the few hundred pages of the small table, and a move writes each page
-- of the next level once for many keys. `narrative_keys` (0019) is the last, unbounded level;
-- a lookup reads every level. The store moves the levels down itself (`monitor.rs`,
-- NARRATIVE_KEY_LEVELS); like 0019's table, these hold derived state that
-- `claimdesk narratives rebuild` refills.
CREATE TABLE narrative_keys_0 (
    key          INTEGER NOT NULL,
    narrative_id INTEGER NOT NULL,
    PRIMARY KEY (key, narrative_id)
) WITHOUT ROWID;
CREATE TABLE narrative_keys_1 (
    key          INTEGER NOT NULL,
    narrative_id INTEGER NOT NULL,
    PRIMARY KEY (key, narrative_id)
) WITHOUT ROWID;
CREATE TABLE narrative_keys_2 (
    key          INTEGER NOT NULL,
    narrative_id INTEGER NOT NULL,
    PRIMARY KEY (key, narrative_id)
) WITHOUT ROWID;
