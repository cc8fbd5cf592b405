-- svmine store, schema version 5: commissioner assessments (svmine assess).
-- One row per organisation, replaced on every `svmine assess --db`: the three ratings of the 2017
-- report (commitment, evidence, approach), the confidence, whether signals conflict (then it waits
-- in the review queue), and the signals with their evidence (document, page, quote) as JSON.
-- Auditors' overrides are not kept here: they are annotations rows (item_type 'assessment',
-- item_key 'assessment:<org_code>:<scale>', decision 'override', label the rating), so undo,
-- export and import work as for every other decision, and a re-run of assess never loses them.

CREATE TABLE assessments (
    org_code      TEXT PRIMARY KEY,
    org_name      TEXT NOT NULL,
    org_type      TEXT NOT NULL DEFAULT '',   -- ccg | icb | sub_icb | stp | council | other
    region        TEXT NOT NULL DEFAULT '',   -- NHS region name (for the regional breakdown)
    commitment    TEXT NOT NULL,
    evidence      TEXT NOT NULL,
    approach      TEXT NOT NULL,
    confidence    REAL NOT NULL,
    needs_review  INTEGER NOT NULL DEFAULT 0,
    reasons_json  TEXT NOT NULL DEFAULT '[]',  -- the decision path, one line per step
    signals_json  TEXT NOT NULL DEFAULT '[]',  -- list of Signal.to_dict()
    documents     INTEGER NOT NULL DEFAULT 0,  -- how many of the store's documents were read for it
    rules_hash    TEXT NOT NULL DEFAULT '',
    assessed_at   TEXT NOT NULL
);
