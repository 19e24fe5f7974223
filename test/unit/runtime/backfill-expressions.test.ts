/**
 * Issue 13, D6: a backfill whose `where` or `set` is more than one
 * expression is refused before its first statement, on every path (plain
 * repositories too, where no phase rule runs): nothing is sent, so an
 * injected statement never reaches a simple-protocol query.
 */
import { describe, expect, it } from "vitest";
import type { Statement } from "../../../src/dialects/dialect.js";
import { mysqlDialect } from "../../../src/dialects/mysql/mysql-dialect.js";
import { postgresDialect } from "../../../src/dialects/postgres/postgres-dialect.js";
import { runBackfill, type BackfillHost } from "../../../src/runtime/backfill.js";

function host(dialect: BackfillHost["dialect"]) {
  const sent: string[] = [];
  const value: BackfillHost = {
    dialect,
    offline: false,
    emit: (statement: Statement) => {
      sent.push(statement.sql);
      return Promise.resolve({ affectedRows: 0 });
    },
    query: (sql) => {
      sent.push(sql);
      return Promise.resolve([]);
    },
    suspend: () => Promise.resolve(),
    resume: () => Promise.resolve(),
    begin: () => Promise.resolve(),
    commit: () => Promise.resolve(),
    rollback: () => Promise.resolve(),
    progressStatement: (lastKey) => ({ sql: "PROGRESS", params: [lastKey] }),
    resumeFrom: undefined,
    budget: { remaining: undefined },
    onProgress: () => undefined,
  };
  return { value, sent };
}

describe.each([
  ["postgres", postgresDialect],
  ["mysql", mysqlDialect],
] as const)("backfill expressions on %s", (_name, dialect) => {
  it.each([
    { set: { name: "name" }, where: "1 = 1; DROP TABLE people; SELECT 1 WHERE 1 = 1" },
    { set: { name: "name); DROP TABLE people; --" } },
    { set: { name: "name" }, where: "id > 0 -- " },
    { set: { name: "name" }, where: "1 = 1) OR (1 = 1" },
    { set: { name: "evil(name)" } },
  ])("refuses %j before sending anything", async (options) => {
    const { value, sent } = host(dialect);
    await expect(runBackfill(value, { table: "people", ...options })).rejects.toThrow(/backfill of people: `(where|set\.name)`/);
    expect(sent).toEqual([]);
  });

  it("sends one statement per round trip for a plain expression", async () => {
    const { value, sent } = host(dialect);
    await runBackfill(value, { table: "people", set: { full_name: "name" }, where: "full_name IS NULL" });
    // The key range (the estimate), then the first batch: one statement on PostgreSQL, its end key on MySQL (none: done).
    expect(sent).toHaveLength(2);
    for (const sql of sent) expect(sql).not.toContain(";");
  });
});
