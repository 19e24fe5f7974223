import { beforeAll, describe, expect, it } from "vitest";
import { PhaseRuleError } from "../../../src/errors.js";
import type { Op } from "../../../src/ops/op.js";
import {
  checkOps,
  checkStatements,
  evaluateStatements,
  guardOp,
  guardOps,
  guardStatements,
  shortenStatement,
  unsafeMarksInOps,
  unsafeMarksInStatements,
} from "../../../src/phases/guard.js";
import { PHASE_RULES, explainRefusal, homePhases, isAllowed } from "../../../src/phases/rules.js";
import { loadSqlClassifier } from "../../../src/phases/sql-classifier.js";

const ctx = { dialect: "postgres" as const, file: "migrations/versions/1a2b3c4d5e6f_split_name.sql", revision: "1a2b3c4d5e6f" };

beforeAll(async () => {
  await loadSqlClassifier("postgres");
});

function thrown(fn: () => unknown): PhaseRuleError {
  try {
    fn();
  } catch (error) {
    if (error instanceof PhaseRuleError) return error;
    throw error;
  }
  throw new Error("expected a PhaseRuleError");
}

describe("PHASE_RULES", () => {
  it("allows per keystone: expand additive, migrate data, contract contractive", () => {
    const matrix = (["additive", "constraint", "data", "contractive", "breaking", "neutral", "unknown"] as const).map((c) => [
      c,
      isAllowed("expand", c),
      isAllowed("migrate", c),
      isAllowed("contract", c),
    ]);
    expect(matrix).toEqual([
      ["additive", true, false, false],
      ["constraint", true, false, true],
      ["data", false, true, false],
      ["contractive", false, false, true],
      ["breaking", false, false, false],
      ["neutral", true, true, true],
      ["unknown", false, false, false],
    ]);
    expect(PHASE_RULES.migrate.unknown).toBe("refuse");
    expect(PHASE_RULES.expand.unknown).toBe("refuse");
    expect(homePhases("constraint")).toEqual(["expand", "contract"]);
    expect(homePhases("breaking")).toEqual([]);
  });

  it("explains refusals in plain words", () => {
    expect(explainRefusal("migrate", { category: "additive", what: "CREATE TABLE t" })).toBe(
      "migrate may only change data, not the schema: CREATE TABLE t is a schema change; it belongs in the expand phase",
    );
    expect(explainRefusal("contract", { category: "data", what: "UPDATE t" })).toBe(
      "contract may not change data: UPDATE t writes rows; data changes belong in the migrate phase",
    );
    expect(explainRefusal("contract", { category: "additive", what: "CREATE INDEX ix ON t" })).toMatch(
      /^contract may only make contractive schema changes .*: CREATE INDEX ix ON t adds schema, which belongs in the expand phase/,
    );
  });
});

