-- message: audit_log.actor
-- +upgrade
ALTER TABLE audit_log ADD COLUMN actor TEXT;
-- +downgrade
ALTER TABLE audit_log DROP COLUMN actor;
