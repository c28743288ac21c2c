-- Oretrail web, version 2 (SQLite): indexes that keep every list fast with 10,000+ submissions.
-- Keep in step with ../postgres/0002_list_indexes.sql.

-- A narrow copy of what the submission lists filter and sort on. Lists count, filter and page
-- over it without touching table rows (whose report JSON pushes the later columns, among them
-- superseded_by, onto overflow pages), then read the 50 rows shown.
CREATE INDEX web_submissions_list ON submissions
    (id, campaign_key, supplier_id, status, superseded_by, link_state, error_count,
     warning_count, company_name, original_name);

-- The supplier list's join to each supplier's current linked submission in a campaign, answered
-- from the index alone.
CREATE INDEX web_submissions_current_of ON submissions
    (campaign_key, supplier_id, superseded_by, link_state, status, error_count, warning_count, id);

-- Spend of a period summed per supplier from the index alone.
CREATE INDEX web_spend_amount ON supplier_spend (period, supplier_id, amount);

-- The review queue: unresolved and fuzzy rows only, with what the queue groups on.
CREATE INDEX web_smelters_queue ON submission_smelters (metal_key, name_key, submission_id)
    WHERE method IN ('unresolved', 'fuzzy');

-- The audit log filtered by actor, newest first.
CREATE INDEX web_audit_actor ON web_audit_log (actor, id);
