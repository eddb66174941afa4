-- The audit detail in Simplified Chinese, beside the English. NULL for entries written
-- before it was kept and for details typed by a user (an API token's name).
ALTER TABLE audit_log ADD COLUMN detail_zh TEXT;
