-- Oretrail risk, version 1 (SQLite). Keep in step with ../postgres/0001_risk.sql: same tables,
-- same columns, same meaning; only types and identity columns differ. Applied after the
-- store's migrations, tracked in _oretrail_risk_migrations. Dates are ISO text (YYYY-MM-DD),
-- times RFC 3339 UTC; nothing here is ever deleted.

-- Policies activated over time (the newest is in force); assessments name the one they used.
CREATE TABLE risk_policies (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT NOT NULL,
    version      TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    text         TEXT NOT NULL,
    origin       TEXT NOT NULL,
    activated_at TEXT NOT NULL,
    activated_by TEXT NOT NULL
);

-- Recorded assessments of a campaign as of a date, with the whole result as JSON.
CREATE TABLE risk_assessments (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id     INTEGER NOT NULL REFERENCES campaigns (id),
    as_of           TEXT NOT NULL,
    policy_name     TEXT NOT NULL,
    policy_version  TEXT NOT NULL,
    policy_sha256   TEXT NOT NULL,
    score           REAL NOT NULL,
    level           TEXT NOT NULL,
    high_suppliers  INTEGER NOT NULL,
    high_facilities INTEGER NOT NULL,
    computed_at     TEXT NOT NULL,
    computed_by     TEXT NOT NULL,
    result_json     TEXT NOT NULL
);
CREATE INDEX risk_assessments_campaign ON risk_assessments (campaign_id, id);

-- The risk register: one open case per subject (a facility or a supplier) at a time.
CREATE TABLE risk_cases (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    subject_kind     TEXT NOT NULL,
    subject_key      TEXT NOT NULL,
    supplier_id      INTEGER REFERENCES suppliers (id),
    metal_key        TEXT,
    cid              TEXT,
    title            TEXT NOT NULL,
    owner            TEXT NOT NULL,
    due_date         TEXT,
    status           TEXT NOT NULL,
    stage            TEXT,
    level            TEXT NOT NULL,
    score            REAL NOT NULL,
    campaign_id      INTEGER REFERENCES campaigns (id),
    opened_on        TEXT NOT NULL,
    opened_at        TEXT NOT NULL,
    opened_by        TEXT NOT NULL,
    closed_on        TEXT,
    closed_by        TEXT,
    close_reason     TEXT,
    previous_case_id INTEGER REFERENCES risk_cases (id)
);
CREATE UNIQUE INDEX risk_cases_one_open ON risk_cases (subject_key) WHERE status = 'open';
CREATE INDEX risk_cases_status ON risk_cases (status, due_date);

-- Flags a case carries: raised first / last on assessment dates, cleared when no longer raised.
CREATE TABLE risk_case_flags (
    case_id      INTEGER NOT NULL REFERENCES risk_cases (id),
    rule         TEXT NOT NULL,
    weight       REAL NOT NULL,
    reason       TEXT NOT NULL,
    detail       TEXT NOT NULL,
    first_raised TEXT NOT NULL,
    last_raised  TEXT NOT NULL,
    cleared_on   TEXT,
    PRIMARY KEY (case_id, rule)
);

-- A case's history: opening, flags joining and clearing, ladder steps, notes, assignments,
-- sign-offs, closing. A step that needs a sign-off takes effect when it is approved.
CREATE TABLE risk_case_events (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id        INTEGER NOT NULL REFERENCES risk_cases (id),
    kind           TEXT NOT NULL,
    on_date        TEXT NOT NULL,
    recorded_at    TEXT NOT NULL,
    actor          TEXT NOT NULL,
    stage          TEXT,
    text           TEXT,
    needs_sign_off INTEGER NOT NULL,
    decision       TEXT,
    decided_by     TEXT,
    decided_at     TEXT,
    decision_note  TEXT
);
CREATE INDEX risk_case_events_case ON risk_case_events (case_id, id);
CREATE INDEX risk_case_events_pending ON risk_case_events (needs_sign_off, decision);

-- Milestones of agreed improvement plans.
CREATE TABLE risk_milestones (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id     INTEGER NOT NULL REFERENCES risk_cases (id),
    event_id    INTEGER REFERENCES risk_case_events (id),
    title       TEXT NOT NULL,
    due_date    TEXT NOT NULL,
    done_on     TEXT,
    done_by     TEXT,
    note        TEXT,
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL
);
CREATE INDEX risk_milestones_case ON risk_milestones (case_id);

-- Evidence files: the bytes are the store's originals (originals/<aa>/<sha256>).
CREATE TABLE risk_evidence (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_kind TEXT NOT NULL,
    owner_id   INTEGER NOT NULL,
    sha256     TEXT NOT NULL,
    file_name  TEXT NOT NULL,
    size       INTEGER NOT NULL,
    added_at   TEXT NOT NULL,
    added_by   TEXT NOT NULL
);
CREATE INDEX risk_evidence_owner ON risk_evidence (owner_kind, owner_id);

