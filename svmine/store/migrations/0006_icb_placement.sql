-- svmine store, schema version 6: each document's place among the 42 Integrated Care Boards
-- of July 2022, beside its 2016/17 STP footprint (svmine.footprints.icb_attribution).
-- NULL icb_source: not computed (a document stored before this version); readers then carry
-- the STP footprint over by the crosswalk.

ALTER TABLE documents ADD COLUMN icb_code TEXT;        -- E54... of an ICB, NULL when not placed
ALTER TABLE documents ADD COLUMN icb_source TEXT;      -- text | stp_crosswalk | manifest
ALTER TABLE documents ADD COLUMN icb_status TEXT;      -- exact | accepted | review | no_match
ALTER TABLE documents ADD COLUMN icb_score REAL;       -- text: share of the votes; crosswalk: the STP's share in the ICB
ALTER TABLE documents ADD COLUMN icb_reason TEXT;      -- the names found, or the STP's shares
ALTER TABLE documents ADD COLUMN icb_evidence TEXT;    -- JSON list of the names found, with pages
