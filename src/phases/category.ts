/**
 * What each operation does to a live database shared by an old and a new
 * release, which is all the phase rules (phases/rules.ts) need to know.
 * The table is exhaustive by type: a new Op kind that is not categorised
 * here does not build. Raw SQL is classified by sql-classifier.ts into the
 * same categories (classification.ts).
 */
import type { DialectName } from "../vocabulary.js";
import type { AddColumn, AlterColumn, CreateIndex, Op, OpKind } from "../ops/op.js";
import { assertNever, isSqlExpression } from "../ops/op.js";
import { classifySql } from "./sql-classifier.js";
import { CALL_EFFECT, unknownCallsInFragment } from "./function-calls.js";
import { CHECK_EFFECT, NOT_NULL_WITHOUT_DEFAULT, type Category, type Change, type Classified } from "./classification.js";
import { forbidTriggerNames, syncTriggerNames } from "../ops/naming.js";

type OpOf<K extends OpKind> = Extract<Op, { readonly kind: K }>;
type Rule<O extends Op> = Category | ((op: O, dialect: DialectName) => readonly Change[]);
type RuleTable = { readonly [K in OpKind]: Rule<OpOf<K>> };

const REMOVES = (thing: string): string => `removes ${thing} the old release still uses`;

function addColumn(op: AddColumn): readonly Change[] {
  const c = op.column;
  const notNull = c.nullable === false || c.primaryKey === true;
  const filled = (c.default !== undefined && c.default !== null) || c.autoIncrement === true;
  const what = `ADD COLUMN ${op.table}.${c.name}`;
  if (notNull && !filled) {
    return [{ category: "breaking", what: `${what} NOT NULL without a default`, effect: NOT_NULL_WITHOUT_DEFAULT }];
  }
  return [{ category: "additive", what }];
}

function alterColumn(op: AlterColumn): readonly Change[] {
  const col = `${op.table}.${op.column}`;
  const out: Change[] = [];
  if (op.type !== undefined) {
    out.push({
      category: "contractive",
      what: `ALTER COLUMN ${col} TYPE ${op.type}`,
      effect: "changes the type of a column the old release still reads and writes",
    });
  }
  if (op.nullable === false) {
    out.push({
      category: "contractive",
      what: `ALTER COLUMN ${col} SET NOT NULL`,
      effect: `makes the old release's writes that leave ${op.column} empty fail`,
    });
  } else if (op.nullable === true) {
    out.push({ category: "additive", what: `ALTER COLUMN ${col} DROP NOT NULL` });
  }
  if (op.default === null) {
    out.push({
      category: "contractive",
      what: `ALTER COLUMN ${col} DROP DEFAULT`,
      effect: "makes the old release's inserts that rely on the default fail",
    });
  } else if (op.default !== undefined) {
    out.push({ category: "additive", what: `ALTER COLUMN ${col} SET DEFAULT` });
  }
  if (out.length === 0) out.push({ category: "neutral", what: `ALTER COLUMN ${col} (no change)` });
  return out;
}

function createIndex(op: CreateIndex): readonly Change[] {
  return [
    {
      category: op.unique === true ? "constraint" : "additive",
      what: `CREATE ${op.unique === true ? "UNIQUE " : ""}INDEX ${op.name} ON ${op.table}`,
    },
  ];
}

