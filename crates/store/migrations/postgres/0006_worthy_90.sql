-- A fourth check-worthiness level, 0.9 (claimdesk_store::WORTHINESS_LEVELS), in queue order
-- like the others (SQLite's 0023_worthy_90).
CREATE INDEX item_queue_worthy_90 ON item_queue (at, item_id) WHERE worthiness >= 0.9;
