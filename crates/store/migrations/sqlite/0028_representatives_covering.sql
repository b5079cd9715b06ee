-- A narrative's representatives read from their index alone (issue 22). When items come in,
-- the narratives their lookup keys find and memory does not hold have their representatives
-- read to see whether an item joins one (`MonitorStore::narrative_representatives`): at
-- 3,000,000 items some 20 narratives and 48 representatives per item. 0019's index named
-- each representative's row, and each row was a page of its own in `narrative_items` (in item
-- order, while a narrative's representatives are spread over its life): one read for the
-- index and one per representative. The index now holds what is read, so a narrative's
-- representatives are a few entries next to each other: the statement took 6.3 s per 20,000
-- items at 3,000,000 and 4.2 s with this index (bench/results/2026-12-08-representatives.txt).
-- Its size: ~280 bytes per representative (2,435,139 at 3,000,000 items: ~0.7 GB).
DROP INDEX narrative_items_representatives;
CREATE INDEX narrative_items_representatives
    ON narrative_items (narrative_id, item_id, fingerprint, minhash)
    WHERE representative = 1;
