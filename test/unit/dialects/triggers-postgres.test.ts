import { describe, expect, it } from "vitest";
import { postgresCompiler } from "../../../src/dialects/postgres/postgres-compiler.js";
import { categorizeDetailed } from "../../../src/phases/category.js";
import type { Op, SyncColumns } from "../../../src/ops/op.js";

const sql = (op: Op, schema?: string): string[] =>
  postgresCompiler.compile(op, schema === undefined ? {} : { schema }).map((s) => s.sql);

const RENAME: SyncColumns = {
  kind: "syncColumns",
  table: "users",
  name: "users_name",
  from: ["name"],
  to: ["full_name"],
  forward: { full_name: "NEW.name" },
  backward: { name: "NEW.full_name" },
};

const RENAME_FUNCTION_BODY =
  "BEGIN\n" +
  "  IF TG_OP = 'INSERT' THEN\n" +
  '    IF NEW."full_name" IS NULL AND NEW."name" IS NOT NULL THEN\n' +
  '      NEW."full_name" := (NEW.name);\n' +
  '    ELSIF NEW."name" IS NULL AND NEW."full_name" IS NOT NULL THEN\n' +
  '      NEW."name" := (NEW.full_name);\n' +
  "    END IF;\n" +
  '  ELSIF NEW."full_name" IS DISTINCT FROM OLD."full_name" AND NEW."full_name" IS DISTINCT FROM (NEW.name) THEN\n' +
  '    NEW."name" := (NEW.full_name);\n' +
  '  ELSIF NEW."name" IS DISTINCT FROM OLD."name" AND NEW."name" IS DISTINCT FROM (NEW.full_name) THEN\n' +
  '    NEW."full_name" := (NEW.name);\n' +
  "  END IF;\n" +
  "  RETURN NEW;\n" +
  "END";

