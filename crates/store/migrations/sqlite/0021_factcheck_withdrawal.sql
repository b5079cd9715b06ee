-- A fact-check withdrawn (issue 23: 2): a verdict the desk published in error, or an imported
-- one its publisher retracted. The row stays (its public page and the audit trail keep
-- pointing at it); `withdrawn_at` takes it out of matching (the index removes it at the
-- revision the withdrawal takes), duplicate groups, public lists and feeds. Withdrawing is
-- audited (`factcheck.withdraw`) and cannot be undone.
ALTER TABLE factchecks ADD COLUMN withdrawn_at TEXT;
ALTER TABLE factchecks ADD COLUMN withdrawn_reason TEXT;
