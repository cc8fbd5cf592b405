-- svmine store, schema version 3: review nonces are unique per auditor, and placements are settled.

-- A form's nonce identifies one submission *of one auditor*: two auditors whose pages happen to
-- carry the same nonce (a shared cached page, a replayed form) must both be stored. 0002 made the
-- nonce unique across all auditors, so the second auditor's decision was dropped without a word.
DROP INDEX IF EXISTS annotations_nonce;
CREATE UNIQUE INDEX annotations_auditor_nonce ON annotations(auditor, nonce) WHERE nonce IS NOT NULL;

-- Auditors settle uncertain footprint placements in the review app: rows with
-- item_type 'placement', item_key 'placement:<sha256>', decision 'place' and the footprint code
-- (or 'none') as label. They live in annotations, so undo, export and import work unchanged;
-- this index serves the read-side lookup of the latest placement per document.
CREATE INDEX annotations_type ON annotations(item_type, item_key, id);
