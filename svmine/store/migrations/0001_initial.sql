-- svmine store, schema version 1.
-- Read by svmine.store only. Each migration file runs once, in order, inside one transaction,
-- and is recorded in schema_migrations. Never edit a migration that has shipped: add a new file.

CREATE TABLE runs (
    id               INTEGER PRIMARY KEY,
    started_at       TEXT NOT NULL,            -- ISO 8601, UTC
    finished_at      TEXT,
    status           TEXT NOT NULL DEFAULT 'running',  -- running | finished | interrupted
    svmine_version   TEXT NOT NULL,
    spacy_version    TEXT,
    sklearn_version  TEXT,
    pattern_hash     TEXT NOT NULL,            -- sha256 over the pattern and context rule files
    model_hash       TEXT NOT NULL,            -- sha256 of the classifier file, or 'none'
    options_json     TEXT NOT NULL DEFAULT '{}',
    hostname         TEXT,                     -- where the run's writer process ran
    pid              INTEGER,                  -- its process id: a 'running' run whose pid is gone was interrupted
    processed        INTEGER NOT NULL DEFAULT 0,
    skipped          INTEGER NOT NULL DEFAULT 0,
    failed           INTEGER NOT NULL DEFAULT 0,
    mentions         INTEGER NOT NULL DEFAULT 0
);

-- One row per distinct content (sha256): a renamed or copied file is the same document.
CREATE TABLE documents (
    id                  INTEGER PRIMARY KEY,
    sha256              TEXT NOT NULL UNIQUE,
    path                TEXT NOT NULL,         -- the path it was last processed from
    format              TEXT,                  -- pdf | docx | html | text (detected from content)
    page_unit           TEXT,                  -- pdf_page | section | document
    page_count          INTEGER,
    title               TEXT,
    author              TEXT,
    metadata_json       TEXT NOT NULL DEFAULT '{}',
    warnings_json       TEXT NOT NULL DEFAULT '[]',
    status              TEXT NOT NULL,         -- ok | failed
    error_code          TEXT,                  -- e.g. encrypted, corrupt_file, timeout
    error_message       TEXT,
    size                INTEGER,               -- bytes
    footprint_code      TEXT,                  -- STP code E54...
    footprint_name      TEXT,
    footprint_source    TEXT,                  -- manifest | attribution | NULL
    footprint_score     REAL,
    footprint_status    TEXT,                  -- exact | accepted | review | no_match
    footprint_evidence  TEXT,
    ccg_code            TEXT,                  -- E38... when the document belongs to one CCG
    pattern_hash        TEXT,
    model_hash          TEXT,
    svmine_version      TEXT,
    run_id              INTEGER REFERENCES runs(id),
    processed_at        TEXT,
    seconds             REAL
);

-- Every path a document was seen at, with size and mtime so an unchanged file is not re-hashed.
CREATE TABLE document_paths (
    path         TEXT PRIMARY KEY,
    sha256       TEXT NOT NULL,
    size         INTEGER NOT NULL,
    mtime_ns     INTEGER NOT NULL,
    last_run_id  INTEGER REFERENCES runs(id)
);
CREATE INDEX document_paths_sha256 ON document_paths(sha256);

CREATE TABLE pages (
    document_id  INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    number       INTEGER NOT NULL,
    text         TEXT NOT NULL,
    method       TEXT NOT NULL,                -- text_layer | ocr | none | structured
    engine       TEXT,
    flags        TEXT NOT NULL DEFAULT '',     -- comma-separated, e.g. 'multi_column,has_tables'
    headers_json TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (document_id, number)
);

CREATE TABLE mentions (
    id              INTEGER PRIMARY KEY,
    document_id     INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    page            INTEGER NOT NULL,
    category        TEXT NOT NULL,             -- social_value | vcse
    kind            TEXT NOT NULL,             -- explicit | implicit
    source          TEXT NOT NULL,             -- pattern | classifier
    pattern_id      TEXT,
    label           TEXT,
    text            TEXT NOT NULL,
    start           INTEGER NOT NULL,
    end             INTEGER NOT NULL,
    sentence        TEXT NOT NULL,
    sentence_start  INTEGER NOT NULL,
    sentence_end    INTEGER NOT NULL,
    probability     REAL,
    context_flags   TEXT NOT NULL DEFAULT '',  -- comma-separated flags, e.g. 'negated,hypothetical'
    context_json    TEXT NOT NULL DEFAULT '{}' -- flag -> cue that fired
);
CREATE INDEX mentions_document ON mentions(document_id, page);
CREATE INDEX mentions_category ON mentions(category, kind);

CREATE TABLE policy_facts (
    id           INTEGER PRIMARY KEY,
    document_id  INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    page         INTEGER NOT NULL,
    kind         TEXT NOT NULL,                -- weighting | pass_fail | threshold
    value        REAL,
    unit         TEXT,
    basis        TEXT,
    text         TEXT NOT NULL,
    start        INTEGER NOT NULL,
    end          INTEGER NOT NULL
);
CREATE INDEX policy_facts_document ON policy_facts(document_id);

-- Name matches the resolver could not settle (status 'review'), for auditors.
CREATE TABLE name_matches (
    id              INTEGER PRIMARY KEY,
    document_id     INTEGER REFERENCES documents(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,             -- ccg | stp | region
    query           TEXT NOT NULL,
    candidate_code  TEXT,
    candidate_name  TEXT,
    score           REAL,
    runner_up_code  TEXT,
    runner_up_name  TEXT,
    margin          REAL,
    status          TEXT NOT NULL              -- exact | accepted | review | no_match
);

-- Auditors' decisions. Keyed by content (sha256, page, offsets, text), not by mention id,
-- so they survive a re-scan that rebuilds the mentions table.
CREATE TABLE annotations (
    id               INTEGER PRIMARY KEY,
    item_type        TEXT NOT NULL,            -- mention | name_match | added
    item_key         TEXT NOT NULL,            -- stable key of the item decided on
    document_sha256  TEXT,
    page             INTEGER,
    start            INTEGER,
    end              INTEGER,
    text             TEXT,
    sentence         TEXT,
    auditor          TEXT NOT NULL,
    decision         TEXT NOT NULL,            -- accept | reject | relabel | skip | add | undo | adjudicate
    label            TEXT,                     -- category or classifier label the decision sets
    created_at       TEXT NOT NULL,
    undone           INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX annotations_item ON annotations(item_key, auditor);
