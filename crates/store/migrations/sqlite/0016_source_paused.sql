-- A source an admin paused on /sources (issue 16): kept with its state and items, not polled
-- until resumed. Pausing and resuming are audited (`source.pause`, `source.resume`).
ALTER TABLE sources ADD COLUMN paused INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1));
