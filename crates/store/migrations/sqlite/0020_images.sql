-- Images on items and fact-checks (issue 20). The files themselves live under the data
-- directory, named by their SHA-256 (images/ab/cdef...); a row here per distinct file,
-- however many items and fact-checks carry it.
CREATE TABLE images (
    sha256      TEXT    PRIMARY KEY,
    format      TEXT    NOT NULL,            -- png, jpeg, gif, webp (from the bytes)
    width       INTEGER NOT NULL,
    height      INTEGER NOT NULL,
    bytes       INTEGER NOT NULL,
    pdq         TEXT,                        -- 64 hex digits; NULL when too small to hash
    pdq_quality INTEGER,                     -- 0..100
    ocr_text    TEXT,                        -- NFC; NULL when not read
    ocr_note    TEXT,                        -- why it was not read (no Tesseract, timeout)
    created_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- The images an item came with, in the order sent. A refused one keeps its row with the
-- reason and no file, so the desk sees what was sent and why it was not kept.
CREATE TABLE item_images (
    item_id  INTEGER NOT NULL REFERENCES items (id),
    position INTEGER NOT NULL,
    sha256   TEXT    REFERENCES images (sha256),
    name     TEXT,                           -- the file name or URL as sent
    note     TEXT,                           -- e.g. a JPEG named .png
    refused  TEXT,                           -- the diagnostic when refused
    PRIMARY KEY (item_id, position)
);
CREATE INDEX item_images_by_image ON item_images (sha256);

-- The images on fact-checks (the reviewed image of a ClaimReview, a desk's upload).
CREATE TABLE factcheck_images (
    factcheck_id INTEGER NOT NULL REFERENCES factchecks (id),
    sha256       TEXT    NOT NULL REFERENCES images (sha256),
    PRIMARY KEY (factcheck_id, sha256)
);
CREATE INDEX factcheck_images_by_image ON factcheck_images (sha256);
