/**
 * The exact SQL of issue 13's safe operation sequences on each dialect; what
 * the databases do with it is proved in test/integration/safe-ops.test.ts
 * and rolling-proof-safe-ops.test.ts.
 */
import { describe, expect, it } from "vitest";
import type { CompileContext } from "../../../src/dialects/dialect.js";
import { mysqlCompiler as my } from "../../../src/dialects/mysql/mysql-compiler.js";
import { postgresCompiler as pg } from "../../../src/dialects/postgres/postgres-compiler.js";
import type { TableModel } from "../../../src/dialects/schema-model.js";
import { sqliteCompiler as lite } from "../../../src/dialects/sqlite/sqlite-compiler.js";
import type { Op } from "../../../src/ops/op.js";
import { TidemarkError } from "../../../src/errors.js";

const people: TableModel = {
  name: "people",
  columns: [
    { name: "id", type: "integer", nullable: false, default: null, autoIncrement: false },
    { name: "note", type: "varchar(50)", nullable: true, default: "''", autoIncrement: false, comment: "free text" },
  ],
  primaryKey: ["id"],
  indexes: [],
  uniques: [],
  foreignKeys: [],
  checks: [],
};

const compile = (compiler: typeof pg, op: Op, context: CompileContext = {}): string[] =>
  compiler.compile(op, context).map((statement) => statement.sql);

