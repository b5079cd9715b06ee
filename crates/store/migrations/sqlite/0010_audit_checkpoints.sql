-- Signed checkpoints of the audit chain's head (claimdesk_core::checkpoint): one per head
-- signed, by the key kept outside this file. Stored here to be exported to witnesses; their
-- copies, not these rows, are what a rewrite of this file cannot reach.
CREATE TABLE audit_checkpoints (
    seq       INTEGER PRIMARY KEY,            -- the last event covered
    hash      TEXT    NOT NULL,               -- its chain hash
    at        TEXT    NOT NULL,               -- when it was signed
    key_id    TEXT    NOT NULL,
    signature TEXT    NOT NULL                -- Ed25519, 128 hex digits
);
