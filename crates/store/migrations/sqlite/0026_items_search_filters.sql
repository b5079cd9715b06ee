-- The items' full-text index also holds each item's language and source (issue 22), so a
-- search with those filters is answered by the index alone: FTS5 intersects the words with
-- the filter's token instead of looking every hit up in `item_queue` (at 1,000,000 items,
-- "vaccine" in English counted 1,001 hits in 8-16 ms that way, and 16 clients queued on it;
-- at 300,000, a word with a source that has none of its items walked every hit: 1.7 s).
-- Each column holds one token, the value spelled in hex after a letter (`l` for a language,
-- `s` for a source: `en` is `l656e`), so a filter matches the whole value and nothing else;
-- an item without a language or a source has no token there. FTS5 tables take no new
-- column: the index is made again, and the store fills it the next time it is opened (as
-- 0013's did), one transaction per 2,000 items.
DROP TABLE items_search;
CREATE VIRTUAL TABLE items_search USING fts5(
    exact,
    folded,
    language,
    source,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 0'
);