describe("guardStatements", () => {
  it("refuses a DROP COLUMN in expand, naming file, line, revision, phase, statement and rule", () => {
    const error = thrown(() =>
      guardStatements(
        [
          { sql: "ALTER TABLE users ADD COLUMN full_name text", line: 5 },
          { sql: "ALTER TABLE users DROP COLUMN first_name", line: 6 },
        ],
        "expand",
        ctx,
      ),
    );
    expect(error.exitCode).toBe(1);
    expect(error.code).toBe("phase-rule");
    expect(error.message).toBe(
      "migrations/versions/1a2b3c4d5e6f_split_name.sql:6 (revision 1a2b3c4d5e6f, expand phase): " +
        "`ALTER TABLE users DROP COLUMN first_name` breaks a phase rule: expand may only make additive schema changes: " +
        "ALTER TABLE users DROP COLUMN first_name removes a column the old release still reads; it belongs in the contract phase.",
    );
    expect(error.fields).toMatchObject({ line: 6, phase: "expand", category: "contractive", revision: "1a2b3c4d5e6f" });
  });

  it("refuses data changes in expand and contract, schema changes in migrate", () => {
    expect(thrown(() => guardStatements([{ sql: "UPDATE users SET a = 1", line: 3 }], "expand", ctx)).message).toContain(
      "`UPDATE users SET a = 1` breaks a phase rule: expand may not change data: UPDATE users writes rows",
    );
    expect(thrown(() => guardStatements([{ sql: "DELETE FROM users", line: 3 }], "contract", ctx)).message).toContain(
      "contract may not change data: DELETE FROM users writes rows",
    );
    expect(thrown(() => guardStatements([{ sql: "CREATE INDEX ix ON users (a)", line: 9 }], "migrate", ctx)).message).toContain(
      ":9 (revision 1a2b3c4d5e6f, migrate phase): `CREATE INDEX ix ON users (a)` breaks a phase rule: migrate may only change data, not the schema",
    );
  });

  it("refuses a NOT NULL column without default in every phase", () => {
    for (const phase of ["expand", "migrate", "contract"] as const) {
      const error = thrown(() => guardStatements([{ sql: "ALTER TABLE users ADD COLUMN n int NOT NULL", line: 1 }], phase, ctx));
      expect(error.message).toContain(
        "no phase may do this: ALTER TABLE users ADD COLUMN n NOT NULL without a default makes every INSERT of the old release fail",
      );
    }
  });

  it("lets allowed statements through and returns no marks", () => {
    expect(
      guardStatements(
        [
          { sql: "CREATE TABLE a (id int)", line: 1 },
          { sql: "ALTER TABLE users ADD COLUMN n int NOT NULL DEFAULT 0", line: 2 },
          { sql: "SELECT 1", line: 3 },
        ],
        "expand",
        ctx,
      ),
    ).toEqual([]);
    expect(
      guardStatements([{ sql: "ALTER TABLE t ALTER COLUMN c SET NOT NULL; DROP TABLE old", line: 1 }], "contract", ctx),
    ).toEqual([]);
    expect(guardStatements([{ sql: "UPDATE t SET a = b", line: 1 }], "migrate", ctx)).toEqual([]);
  });

  it("refuses opaque statements in every phase unless marked (closed rules), migrate included", () => {
    const error = thrown(() => guardStatements([{ sql: "DO $$ BEGIN PERFORM 1; END $$", line: 12 }], "contract", ctx));
    expect(error.message).toBe(
      "migrations/versions/1a2b3c4d5e6f_split_name.sql:12 (revision 1a2b3c4d5e6f, contract phase): `DO $$ BEGIN PERFORM 1; END $$` " +
        "breaks a phase rule: contract refuses what tidemark cannot prove safe: DO block runs procedural code tidemark does not see; " +
        'if it is safe while both releases run, mark it with op.execute(sql, { unsafe: "why" }) or a `-- tidemark:unsafe why` ' +
        "line right before it in a SQL script.",
    );
    expect(() => guardStatements([{ sql: "DO $$ BEGIN PERFORM 1; END $$", line: 12 }], "migrate", ctx)).toThrow(PhaseRuleError);
    expect(
      guardStatements([{ sql: "DO $$ BEGIN PERFORM 1; END $$", line: 12, unsafe: "only touches a cache table" }], "expand", ctx),
    ).toEqual([
      {
        file: ctx.file,
        line: 12,
        revision: ctx.revision,
        phase: "expand",
        statement: "DO $$ BEGIN PERFORM 1; END $$",
        what: "DO block",
        category: "unknown",
        reason: "only touches a cache table",
        needed: true,
      },
    ]);
  });

  it("honours a -- tidemark:unsafe line inside the statement text and counts lines from the statement", () => {
    const marks = guardStatements([{ sql: "SELECT 1;\n-- tidemark:unsafe vetted\nCALL p()", line: 20 }], "expand", ctx);
    expect(marks.map((m) => [m.line, m.reason, m.needed])).toEqual([[22, "vetted", true]]);
  });

  it("reports every violation in fields and counts the others in the message", () => {
    const error = thrown(() =>
      guardStatements(
        [
          { sql: "DROP TABLE a", line: 1 },
          { sql: "DROP TABLE b", line: 2 },
          { sql: "UPDATE c SET x = 1", line: 3 },
        ],
        "expand",
        ctx,
      ),
    );
    expect(error.message).toMatch(
      /`DROP TABLE a` breaks a phase rule: .* 2 more statements of this step break phase rules too: .*:2 DROP TABLE b; .*:3 UPDATE c\.$/,
    );
    expect((error.fields.violations as unknown[]).length).toBe(3);
    expect(error.violations.map((v) => [v.line, v.phase, v.statement])).toEqual([
      [1, "expand", "DROP TABLE a"],
      [2, "expand", "DROP TABLE b"],
      [3, "expand", "UPDATE c SET x = 1"],
    ]);
  });

  it("reports without throwing for check", () => {
    const violations = checkStatements(
      [
        { sql: "DROP TABLE a", line: 4 },
        { sql: "SELECT 1", line: 5 },
      ],
      "migrate",
      ctx,
    );
    expect(violations.map((v) => [v.line, v.category, v.what])).toEqual([[4, "contractive", "DROP TABLE a"]]);
    expect(violations[0]?.message).toContain(
      "migrate may only change data, not the schema: DROP TABLE a is a schema change; it belongs in the contract phase.",
    );
    const report = evaluateStatements([{ sql: "SELECT 1", line: 1, unsafe: "habit" }], "expand", ctx);
    expect(report).toEqual({
      violations: [],
      unsafe: [expect.objectContaining({ reason: "habit", needed: false, category: "neutral" })],
    });
    expect(unsafeMarksInStatements([{ sql: "DROP TABLE x", line: 2, unsafe: "table was never used" }], "expand", ctx)).toEqual([
      expect.objectContaining({ line: 2, needed: true, category: "contractive" }),
    ]);
  });
});

