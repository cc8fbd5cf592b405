-- svmine store, schema version 2: what the review web app needs beyond 0001's annotations table.

-- A per-request random id sent by the review page with every decision: a retried or doubled POST
-- carries the same nonce and is stored once (0 duplicated), while distinct decisions never collide.
ALTER TABLE annotations ADD COLUMN nonce TEXT;

-- The item as it was shown (category, kind, source, model label, probability, document path,
-- name-match candidates): an annotation row stays self-contained after a re-scan rebuilds mentions.
ALTER TABLE annotations ADD COLUMN meta_json TEXT NOT NULL DEFAULT '{}';

CREATE UNIQUE INDEX annotations_nonce ON annotations(nonce) WHERE nonce IS NOT NULL;
CREATE INDEX annotations_auditor ON annotations(auditor, id);
CREATE INDEX annotations_decision ON annotations(decision, undone);

-- Review app settings kept with the data, e.g. the session-signing secret (one per database, so
-- auditors' sessions survive a restart of `svmine review`).
CREATE TABLE review_settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
