/**
 * The catalogue of the lock and rewrite lint: what each rule finds, on which
 * dialects, and the safe sequence its message gives. Defaults: a rule is an
 * `error` in expand (the old release is serving traffic while it runs) and a
 * `warning` elsewhere, also where the dialect has no online form (SQLite):
 * a phase the lint passes must not stall writers. The config changes either.
 */
import {
  LINT_RULE_NAMES,
  type DialectName,
  type LintPhase,
  type LintRuleId,
  type LintSeverity,
  type LintSeveritySetting,
} from "../vocabulary.js";

export interface LintRule {
  readonly id: LintRuleId;
  readonly name: string;
  readonly dialects: readonly DialectName[];
  /** What the rule finds, in a few words (README's table). */
  readonly what: string;
  /** What to do instead; every message ends with it. */
  readonly safe: string;
}

const ALL: readonly DialectName[] = ["postgres", "mysql", "sqlite"];

function rule(id: LintRuleId, dialects: readonly DialectName[], what: string, safe: string): LintRule {
  return { id, name: LINT_RULE_NAMES[id], dialects, what, safe };
}

export const LINT_RULES: readonly LintRule[] = [
  rule(
    "TM101",
    ["postgres"],
    "CREATE INDEX without CONCURRENTLY on a table that already exists (SHARE lock: writes wait for the whole build)",
    "use CREATE INDEX CONCURRENTLY (op.createIndex(…, { concurrently: true })) in a non-transactional revision (`transactional = false`)",
  ),
  rule(
    "TM102",
    ["mysql"],
    "CREATE INDEX / ADD INDEX / ADD UNIQUE / ADD PRIMARY KEY without ALGORITHM=INPLACE, LOCK=NONE on a table that already exists: the server picks the least locking method it can, and falls back to a copy or a shared lock without a word (FULLTEXT and SPATIAL indexes, a table it cannot change in place)",
    "add `ALGORITHM=INPLACE, LOCK=NONE` so that the server builds the index online or refuses the statement instead of blocking writes",
  ),
  rule(
    "TM103",
    ["sqlite"],
    "CREATE INDEX on a table that already exists holds the database's write lock for the whole build",
    "SQLite has no online index build: build it in the revision that creates the table, or, when writes may wait that long, mark it `unsafe` with the reason",
  ),
  rule(
    "TM104",
    ["postgres"],
    "ADD CONSTRAINT … UNIQUE / PRIMARY KEY / EXCLUDE builds its index under an ACCESS EXCLUSIVE lock",
    "CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT name UNIQUE USING INDEX index (PRIMARY KEY USING INDEX likewise)",
  ),
  rule(
    "TM105",
    ALL,
    "a unique index or constraint on columns of an existing table that the old release writes: its inserts may start failing",
    "put the unique index on a column added in this expand (filled by the new release and the sync triggers), or add it in contract once the old release is gone",
  ),
  rule(
    "TM106",
    ["postgres"],
    "DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the table (and waits behind every reader)",
    "use DROP INDEX CONCURRENTLY in a non-transactional revision (`transactional = false`)",
  ),
  rule(
    "TM107",
    ["postgres"],
    "REINDEX without CONCURRENTLY blocks writes to the table (and reads that use the index) for the whole rebuild",
    "use REINDEX … CONCURRENTLY (PostgreSQL 12+) in a non-transactional revision",
  ),
  rule(
    "TM108",
    ["postgres"],
    "REFRESH MATERIALIZED VIEW without CONCURRENTLY blocks every reader of the view until it is rebuilt",
    "give the view a unique index and use REFRESH MATERIALIZED VIEW CONCURRENTLY",
  ),
  rule(
    "TM201",
    ["postgres", "mysql"],
    "ADD COLUMN with a volatile default (random(), clock_timestamp(), gen_random_uuid(), UUID(), SYSDATE(), a serial/identity/AUTO_INCREMENT or a stored generated column) rewrites the table under lock",
    "add the column without a default (or with a constant one), set the default for new rows with ALTER COLUMN … SET DEFAULT, and backfill existing rows in migrate",
  ),
  rule(
    "TM202",
    ["postgres", "mysql"],
    "ALTER COLUMN … TYPE (PostgreSQL) or MODIFY/CHANGE COLUMN (MySQL/MariaDB) rewrites the table and its indexes under lock",
    "add a new column of the new type in expand with syncColumns triggers, backfill it in migrate, switch the release and drop the old column in contract",
  ),
  rule(
    "TM203",
    ["postgres"],
    "SET NOT NULL without a validated CHECK (col IS NOT NULL) scans the whole table under an ACCESS EXCLUSIVE lock",
    "ADD CONSTRAINT c CHECK (col IS NOT NULL) NOT VALID, then VALIDATE CONSTRAINT c (a later step), then SET NOT NULL (it uses the check and skips the scan) and drop the check",
  ),
  rule(
    "TM301",
    ["postgres"],
    "ADD FOREIGN KEY or ADD CHECK without NOT VALID checks every row while writes wait",
    "add the constraint NOT VALID (new writes are checked at once), then VALIDATE CONSTRAINT in a later step, which does not block writes",
  ),
  rule(
    "TM401",
    ["postgres", "mysql"],
    "LOCK TABLE / LOCK TABLES stops the old release's reads or writes for the rest of the step",
    "drop the explicit lock: tidemark already serialises runners, and each statement takes the lock it needs",
  ),
  rule(
    "TM402",
    ["postgres"],
    "CLUSTER rewrites the table under an ACCESS EXCLUSIVE lock",
    "do not CLUSTER a live table; use pg_repack or schedule it outside a rolling upgrade",
  ),
  rule(
    "TM403",
    ["postgres"],
    "SET LOGGED / SET UNLOGGED rewrites the table under an ACCESS EXCLUSIVE lock",
    "do not change a live table's persistence; create a new table and move the data in migrate",
  ),
  rule(
    "TM404",
    ["postgres", "sqlite"],
    "VACUUM FULL (PostgreSQL) or VACUUM (SQLite) rewrites the table or the whole database while every writer waits",
    "use plain VACUUM on PostgreSQL (or pg_repack); on SQLite run VACUUM outside a rolling upgrade",
  ),
  rule(
    "TM405",
    ["postgres", "mysql"],
    "pg_terminate_backend / pg_cancel_backend / KILL ends sessions of the running releases",
    "never end the application's sessions from a migration; set lock_timeout and let the statement retry instead",
  ),
  rule(
    "TM501",
    ["mysql"],
    "an ALTER TABLE that copies the table (ALGORITHM=COPY, DROP PRIMARY KEY without a new one, ADD FOREIGN KEY or CHECK, CONVERT TO CHARACTER SET, another ENGINE, ORDER BY, partitioning) blocks writes for the whole copy",
    "write the change as new objects (new column or table, filled in migrate) or state `ALGORITHM=INPLACE, LOCK=NONE` so that the server refuses instead of copying",
  ),
  rule(
    "TM502",
    ["sqlite"],
    "a SQLite table rebuild (create a copy, copy the rows, drop, rename: what alterColumn, constraints and ALTER cannot express need) in a rolling phase",
    "express the change as additions (new column or table, filled in migrate) so that no rebuild runs while the old release writes; rebuild only in contract, or mark it `unsafe`",
  ),
];

const BY_ID = new Map(LINT_RULES.map((r) => [r.id, r]));

export function lintRule(id: LintRuleId): LintRule {
  const found = BY_ID.get(id);
  if (found === undefined) throw new Error(`no lint rule ${id}`);
  return found;
}

/** Severities the config sets, by rule id. */
export type LintRuleSettings = Readonly<Partial<Record<LintRuleId, LintSeveritySetting>>>;

/** The severity of `id` in `phase`: the config's, else the default. */
export function severityOf(id: LintRuleId, phase: LintPhase, settings: LintRuleSettings = {}): LintSeverity {
  const setting = settings[id];
  if (typeof setting === "string") return setting;
  const perPhase = setting?.[phase];
  if (perPhase !== undefined) return perPhase;
  return phase === "expand" ? "error" : "warning";
}
