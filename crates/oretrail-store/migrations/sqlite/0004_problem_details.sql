-- Version 4: each stored problem keeps its full details (row, value, context) as the
-- validator's JSON, so that its message can be given in any language later (API `?lang=zh`).
-- Rows written before this version have NULL and keep their English message.
ALTER TABLE submission_problems ADD COLUMN detail_json TEXT;
