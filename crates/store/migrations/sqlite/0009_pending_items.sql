-- Items stored but not yet through the intake pipeline (check-worthiness, matching,
-- narratives, alerts). A row is written in the transaction that stores the item and removed
-- once the pipeline has processed it, so items a process left behind when it stopped
-- mid-pipeline are found and processed at the next start. Items stored before this
-- migration count as processed.
CREATE TABLE pending_items (
    item_id INTEGER PRIMARY KEY REFERENCES items (id)
);