describe("table alias and its atomic swap (D9)", () => {
  const alias: Op = { kind: "aliasTable", table: "people", alias: "persons" };
  const swap: Op = { kind: "renameTable", table: "people", to: "persons", overAlias: true };

  it("PostgreSQL: a plain view; contract drops it and renames in the step's transaction", () => {
    expect(compile(pg, alias)).toEqual(['CREATE VIEW "persons" AS SELECT * FROM "people"']);
    expect(compile(pg, swap)).toEqual(['DROP VIEW "persons"', 'ALTER TABLE "people" RENAME TO "persons"']);
  });

  it("MySQL: a MERGE view; contract swaps view and table in one RENAME TABLE", () => {
    expect(compile(my, alias)).toEqual(["CREATE ALGORITHM=MERGE VIEW `persons` AS SELECT * FROM `people`"]);
    expect(compile(my, swap)).toEqual([
      "SHOW CREATE VIEW `persons`",
      "RENAME TABLE `persons` TO `_tidemark_alias_persons`, `people` TO `persons`",
      "DROP VIEW `_tidemark_alias_persons`",
    ]);
  });

  it("SQLite: a view made writable by INSTEAD OF triggers keyed on the primary key", () => {
    expect(compile(lite, alias, { table: people })).toEqual([
      'CREATE VIEW "persons" AS SELECT * FROM "people"',
      'CREATE TRIGGER "tidemark_alias_persons_ins" INSTEAD OF INSERT ON "persons" FOR EACH ROW\nBEGIN\n' +
        '  INSERT INTO "people" ("id", "note") VALUES (NEW."id", NEW."note");\nEND',
      'CREATE TRIGGER "tidemark_alias_persons_upd" INSTEAD OF UPDATE ON "persons" FOR EACH ROW\nBEGIN\n' +
        '  UPDATE "people" SET "id" = NEW."id", "note" = NEW."note" WHERE "id" = OLD."id";\nEND',
      'CREATE TRIGGER "tidemark_alias_persons_del" INSTEAD OF DELETE ON "persons" FOR EACH ROW\nBEGIN\n' +
        '  DELETE FROM "people" WHERE "id" = OLD."id";\nEND',
    ]);
    expect(compile(lite, swap)).toEqual(['DROP VIEW "persons"', 'ALTER TABLE "people" RENAME TO "persons"']);
  });

  it("SQLite refuses an alias of a table without a primary key, naming the op", () => {
    const error = (() => {
      try {
        lite.compile(alias, { table: { ...people, primaryKey: [] } });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(TidemarkError);
    expect(String((error as Error).message)).toMatch(/aliasTable.*no primary key/s);
  });
});

describe("setNotNull", () => {
  const op: Op = { kind: "setNotNull", table: "people", column: "note" };

  it("PostgreSQL: through a NOT VALID check, validated, then SET NOT NULL, then the check dropped", () => {
    expect(compile(pg, op)).toEqual([
      'ALTER TABLE "people" DROP CONSTRAINT IF EXISTS "tidemark_nn_people_note"',
      'ALTER TABLE "people" ADD CONSTRAINT "tidemark_nn_people_note" CHECK ("note" IS NOT NULL) NOT VALID',
      'ALTER TABLE "people" VALIDATE CONSTRAINT "tidemark_nn_people_note"',
      'ALTER TABLE "people" ALTER COLUMN "note" SET NOT NULL',
      'ALTER TABLE "people" DROP CONSTRAINT "tidemark_nn_people_note"',
    ]);
  });

  it("MySQL: MODIFY in place without a write lock, the column's other attributes restated", () => {
    expect(compile(my, op, { table: people })).toEqual([
      "ALTER TABLE `people` MODIFY COLUMN `note` varchar(50) NOT NULL DEFAULT '' COMMENT 'free text', ALGORITHM=INPLACE, LOCK=NONE",
    ]);
  });
});

describe("NOT VALID constraints and their validation", () => {
  const fk: Op = {
    kind: "addForeignKey",
    table: "people",
    name: "fk",
    columns: ["org"],
    refTable: "orgs",
    refColumns: ["id"],
    notValid: true,
  };
  const check: Op = { kind: "addCheck", table: "people", name: "ck", expression: "note <> ''", notValid: true };
  const validate: Op = { kind: "validateConstraint", table: "people", name: "fk" };

  it("PostgreSQL: NOT VALID, and VALIDATE CONSTRAINT later", () => {
    expect(compile(pg, fk)).toEqual([
      'ALTER TABLE "people" ADD CONSTRAINT "fk" FOREIGN KEY ("org") REFERENCES "orgs" ("id") NOT VALID',
    ]);
    expect(compile(pg, check)).toEqual([`ALTER TABLE "people" ADD CONSTRAINT "ck" CHECK (note <> '') NOT VALID`]);
    expect(compile(pg, validate)).toEqual(['ALTER TABLE "people" VALIDATE CONSTRAINT "fk"']);
  });

  it("MySQL and SQLite check the rows when the constraint is added: nothing is left to validate", () => {
    expect(compile(my, fk)).toEqual(["ALTER TABLE `people` ADD CONSTRAINT `fk` FOREIGN KEY (`org`) REFERENCES `orgs` (`id`)"]);
    expect(compile(my, validate)).toEqual([]);
    expect(compile(lite, validate)).toEqual([]);
  });
});

describe("finishTypeChange (swapColumn)", () => {
  const op: Op = {
    kind: "swapColumn",
    table: "people",
    column: "note",
    replacement: "note_tidemark_new",
    sync: "people_note_type",
  };

  it("PostgreSQL: triggers, old column and rename in the step's transaction", () => {
    const statements = compile(pg, op);
    expect(statements.slice(-2)).toEqual([
      'ALTER TABLE "people" DROP COLUMN "note"',
      'ALTER TABLE "people" RENAME COLUMN "note_tidemark_new" TO "note"',
    ]);
    expect(statements.slice(0, -2).join("\n")).toMatch(/DROP TRIGGER IF EXISTS "tidemark_sync_people_note_type_ins"/);
  });

  it("MySQL: under LOCK TABLES, so that no write falls between the trigger drop and the swap", () => {
    expect(compile(my, op)).toEqual([
      "SELECT `note`, `note_tidemark_new` FROM `people` WHERE 1 = 0",
      "LOCK TABLES `people` WRITE",
      "DROP TRIGGER IF EXISTS `tidemark_sync_people_note_type_ins`",
      "DROP TRIGGER IF EXISTS `tidemark_sync_people_note_type_upd`",
      "ALTER TABLE `people` DROP COLUMN `note`, RENAME COLUMN `note_tidemark_new` TO `note`",
      "UNLOCK TABLES",
    ]);
  });
});
