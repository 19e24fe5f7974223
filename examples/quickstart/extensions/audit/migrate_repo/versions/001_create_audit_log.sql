-- message: create audit_log
-- +upgrade
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  happened_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  what TEXT NOT NULL
);
-- +downgrade
DROP TABLE audit_log;