describe("PostgreSQL trigger ops: exact SQL", () => {
  it("syncColumns: a PL/pgSQL function assigning NEW, called by BEFORE INSERT and BEFORE UPDATE OF triggers", () => {
    expect(sql(RENAME)).toEqual([
      `CREATE FUNCTION "tidemark_sync_users_name_fn"() RETURNS trigger LANGUAGE plpgsql AS $tidemark$\n${RENAME_FUNCTION_BODY}\n$tidemark$`,
      'CREATE TRIGGER "tidemark_sync_users_name_ins" BEFORE INSERT ON "users" FOR EACH ROW EXECUTE FUNCTION "tidemark_sync_users_name_fn"()',
      'CREATE TRIGGER "tidemark_sync_users_name_upd" BEFORE UPDATE OF "name", "full_name" ON "users" ' +
        'FOR EACH ROW EXECUTE FUNCTION "tidemark_sync_users_name_fn"()',
    ]);
  });

  it("qualifies the table and the function with the context's schema, never the trigger", () => {
    const [fn, insert, update] = sql(RENAME, "app");
    expect(fn).toMatch(/^CREATE FUNCTION "app"\."tidemark_sync_users_name_fn"\(\) RETURNS trigger/);
    expect(insert).toBe(
      'CREATE TRIGGER "tidemark_sync_users_name_ins" BEFORE INSERT ON "app"."users" FOR EACH ROW EXECUTE FUNCTION "app"."tidemark_sync_users_name_fn"()',
    );
    expect(update).toContain('ON "app"."users" FOR EACH ROW EXECUTE FUNCTION "app"."tidemark_sync_users_name_fn"()');
    expect(sql({ kind: "dropSync", table: "users", name: "users_name" }, "app")).toEqual([
      'DROP TRIGGER IF EXISTS "tidemark_sync_users_name_ins" ON "app"."users"',
      'DROP TRIGGER IF EXISTS "tidemark_sync_users_name_upd" ON "app"."users"',
      'DROP FUNCTION IF EXISTS "app"."tidemark_sync_users_name_fn"()',
    ]);
  });

  it("syncColumns with several new columns assigns each one", () => {
    const [fn] = sql({
      kind: "syncColumns",
      table: "people",
      name: "split",
      from: ["name"],
      to: ["first", "last"],
      forward: { first: "split_part(NEW.name, ' ', 1)", last: "x(NEW.name)" },
      backward: { name: "NEW.first || NEW.last" },
    });
    expect(fn).toContain(
      '    IF NEW."first" IS NULL AND NEW."last" IS NULL AND NEW."name" IS NOT NULL THEN\n' +
        "      NEW.\"first\" := (split_part(NEW.name, ' ', 1));\n" +
        '      NEW."last" := (x(NEW.name));\n',
    );
    expect(fn).toContain(
      '  ELSIF (NEW."first" IS DISTINCT FROM OLD."first" OR NEW."last" IS DISTINCT FROM OLD."last") AND ' +
        '(NEW."first" IS DISTINCT FROM (split_part(NEW.name, \' \', 1)) OR NEW."last" IS DISTINCT FROM (x(NEW.name))) THEN\n',
    );
  });

  it("picks a dollar-quote tag the expressions do not contain", () => {
    const [fn] = sql({ ...RENAME, forward: { full_name: "NEW.name || '$tidemark$'" } });
    expect(fn).toMatch(/ AS \$tidemark1\$\n[\s\S]*'\$tidemark\$'[\s\S]*\n\$tidemark1\$$/);
  });

  it("forbidWrites: a function that raises the message, three BEFORE row triggers", () => {
    const standard = "'writes to orders are forbidden during a rolling upgrade (tidemark)'";
    expect(sql({ kind: "forbidWrites", table: "orders" })).toEqual([
      'CREATE FUNCTION "tidemark_forbid_orders_fn"() RETURNS trigger LANGUAGE plpgsql AS $tidemark$\n' +
        `BEGIN\n  RAISE EXCEPTION USING MESSAGE = ${standard};\nEND\n$tidemark$`,
      'CREATE TRIGGER "tidemark_forbid_orders_ins" BEFORE INSERT ON "orders" FOR EACH ROW EXECUTE FUNCTION "tidemark_forbid_orders_fn"()',
      'CREATE TRIGGER "tidemark_forbid_orders_upd" BEFORE UPDATE ON "orders" FOR EACH ROW EXECUTE FUNCTION "tidemark_forbid_orders_fn"()',
      'CREATE TRIGGER "tidemark_forbid_orders_del" BEFORE DELETE ON "orders" FOR EACH ROW EXECUTE FUNCTION "tidemark_forbid_orders_fn"()',
    ]);
    expect(sql({ kind: "forbidWrites", table: "orders", message: "100% it's \\ frozen" })[0]).toContain(
      "  RAISE EXCEPTION USING MESSAGE = E'100% it''s \\\\ frozen';\n",
    );
  });

  it("allowWrites drops the three triggers and the function", () => {
    expect(sql({ kind: "allowWrites", table: "orders" }, "app")).toEqual([
      'DROP TRIGGER IF EXISTS "tidemark_forbid_orders_ins" ON "app"."orders"',
      'DROP TRIGGER IF EXISTS "tidemark_forbid_orders_upd" ON "app"."orders"',
      'DROP TRIGGER IF EXISTS "tidemark_forbid_orders_del" ON "app"."orders"',
      'DROP FUNCTION IF EXISTS "app"."tidemark_forbid_orders_fn"()',
    ]);
  });

  it("creates exactly the triggers the phase audit expects", () => {
    for (const op of [RENAME, { kind: "forbidWrites", table: "Orders-2024" }] as const) {
      const created = sql(op).flatMap((text) => /^CREATE TRIGGER "([^"]+)"/.exec(text)?.[1] ?? []);
      const audit = categorizeDetailed(op, "postgres")
        .flatMap((c) => c.triggers?.created ?? [])
        .map((t) => t.name);
      expect(created).toEqual(audit);
    }
  });
});
