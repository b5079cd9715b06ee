-- A fourth check-worthiness level, 0.9 (claimdesk_store::WORTHINESS_LEVELS), in queue order
-- like the others (0014_desk_lists): a filter at 0.9 walked the 0.7 level's index and dropped
-- most of what it read (841 ms p99 at 300,000 items, bench/results/2026-12-05-scale.txt).
CREATE INDEX item_queue_worthy_90 ON item_queue (at) WHERE worthiness >= 0.9;
