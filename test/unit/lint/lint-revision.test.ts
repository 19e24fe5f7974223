/**
 * The lint's readers and judge on statements a CLI test does not cover one
 * by one: constraints that build their index, unique indexes the old
 * release's writes may break, volatile defaults in each dialect's spelling,
 * and MySQL ALTERs the server must do online or refuse.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { LintHistory, lintRevision, type LintBody } from "../../../src/lint/lint-revision.js";
import { statementFacts } from "../../../src/lint/statement-facts.js";
import { loadPgParser } from "../../../src/sql/pg-parser.js";
import type { DialectName, LintPhase } from "../../../src/vocabulary.js";

beforeAll(() => loadPgParser());

/** Rule ids found, in order, for `statements` in one body of a revision (tables created in earlier revisions). */
function rules(dialect: DialectName, statements: readonly string[], phase: LintPhase = "expand"): string[] {
  const body: LintBody = {
    phase,
    file: "x.sql",
    items: statements.map((sql, i) => ({ statement: sql, line: i + 1, facts: statementFacts(sql, dialect) })),
  };
  const report = lintRevision("r", [body], { dialect, history: new LintHistory() });
  return report.findings.map((finding) => `${finding.line} ${finding.rule}`);
}

describe("PostgreSQL", () => {
  it("flags a UNIQUE/PRIMARY KEY constraint that builds its index, not one USING INDEX", () => {
    expect(
      rules("postgres", [
        "ALTER TABLE people ADD CONSTRAINT uq_name UNIQUE (name)",
        "ALTER TABLE people ADD CONSTRAINT uq_name2 UNIQUE USING INDEX ix_name",
        "ALTER TABLE people ADD PRIMARY KEY (id)",
      ]),
    ).toEqual(["1 TM104", "1 TM105", "3 TM104", "3 TM105"]);
  });

  it("flags a unique index on columns the old release writes, not on a column added in the same revision", () => {
    expect(
      rules("postgres", [
        "CREATE UNIQUE INDEX CONCURRENTLY uq_email ON people (email)",
        "ALTER TABLE people ADD COLUMN handle text",
        "CREATE UNIQUE INDEX CONCURRENTLY uq_handle ON people (handle)",
      ]),
    ).toEqual(["1 TM105"]);
    expect(rules("postgres", ["CREATE UNIQUE INDEX CONCURRENTLY uq_email ON people (email)"], "contract")).toEqual([]);
    expect(rules("postgres", ["CREATE UNIQUE INDEX CONCURRENTLY uq_email ON people (email)"], "upgrade")).toEqual([]);
  });

  it("reads serial, identity, stored generated and unknown functions as volatile defaults; now() and constants are not", () => {
    expect(
      rules("postgres", [
        "ALTER TABLE people ADD COLUMN n bigserial",
        "ALTER TABLE people ADD COLUMN i int GENERATED ALWAYS AS IDENTITY",
        "ALTER TABLE people ADD COLUMN g int GENERATED ALWAYS AS (id * 2) STORED",
        "ALTER TABLE people ADD COLUMN f int DEFAULT my_counter()",
        "ALTER TABLE people ADD COLUMN t timestamptz DEFAULT now()",
        "ALTER TABLE people ADD COLUMN c int DEFAULT 0 NOT NULL",
        "ALTER TABLE people ADD COLUMN r float8 DEFAULT random()",
      ]),
    ).toEqual(["1 TM201", "2 TM201", "3 TM201", "4 TM201", "7 TM201"]);
  });

  it("remembers a validated CHECK (col IS NOT NULL) from an earlier revision", () => {
    const history = new LintHistory();
    const body = (phase: LintPhase, sql: string): LintBody => ({
      phase,
      file: "x.sql",
      items: [{ statement: sql, line: 1, facts: statementFacts(sql, "postgres") }],
    });
    const first = lintRevision(
      "a",
      [
        body("expand", "ALTER TABLE people ADD CONSTRAINT ck CHECK (name IS NOT NULL) NOT VALID"),
        body("migrate", "ALTER TABLE people VALIDATE CONSTRAINT ck"),
      ],
      { dialect: "postgres", history },
    );
    expect(first.findings).toEqual([]);
    const second = lintRevision(
      "b",
      [body("contract", "ALTER TABLE people ALTER COLUMN name SET NOT NULL, ALTER COLUMN email SET NOT NULL")],
      { dialect: "postgres", history },
    );
    expect(second.findings.map((finding) => finding.message)).toEqual([
      expect.stringMatching(/^ALTER COLUMN people\.email SET NOT NULL/),
    ]);
  });

  it("flags DROP INDEX without CONCURRENTLY, unless the index is the revision's own", () => {
    expect(
      rules(
        "postgres",
        [
          "DROP INDEX ix_people_name",
          "DROP INDEX CONCURRENTLY IF EXISTS ix_people_org",
          "CREATE INDEX CONCURRENTLY ix_tmp ON people (name)",
          "DROP INDEX ix_tmp",
        ],
        "contract",
      ),
    ).toEqual(["1 TM106"]);
  });

  it("flags REINDEX and REFRESH MATERIALIZED VIEW without CONCURRENTLY", () => {
    expect(
      rules("postgres", [
        "REINDEX TABLE people",
        "REINDEX (CONCURRENTLY) INDEX ix_people_name",
        "REINDEX TABLE CONCURRENTLY people",
        "REFRESH MATERIALIZED VIEW people_stats",
        "REFRESH MATERIALIZED VIEW CONCURRENTLY people_stats",
      ]),
    ).toEqual(["1 TM107", "4 TM108"]);
  });

  it("finds pg_terminate_backend inside a DO block, not in a comment", () => {
    expect(
      rules("postgres", [
        "DO $$ BEGIN PERFORM pg_terminate_backend(pid) FROM pg_stat_activity; END $$",
        "SELECT 1 -- pg_terminate_backend(1)",
      ]),
    ).toEqual(["1 TM405"]);
  });
});