const RULES = {
  createTable: (op) => [{ category: "additive", what: `CREATE TABLE ${op.table}` }],
  dropTable: (op) => [
    {
      category: "contractive",
      what: `DROP TABLE ${op.table}`,
      effect: REMOVES("a table"),
      triggers: { droppedTables: [op.table] },
    },
  ],
  renameTable: (op) => [
    {
      category: "contractive",
      what: `RENAME TABLE ${op.table} TO ${op.to}`,
      effect: "renames a table the old release still uses by its old name",
    },
  ],
  // The safe sequences of issue 13 (ops/op.ts): each kind says what it does, whatever SQL it compiles to.
  aliasTable: (op) => [{ category: "additive", what: `CREATE VIEW ${op.alias} (alias of table ${op.table})` }],
  validateConstraint: (op) => [{ category: "neutral", what: `VALIDATE CONSTRAINT ${op.name} ON ${op.table}` }],
  setNotNull: (op) => [
    {
      category: "contractive",
      what: `ALTER COLUMN ${op.table}.${op.column} SET NOT NULL (through a validated CHECK)`,
      effect: `makes the old release's writes that leave ${op.column} empty fail`,
    },
  ],
  swapColumn: (op) => {
    const names = syncTriggerNames({ table: op.table, name: op.sync });
    return [
      {
        category: "contractive",
        what: `finish type change of ${op.table}.${op.column} (drop it, rename ${op.replacement} to it)`,
        effect: "removes the column as the old release knows it",
        triggers: {
          dropped: [
            { name: names.insert, table: op.table },
            { name: names.update, table: op.table },
          ],
        },
      },
    ];
  },
  addColumn,
  dropColumn: (op) => [
    {
      category: "contractive",
      what: `DROP COLUMN ${op.table}.${op.column}`,
      effect: "removes a column the old release still reads",
    },
  ],
  alterColumn,
  renameColumn: (op) => [
    {
      category: "contractive",
      what: `RENAME COLUMN ${op.table}.${op.column} TO ${op.to}`,
      effect: "renames a column the old release still uses by its old name",
    },
  ],
  createIndex,
  dropIndex: (op) => [{ category: "contractive", what: `DROP INDEX ${op.name}`, effect: REMOVES("an index") }],
  addForeignKey: (op) => [{ category: "constraint", what: `ADD FOREIGN KEY ${op.name} ON ${op.table}` }],
  addUnique: (op) => [{ category: "constraint", what: `ADD UNIQUE ${op.name} ON ${op.table}` }],
  // `notValid` is the declared safe sequence of issue 13 (NOT VALID in expand, validateConstraint in
  // migrate): the author states that the old release already keeps the rule. A plain CHECK waits for contract.
  addCheck: (op) =>
    op.notValid === true
      ? [{ category: "constraint", what: `ADD CHECK ${op.name} ON ${op.table} NOT VALID` }]
      : [{ category: "contractive", what: `ADD CHECK ${op.name} ON ${op.table}`, effect: CHECK_EFFECT }],
  dropConstraint: (op) => [
    {
      category: "contractive",
      what: `DROP CONSTRAINT ${op.name} ON ${op.table}`,
      effect: REMOVES("a constraint"),
    },
  ],
  createView: (op) =>
    op.orReplace === true
      ? [
          {
            category: "contractive",
            what: `CREATE OR REPLACE VIEW ${op.name}`,
            effect: "replaces in place a view the old release may read",
          },
        ]
      : [{ category: "additive", what: `CREATE VIEW ${op.name}` }],
  dropView: (op) => [{ category: "contractive", what: `DROP VIEW ${op.name}`, effect: REMOVES("a view") }],
  // Raw SQL is judged statement by statement: see categorizeDetailed.
  execute: "unknown",
  bulkInsert: (op) => [{ category: "data", what: `INSERT INTO ${op.table} (${op.rows.length} rows)` }],
  syncColumns: (op) => {
    const names = syncTriggerNames(op);
    return [
      {
        category: "additive",
        what: `sync triggers ${op.name} on ${op.table}`,
        triggers: {
          created: [
            { name: names.insert, table: op.table },
            { name: names.update, table: op.table },
          ],
        },
      },
    ];
  },
  dropSync: (op) => {
    const names = syncTriggerNames(op);
    return [
      {
        category: "contractive",
        what: `drop sync triggers ${op.name} on ${op.table}`,
        effect: "removes the triggers that keep the old release's columns in step with the new ones",
        triggers: {
          dropped: [
            { name: names.insert, table: op.table },
            { name: names.update, table: op.table },
          ],
        },
      },
    ];
  },
  forbidWrites: (op) => {
    const names = forbidTriggerNames(op.table);
    return [
      {
        category: "additive",
        what: `forbid-writes triggers on ${op.table}`,
        triggers: {
          created: [names.insert, names.update, names.delete].map((name) => ({ name, table: op.table })),
        },
      },
    ];
  },
  allowWrites: (op) => {
    const names = forbidTriggerNames(op.table);
    return [
      {
        category: "contractive",
        what: `allow writes on ${op.table} (drop forbid-writes triggers)`,
        effect: "removes the triggers that stop writes while two releases share the table",
        triggers: {
          dropped: [names.insert, names.update, names.delete].map((name) => ({ name, table: op.table })),
        },
      },
    ];
  },
} satisfies RuleTable;

/** The table itself, for documentation and tests: a category, or a function of the op's fields. */
export const OP_CATEGORY_RULES: RuleTable = RULES;

/** Every change an op makes, classified; raw SQL is classified statement by statement. */
export function categorizeDetailed(op: Op, dialect: DialectName): readonly Classified[] {
  if (op.kind === "execute") return classifySql(op.sql, dialect);
  const rule = OP_CATEGORY_RULES[op.kind] as Rule<Op>;
  const statement = describeOpCall(op);
  // Closed rules: SQL an op carries may call a function that does anything.
  const call = sqlFragments(op).flatMap((sql) => unknownCallsInFragment(sql, dialect))[0];
  if (call !== undefined) return [{ category: "unknown", what: `a call of ${call}()`, effect: CALL_EFFECT, statement }];
  if (typeof rule === "string") return [{ category: rule, what: op.kind, statement }];
  return rule(op, dialect).map((item) => ({ ...item, statement }));
}