-- Refiner outreach: who was contacted, when, the answer, the commitment to an RMAP audit.
CREATE TABLE risk_outreach (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    metal_key         TEXT NOT NULL,
    cid               TEXT NOT NULL,
    on_date           TEXT NOT NULL,
    contact           TEXT NOT NULL,
    channel           TEXT NOT NULL,
    by_whom           TEXT NOT NULL,
    answer            TEXT,
    commitment        TEXT NOT NULL,
    committed_by_date TEXT,
    follow_up_on      TEXT,
    case_id           INTEGER REFERENCES risk_cases (id),
    recorded_at       TEXT NOT NULL,
    recorded_by       TEXT NOT NULL
);
CREATE INDEX risk_outreach_facility ON risk_outreach (metal_key, cid, on_date);

-- RBA audits of own sites, suppliers' sites and facilities, with findings and corrective actions.
CREATE TABLE risk_audits (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    subject_kind TEXT NOT NULL,
    site         TEXT NOT NULL,
    supplier_id  INTEGER REFERENCES suppliers (id),
    metal_key    TEXT,
    cid          TEXT,
    audit_type   TEXT NOT NULL,
    audit_date   TEXT NOT NULL,
    auditor      TEXT NOT NULL,
    score        REAL,
    result       TEXT,
    notes        TEXT,
    recorded_at  TEXT NOT NULL,
    recorded_by  TEXT NOT NULL
);
CREATE TABLE risk_findings (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    audit_id          INTEGER NOT NULL REFERENCES risk_audits (id),
    severity          TEXT NOT NULL,
    finding           TEXT NOT NULL,
    corrective_action TEXT,
    owner             TEXT,
    due_date          TEXT,
    closed_on         TEXT,
    closed_by         TEXT,
    closure_note      TEXT,
    recorded_at       TEXT NOT NULL,
    recorded_by       TEXT NOT NULL
);
CREATE INDEX risk_findings_audit ON risk_findings (audit_id);

-- Code-of-conduct and contract-clause acknowledgements by suppliers.
CREATE TABLE risk_acknowledgements (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    supplier_id INTEGER NOT NULL REFERENCES suppliers (id),
    document    TEXT NOT NULL,
    version     TEXT NOT NULL,
    signed_on   TEXT NOT NULL,
    signed_by   TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL
);
CREATE INDEX risk_acknowledgements_supplier ON risk_acknowledgements (supplier_id);

-- Supplier training: sessions and their participants.
CREATE TABLE risk_trainings (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    course      TEXT NOT NULL,
    held_on     TEXT NOT NULL,
    provider    TEXT,
    notes       TEXT,
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL
);
CREATE TABLE risk_training_participants (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    training_id  INTEGER NOT NULL REFERENCES risk_trainings (id),
    supplier_id  INTEGER REFERENCES suppliers (id),
    person       TEXT NOT NULL,
    completed    INTEGER NOT NULL,
    completed_on TEXT,
    recorded_at  TEXT NOT NULL,
    recorded_by  TEXT NOT NULL
);
CREATE INDEX risk_training_participants_training ON risk_training_participants (training_id);

-- Grievances: intake (also anonymous), triage, links, resolution and response; events keep the
-- history. The reporter follows up with the reference and a secret whose SHA-256 is stored.
CREATE TABLE risk_grievances (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    reference        TEXT NOT NULL UNIQUE,
    follow_up_hash   TEXT,
    received_on      TEXT NOT NULL,
    received_at      TEXT NOT NULL,
    channel          TEXT NOT NULL,
    anonymous        INTEGER NOT NULL,
    reporter_name    TEXT,
    reporter_contact TEXT,
    summary          TEXT NOT NULL,
    description      TEXT NOT NULL,
    status           TEXT NOT NULL,
    severity         TEXT,
    supplier_id      INTEGER REFERENCES suppliers (id),
    metal_key        TEXT,
    cid              TEXT,
    case_id          INTEGER REFERENCES risk_cases (id),
    resolution       TEXT,
    response         TEXT,
    acknowledged_on  TEXT,
    responded_on     TEXT,
    recorded_by      TEXT NOT NULL
);
CREATE TABLE risk_grievance_events (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    grievance_id INTEGER NOT NULL REFERENCES risk_grievances (id),
    at           TEXT NOT NULL,
    actor        TEXT NOT NULL,
    kind         TEXT NOT NULL,
    text         TEXT
);
CREATE INDEX risk_grievance_events_grievance ON risk_grievance_events (grievance_id, id);

-- Digests composed (in-app) and, when configured, e-mailed; last_list is the newest status list
-- (status_snapshots.id) the digest knew, so the next one reports the lists imported since.
CREATE TABLE risk_digests (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    day         TEXT NOT NULL,
    since       TEXT,
    last_list   INTEGER,
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    body_text   TEXT NOT NULL,
    body_json   TEXT NOT NULL,
    recipients  TEXT,
    sent_at     TEXT,
    send_error  TEXT
);
CREATE INDEX risk_digests_day ON risk_digests (day, id);
