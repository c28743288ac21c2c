-- Oretrail web, version 1 (SQLite). Keep in step with ../postgres/0001_web.sql.
-- Applied after the store's migrations, tracked in _oretrail_web_migrations.

CREATE TABLE web_users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL
);

-- Sessions: the cookie carries a random ID; only its SHA-256 is stored.
CREATE TABLE web_sessions (
    id_hash    TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES web_users (id) ON DELETE CASCADE,
    csrf       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX web_sessions_user ON web_sessions (user_id);

-- API tokens: shown once; only the SHA-256 is stored.
CREATE TABLE web_api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash   TEXT NOT NULL UNIQUE,
    prefix       TEXT NOT NULL,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);

-- Supplier upload links: one capability URL per campaign request.
CREATE TABLE web_upload_links (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    token      TEXT NOT NULL UNIQUE,
    request_id INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    csrf       TEXT NOT NULL,
    language   TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX web_upload_links_request ON web_upload_links (request_id);

-- What a supplier uploaded through a link, with the problems as JSON (re-rendered per language).
CREATE TABLE web_portal_uploads (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    link_id       INTEGER NOT NULL REFERENCES web_upload_links (id) ON DELETE CASCADE,
    submission_id INTEGER REFERENCES submissions (id),
    file_name     TEXT NOT NULL,
    at            TEXT NOT NULL,
    outcome       TEXT NOT NULL,
    problems_json TEXT NOT NULL
);
CREATE INDEX web_portal_uploads_link ON web_portal_uploads (link_id);

-- Every change made through the web application or the API.
CREATE TABLE web_audit_log (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    at     TEXT NOT NULL,
    actor  TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT,
    detail TEXT
);

-- Indexes the web lists need on the store's tables.
CREATE INDEX web_submissions_supplier ON submissions (supplier_id, id);
CREATE INDEX web_submissions_status ON submissions (status, superseded_by);
CREATE INDEX web_smelters_cid ON submission_smelters (cid, metal_key);
CREATE INDEX web_smelters_method ON submission_smelters (method, metal_key, name_key);
CREATE INDEX web_requests_campaign ON requests (campaign_id, status);
CREATE INDEX web_spend_period ON supplier_spend (period, supplier_id);