describe("guardOp / guardOps", () => {
  const js = { dialect: "sqlite" as const, file: "migrations/003_split.ts", revision: "3" };

  it("refuses ops by their fields", () => {
    const op: Op = { kind: "alterColumn", table: "users", column: "email", nullable: false };
    expect(thrown(() => guardOp(op, "expand", js)).message).toBe(
      'migrations/003_split.ts (revision 3, expand phase): `op.alterColumn("users", "email", { nullable: false })` breaks a phase rule: ' +
        "expand may only make additive schema changes: ALTER COLUMN users.email SET NOT NULL makes the old release's writes that leave email empty fail; " +
        "it belongs in the contract phase.",
    );
    expect(guardOp(op, "contract", js)).toEqual([]);
    expect(guardOp({ kind: "alterColumn", table: "users", column: "email", nullable: true }, "expand", js)).toEqual([]);
  });

  it("checks the SQL of execute, with its unsafe option", () => {
    expect(thrown(() => guardOp({ kind: "execute", sql: "UPDATE users SET a = 1" }, "expand", js)).message).toContain(
      "`UPDATE users SET a = 1` breaks a phase rule: expand may not change data",
    );
    expect(guardOp({ kind: "execute", sql: "PRAGMA journal_mode = WAL", unsafe: "set once" }, "expand", js)).toEqual([
      expect.objectContaining({
        reason: "set once",
        what: "PRAGMA journal_mode (changes the database file's settings)",
        needed: true,
      }),
    ]);
    expect(
      thrown(() => guardOp({ kind: "execute", sql: "PRAGMA journal_mode = WAL" }, "expand", { ...js, line: 7 })).message,
    ).toMatch(/^migrations\/003_split\.ts:7 \(revision 3, expand phase\)/);
  });

  it("checks a whole step before anything runs", () => {
    const ops: Op[] = [
      { kind: "addColumn", table: "users", column: { name: "full_name", type: "text" } },
      { kind: "bulkInsert", table: "users", rows: [{ id: 1 }] },
    ];
    expect(checkOps(ops, "expand", js).map((v) => v.what)).toEqual(["INSERT INTO users (1 rows)"]);
    expect(() => guardOps(ops, "expand", js)).toThrow(PhaseRuleError);
    expect(unsafeMarksInOps([{ kind: "execute", sql: "CALL x()", unsafe: "ok" }], "migrate", js)).toEqual([
      expect.objectContaining({ needed: true, category: "unknown" }),
    ]);
    expect(unsafeMarksInOps([{ kind: "execute", sql: "UPDATE t SET a = 1", unsafe: "ok" }], "migrate", js)).toEqual([
      expect.objectContaining({ needed: false, category: "data" }),
    ]);
  });
});

describe("shortenStatement", () => {
  it("flattens whitespace and cuts long statements", () => {
    expect(shortenStatement("SELECT\n  1")).toBe("SELECT 1");
    expect(shortenStatement(`SELECT ${"x, ".repeat(50)}1`, 20)).toBe("SELECT x, x, x, x,…");
  });
});
