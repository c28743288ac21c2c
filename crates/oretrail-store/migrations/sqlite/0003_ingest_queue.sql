-- Version 3: the ingest queue. `oretrail ingest --enqueue` stores each original and adds a job;
-- `oretrail worker` processes (claims) jobs, several at once on PostgreSQL. A job is done in the
-- same transaction that writes its submission, so a file is processed exactly once; a claimed
-- job whose lease runs out (its worker died) is claimed again. Refused inputs (over a limit,
-- unsafe archive names) are kept as jobs in state 'refused' with the reason, so nothing a user
-- handed in disappears without a trace.
CREATE TABLE ingest_jobs (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id    INTEGER REFERENCES campaigns (id),
    campaign_key   INTEGER NOT NULL,
    file_sha256    TEXT,
    size           INTEGER,
    original_name  TEXT NOT NULL,
    received_via   TEXT NOT NULL,
    received_by    TEXT NOT NULL,
    enqueued_at    TEXT NOT NULL,
    state          TEXT NOT NULL,
    attempts       INTEGER NOT NULL DEFAULT 0,
    claimed_by     TEXT,
    lease_until    INTEGER,
    finished_at    TEXT,
    submission_id  INTEGER REFERENCES submissions (id),
    outcome        TEXT,
    detail         TEXT,
    UNIQUE (campaign_key, file_sha256)
);
CREATE INDEX ingest_jobs_state ON ingest_jobs (state, id);