function expressionOf(value: unknown): string[] {
  return isSqlExpression(value) ? [value.sql] : [];
}

/** The raw SQL an op carries besides names and types. */
function sqlFragments(op: Op): string[] {
  switch (op.kind) {
    case "createTable":
      return [...op.columns.flatMap((c) => expressionOf(c.default)), ...(op.checks ?? []).map((check) => check.expression)];
    case "addColumn":
      return expressionOf(op.column.default);
    case "alterColumn":
      return [...expressionOf(op.default), ...(op.using === undefined ? [] : [op.using])];
    case "createIndex":
      return op.where === undefined ? [] : [op.where];
    case "addCheck":
      return [op.expression];
    case "createView":
      return [op.sql];
    case "bulkInsert":
      return op.rows.flatMap((row) => Object.values(row).flatMap(expressionOf));
    case "syncColumns":
      return [...Object.values(op.forward), ...Object.values(op.backward)];
    default:
      return [];
  }
}

/**
 * The categories of an op, without repeats. An `execute` with several
 * statements may have several. For PostgreSQL raw SQL the parser must be
 * loaded first (`loadSqlClassifier`).
 */
export function categorize(op: Op, dialect: DialectName): Category[] {
  return [...new Set(categorizeDetailed(op, dialect).map((item) => item.category))];
}

function lit(value: unknown): string {
  if (isSqlExpression(value)) return `op.sql(${JSON.stringify(value.sql)})`;
  return JSON.stringify(value) ?? String(value);
}

function fields(record: object): string {
  const parts = Object.entries(record)
    .filter(([key, value]) => key !== "kind" && key !== "name" && value !== undefined)
    .map(([key, value]) => `${key}: ${lit(value)}`);
  return parts.length === 0 ? "" : `, { ${parts.join(", ")} }`;
}

/** A short, readable rendering of the call that built an op, for messages. */
export function describeOpCall(op: Op): string {
  const q = (s: string): string => JSON.stringify(s);
  switch (op.kind) {
    case "createTable":
      return `op.createTable(${q(op.table)}, …)`;
    case "dropTable":
      return `op.dropTable(${q(op.table)})`;
    case "renameTable":
      return `op.renameTable(${q(op.table)}, ${q(op.to)}${op.overAlias === true ? ", { overAlias: true }" : ""})`;
    case "aliasTable":
      return `op.aliasTable(${q(op.table)}, ${q(op.alias)})`;
    case "validateConstraint":
      return `op.validateConstraint(${q(op.table)}, ${q(op.name)})`;
    case "setNotNull":
      return `op.setNotNull(${q(op.table)}, ${q(op.column)})`;
    case "swapColumn":
      return `op.finishTypeChange(${q(op.table)}, ${q(op.column)})`;
    case "addColumn":
      return `op.addColumn(${q(op.table)}, ${q(op.column.name)}${fields(op.column)})`;
    case "dropColumn":
      return `op.dropColumn(${q(op.table)}, ${q(op.column)})`;
    case "alterColumn": {
      const { kind: _k, table: _t, column: _c, ...changes } = op;
      return `op.alterColumn(${q(op.table)}, ${q(op.column)}${fields(changes)})`;
    }
    case "renameColumn":
      return `op.renameColumn(${q(op.table)}, ${q(op.column)}, ${q(op.to)})`;
    case "createIndex":
      return `op.createIndex(${q(op.table)}, ${lit(op.columns)}${op.unique === true ? ", { unique: true }" : ""})`;
    case "dropIndex":
      return `op.dropIndex(${q(op.table)}, ${q(op.name)})`;
    case "addForeignKey":
      return `op.addForeignKey(${q(op.table)}, ${lit(op.columns)}, ${q(op.refTable)}, ${lit(op.refColumns)})`;
    case "addUnique":
      return `op.addUnique(${q(op.table)}, ${lit(op.columns)})`;
    case "addCheck":
      return `op.addCheck(${q(op.table)}, ${q(op.name)}, ${q(op.expression)})`;
    case "dropConstraint":
      return `op.dropConstraint(${q(op.table)}, ${q(op.name)})`;
    case "createView":
      return `op.createView(${q(op.name)}, …)`;
    case "dropView":
      return `op.dropView(${q(op.name)})`;
    case "execute":
      return op.sql;
    case "bulkInsert":
      return `op.bulkInsert(${q(op.table)}, [${op.rows.length} rows])`;
    case "syncColumns":
      return `op.syncColumns({ table: ${q(op.table)}, name: ${q(op.name)}, … })`;
    case "dropSync":
      return `op.dropSync({ table: ${q(op.table)}, name: ${q(op.name)} })`;
    case "forbidWrites":
      return `op.forbidWrites(${q(op.table)})`;
    case "allowWrites":
      return `op.allowWrites(${q(op.table)})`;
    default:
      return assertNever(op, "op kind");
  }
}
