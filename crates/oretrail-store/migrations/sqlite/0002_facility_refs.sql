-- Version 2: every facility named in a submission gets a small integer, so that roll-ups
-- group a million smelter rows by one integer column (index below) instead of two texts.
CREATE TABLE facility_refs (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    metal_key TEXT NOT NULL,
    cid       TEXT NOT NULL,
    metal     TEXT,
    name      TEXT,
    country   TEXT,
    UNIQUE (metal_key, cid)
);
ALTER TABLE submission_smelters ADD COLUMN facility_ref INTEGER REFERENCES facility_refs (id);
INSERT INTO facility_refs (metal_key, cid, metal, name, country)
    SELECT metal_key, cid, min(metal), min(canonical_name), min(country)
    FROM submission_smelters WHERE cid IS NOT NULL GROUP BY metal_key, cid;
UPDATE submission_smelters SET facility_ref = (
    SELECT f.id FROM facility_refs f
    WHERE f.metal_key = submission_smelters.metal_key AND f.cid = submission_smelters.cid
) WHERE cid IS NOT NULL;
CREATE INDEX submission_smelters_facility ON submission_smelters (facility_ref, submission_id);
CREATE INDEX submission_smelters_unresolved ON submission_smelters (metal_key, name_key)
    WHERE facility_ref IS NULL;
