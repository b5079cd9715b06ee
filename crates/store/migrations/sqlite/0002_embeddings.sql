-- Sentence embeddings, computed once per model and text. The key is the model id and the
-- xxh3-64 hash of the normalized text the model saw (see claimdesk_store::embedding_key), so
-- restarts and reindexing reuse them and equal texts share one vector.
CREATE TABLE embeddings (
    model     TEXT    NOT NULL,
    text_hash INTEGER NOT NULL,
    dim       INTEGER NOT NULL,
    vector    BLOB    NOT NULL,  -- dim little-endian f32 values
    PRIMARY KEY (model, text_hash)
) WITHOUT ROWID;
