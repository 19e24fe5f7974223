import { describe, expect, it } from "vitest";
import { mysqlCompiler } from "../../../src/dialects/mysql/mysql-compiler.js";
import { postgresCompiler } from "../../../src/dialects/postgres/postgres-compiler.js";
import { sqliteCompiler } from "../../../src/dialects/sqlite/sqlite-compiler.js";
import { forbidMessage } from "../../../src/dialects/common/trigger-plan.js";
import type { SyncColumns } from "../../../src/ops/op.js";
import { TidemarkError } from "../../../src/errors.js";

const GOOD: SyncColumns = {
  kind: "syncColumns",
  table: "users",
  name: "users_name",
  from: ["name"],
  to: ["full_name"],
  forward: { full_name: "NEW.name" },
  backward: { name: "NEW.full_name" },
};

const COMPILERS = [
  ["SQLite", sqliteCompiler],
  ["PostgreSQL", postgresCompiler],
  ["MySQL", mysqlCompiler],
] as const;

describe("syncColumns checks, the same on every dialect", () => {
  const cases: [string, Partial<SyncColumns>, string][] = [
    ["no from", { from: [], backward: {} }, "has no old (`from`) columns"],
    ["no to", { to: [], forward: {} }, "has no new (`to`) columns"],
    ["empty name", { name: " " }, "has an empty name"],
    ["a column twice", { to: ["full_name", "full_name"] }, 'lists column "full_name" twice in `to`'],
    [
      "a column on both sides",
      { to: ["name"], forward: { name: "NEW.name" } },
      'lists column "name" in both `from` and `to`: a column cannot be kept in step with itself',
    ],
    [
      "a missing forward expression",
      { forward: {} },
      'has no `forward` expression for column "full_name" (every `to` column needs one)',
    ],
    [
      "a blank backward expression",
      { backward: { name: "  " } },
      'has no `backward` expression for column "name" (every `from` column needs one)',
    ],
    [
      "an expression for a column that is not synced",
      { forward: { full_name: "NEW.name", nick: "NEW.name" } },
      'gives a `forward` expression for "nick", which is not one of the `to` columns (full_name)',
    ],
  ];

  for (const [title, compiler] of COMPILERS) {
    it.each(cases)(`${title}: refuses %s`, (_what, change, why) => {
      const op = { ...GOOD, ...change };
      let caught: unknown;
      try {
        compiler.compile(op, {});
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(TidemarkError);
      expect((caught as TidemarkError).code).toBe("invalid-op");
      expect((caught as TidemarkError).exitCode).toBe(2);
      expect((caught as Error).message).toBe(`${title}: syncColumns "${op.name}" on table "users" ${why}`);
    });
  }

  it("a prototype key is not an expression", () => {
    expect(() => sqliteCompiler.compile({ ...GOOD, forward: {} as Record<string, string>, to: ["constructor"] }, {})).toThrow(
      'has no `forward` expression for column "constructor"',
    );
  });

  it("forbidWrites' default message names the table", () => {
    expect(forbidMessage("orders", undefined)).toBe("writes to orders are forbidden during a rolling upgrade (tidemark)");
    expect(forbidMessage("orders", "closed")).toBe("closed");
  });
});
