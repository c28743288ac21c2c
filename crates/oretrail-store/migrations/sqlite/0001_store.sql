-- Oretrail store, version 1 (SQLite). Keep in step with ../postgres/0001_store.sql:
-- same tables, same columns, same meaning; only types and identity columns differ.

-- Originals: one row per distinct content; the bytes live in originals/<aa>/<sha256>.
CREATE TABLE files (
    sha256      TEXT PRIMARY KEY,
    size        INTEGER NOT NULL,
    first_name  TEXT NOT NULL,
    stored_at   TEXT NOT NULL
);

-- Facility registry (oretrail-facilities' FacilityRegistry, table by table).
CREATE TABLE facility_sources (
    family               TEXT NOT NULL,
    version              TEXT NOT NULL,
    facilities_per_metal TEXT NOT NULL,
    position             INTEGER NOT NULL,
    PRIMARY KEY (family, version)
);
CREATE TABLE facilities (
    id               INTEGER PRIMARY KEY,
    metal            TEXT NOT NULL,
    metal_key        TEXT NOT NULL,
    cid              TEXT NOT NULL,
    standard_name    TEXT NOT NULL,
    country          TEXT,
    street           TEXT,
    city             TEXT,
    state_province   TEXT,
    listed_in_newest TEXT NOT NULL,
    no_longer_listed INTEGER NOT NULL,
    UNIQUE (metal_key, cid)
);
CREATE TABLE facility_aliases (
    facility_id INTEGER NOT NULL REFERENCES facilities (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    name        TEXT NOT NULL,
    former      INTEGER NOT NULL,
    PRIMARY KEY (facility_id, position)
);
CREATE TABLE facility_listings (
    id             INTEGER PRIMARY KEY,
    facility_id    INTEGER NOT NULL REFERENCES facilities (id) ON DELETE CASCADE,
    position       INTEGER NOT NULL,
    family         TEXT NOT NULL,
    version        TEXT NOT NULL,
    lookup_names   TEXT NOT NULL,
    standard_name  TEXT,
    country        TEXT,
    street         TEXT,
    city           TEXT,
    state_province TEXT
);
CREATE INDEX facility_listings_facility ON facility_listings (facility_id);
CREATE TABLE manual_aliases (
    position   INTEGER PRIMARY KEY,
    metal      TEXT NOT NULL,
    name       TEXT NOT NULL,
    cid        TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    decided_at TEXT NOT NULL
);

-- RMAP status lists: every import kept, dated.
CREATE TABLE status_snapshots (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    as_of       TEXT NOT NULL,
    source      TEXT NOT NULL,
    skipped     TEXT NOT NULL,
    imported_at TEXT NOT NULL
);
CREATE TABLE status_entries (
    snapshot_id         INTEGER NOT NULL REFERENCES status_snapshots (id) ON DELETE CASCADE,
    position            INTEGER NOT NULL,
    metal               TEXT,
    metal_key           TEXT,
    cid                 TEXT NOT NULL,
    standard_name       TEXT,
    country             TEXT,
    state_province      TEXT,
    status              TEXT NOT NULL,
    status_text         TEXT NOT NULL,
    last_audit          TEXT,
    last_audit_text     TEXT,
    audit_cycle_years   INTEGER,
    reaudit_due         TEXT,
    reaudit_in_progress INTEGER,
    cross_recognition   TEXT,
    PRIMARY KEY (snapshot_id, position)
);
CREATE INDEX status_entries_cid ON status_entries (cid);

-- Suppliers, their contacts, links between tiers and spend per period.
CREATE TABLE suppliers (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    erp_id      TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL,
    unique_id   TEXT,
    country     TEXT,
    tier        INTEGER NOT NULL,
    commodities TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX suppliers_name_key ON suppliers (name_key);
CREATE INDEX suppliers_unique_id ON suppliers (unique_id);
CREATE TABLE supplier_contacts (
    supplier_id INTEGER NOT NULL REFERENCES suppliers (id) ON DELETE CASCADE,
    email       TEXT NOT NULL,
    name        TEXT,
    phone       TEXT,
    PRIMARY KEY (supplier_id, email)
);
CREATE TABLE supplier_links (
    parent_id INTEGER NOT NULL REFERENCES suppliers (id) ON DELETE CASCADE,
    child_id  INTEGER NOT NULL REFERENCES suppliers (id) ON DELETE CASCADE,
    PRIMARY KEY (parent_id, child_id)
);
CREATE TABLE supplier_spend (
    supplier_id INTEGER NOT NULL REFERENCES suppliers (id) ON DELETE CASCADE,
    period      TEXT NOT NULL,
    commodity   TEXT NOT NULL,
    amount      REAL NOT NULL,
    currency    TEXT NOT NULL,
    PRIMARY KEY (supplier_id, period, commodity)
);

-- Campaigns and the requests their scope froze.
CREATE TABLE campaigns (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL UNIQUE,
    period      TEXT NOT NULL,
    deadline    TEXT,
    families    TEXT NOT NULL,
    scope_rule  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    frozen_at   TEXT
);
CREATE TABLE requests (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id  INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    supplier_id  INTEGER NOT NULL REFERENCES suppliers (id),
    status       TEXT NOT NULL,
    reason       TEXT,
    scope_reason TEXT NOT NULL,
    spend        REAL NOT NULL,
    updated_at   TEXT NOT NULL,
    UNIQUE (campaign_id, supplier_id)
);
CREATE TABLE request_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    at         TEXT NOT NULL,
    status     TEXT NOT NULL,
    reason     TEXT,
    actor      TEXT NOT NULL
);

-- Submissions: one received file in a campaign (or none), what it said and what we made of it.
CREATE TABLE submissions (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id       INTEGER REFERENCES campaigns (id),
    campaign_key      INTEGER NOT NULL,
    file_sha256       TEXT NOT NULL REFERENCES files (sha256),
    original_name     TEXT NOT NULL,
    received_at       TEXT NOT NULL,
    received_by       TEXT NOT NULL,
    received_via      TEXT NOT NULL,
    family            TEXT,
    version           TEXT,
    company_name      TEXT,
    company_unique_id TEXT,
    effective_date    TEXT,
    supplier_id       INTEGER REFERENCES suppliers (id),
    link_method       TEXT NOT NULL,
    link_score        REAL,
    link_state        TEXT NOT NULL,
    status            TEXT NOT NULL,
    status_reason     TEXT,
    error_count       INTEGER NOT NULL,
    warning_count     INTEGER NOT NULL,
    info_count        INTEGER NOT NULL,
    report_json       TEXT,
    superseded_by     INTEGER REFERENCES submissions (id),
    UNIQUE (campaign_key, file_sha256)
);
CREATE INDEX submissions_current ON submissions (campaign_key, status, superseded_by);
CREATE INDEX submissions_supplier ON submissions (campaign_key, supplier_id);
CREATE TABLE submission_minerals (
    submission_id INTEGER NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    mineral_key   TEXT NOT NULL,
    active        INTEGER NOT NULL,
    PRIMARY KEY (submission_id, mineral_key)
);
CREATE TABLE submission_problems (
    submission_id INTEGER NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    code          TEXT NOT NULL,
    severity      TEXT NOT NULL,
    sheet         TEXT,
    cell          TEXT,
    message       TEXT NOT NULL,
    PRIMARY KEY (submission_id, position)
);
CREATE TABLE submission_smelters (
    submission_id  INTEGER NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    sheet_row      INTEGER NOT NULL,
    metal          TEXT,
    metal_key      TEXT NOT NULL,
    entry_kind     TEXT NOT NULL,
    lookup_value   TEXT,
    name           TEXT,
    name_key       TEXT NOT NULL,
    country        TEXT,
    declared_cid   TEXT,
    cid            TEXT,
    canonical_name TEXT,
    method         TEXT NOT NULL,
    confidence     REAL NOT NULL,
    PRIMARY KEY (submission_id, sheet_row)
);