describe("MySQL/MariaDB", () => {
  it("lets an ALTER that states ALGORITHM=INSTANT or INPLACE with LOCK=NONE through: the server refuses instead of copying", () => {
    expect(
      rules("mysql", [
        "ALTER TABLE people MODIFY COLUMN name varchar(200), ALGORITHM=INPLACE, LOCK=NONE",
        "ALTER TABLE people ADD COLUMN n int AUTO_INCREMENT, ALGORITHM=INSTANT",
        "ALTER TABLE people MODIFY COLUMN name varchar(200), ALGORITHM=INPLACE",
        "ALTER TABLE people ADD COLUMN n2 int AUTO_INCREMENT UNIQUE",
        "ALTER TABLE people ADD UNIQUE KEY uq_email (email), LOCK=NONE, ALGORITHM=INPLACE",
        "ALTER TABLE people DROP PRIMARY KEY, ADD PRIMARY KEY (id, name)",
      ]),
    ).toEqual(["3 TM202", "4 TM201", "4 TM102", "5 TM105", "6 TM102", "6 TM105"]);
  });

  it("ignores what a new table gets in the same revision", () => {
    expect(
      rules("mysql", [
        "CREATE TABLE pets (id int PRIMARY KEY, name text)",
        "CREATE INDEX ix_pets_name ON pets (name)",
        "ALTER TABLE `pets` ADD CONSTRAINT fk FOREIGN KEY (id) REFERENCES people (id)",
      ]),
    ).toEqual([]);
  });
});

describe("SQLite", () => {
  it("needs no lock rule for ADD COLUMN and sees RENAME onto a dropped table as a rebuild only in a rolling phase", () => {
    const recipe = ["DROP TABLE people", "ALTER TABLE people_new RENAME TO people"];
    expect(rules("sqlite", ["ALTER TABLE people ADD COLUMN x text", ...recipe], "contract")).toEqual(["3 TM502"]);
    expect(rules("sqlite", recipe, "upgrade")).toEqual([]);
  });
});
