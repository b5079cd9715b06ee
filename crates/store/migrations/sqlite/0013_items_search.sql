-- The items' full-text index, for the queue's search: each item's text in two forms, both
-- computed by claimdesk-text as matching computes them: `exact` (NFC, lowercase, Vietnamese
-- tone marks on their canonical vowel) and `folded` (the same without accents, đ as d).
-- Contentless: the text stays in `items`; the index holds only the terms, keyed by the
-- item's id (rowid). The store writes a row in the transaction that stores or changes the
-- item; items stored before this migration are indexed when the store is next opened.
CREATE VIRTUAL TABLE items_search USING fts5(
    exact,
    folded,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 0'
);
