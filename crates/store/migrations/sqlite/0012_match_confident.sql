-- Whether a stored match is confident, in a column of its own: the queue's filters read it
-- here, and no query reads a path inside the explanation's JSON (the explanation's one
-- definition is claimdesk_core::Explanation). Existing rows take the value from their JSON.
ALTER TABLE matches ADD COLUMN confident INTEGER NOT NULL DEFAULT 0;
UPDATE matches SET confident = 1 WHERE json_extract(explanation, '$.confident') = 1;
