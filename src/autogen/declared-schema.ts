/**
 * A schema module's export → SchemaSpec, checked the way a TypeScript
 * compiler would check it, for JavaScript authors and for mistakes types
 * cannot see: unknown keys, columns a key or index names but the table
 * lacks, two tables or columns with one name. Column-level `primaryKey`,
 * `unique` and `references` are lifted to the table, so that the
 * comparison sees one spelling of each thing.
 */
import type { DefaultValue, ForeignKeyAction } from "../ops/op.js";
import { isSqlExpression } from "../ops/op.js";
import type { DeclaredColumn, DeclaredTable, SchemaDefinition } from "./schema-dsl.js";
import type { ColumnEntry, ForeignKeyEntry, IndexEntry, SchemaSpec, TableEntry, UniqueEntry, ViewEntry } from "./schema-spec.js";
import { SchemaError } from "../errors.js";

const SCHEMA_KEYS = ["tables", "views"];
const TABLE_KEYS = ["renamedFrom", "columns", "primaryKey", "indexes", "uniques", "foreignKeys", "checks"];
const COLUMN_KEYS = ["type", "nullable", "default", "primaryKey", "autoIncrement", "unique", "references", "renamedFrom"];
const INDEX_KEYS = ["name", "columns", "unique", "where"];
const UNIQUE_KEYS = ["name", "columns"];
const FOREIGN_KEY_KEYS = ["name", "columns", "refTable", "refColumns", "onDelete", "onUpdate"];
const REFERENCE_KEYS = ["table", "column", "onDelete", "onUpdate"];
const CHECK_KEYS = ["name", "expression"];
const ACTIONS: readonly ForeignKeyAction[] = ["cascade", "restrict", "set null", "set default", "no action"];

type Plain = Record<string, unknown>;

class Reader {
  constructor(private readonly source: string) {}

  fail(where: string, message: string): never {
    throw new SchemaError(`${this.source}: ${where}: ${message}.`, { fields: { file: this.source, where } });
  }

  object(value: unknown, where: string, keys: readonly string[]): Plain {
    if (typeof value !== "object" || value === null || Array.isArray(value))
      this.fail(where, `must be an object, found ${describe(value)}`);
    for (const key of Object.keys(value)) {
      if (!keys.includes(key)) this.fail(where, `unknown key "${key}" (known: ${keys.join(", ")})`);
    }
    return value as Plain;
  }

  string(value: unknown, where: string): string {
    if (typeof value !== "string" || value.trim() === "")
      this.fail(where, `must be a non-empty string, found ${describe(value)}`);
    return value;
  }

  optionalString(value: unknown, where: string): string | undefined {
    return value === undefined ? undefined : this.string(value, where);
  }

  boolean(value: unknown, where: string): boolean | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== "boolean") this.fail(where, `must be true or false, found ${describe(value)}`);
    return value;
  }

  names(value: unknown, where: string): string[] {
    if (!Array.isArray(value) || value.length === 0)
      this.fail(where, `must be a non-empty list of column names, found ${describe(value)}`);
    return value.map((item, i) => this.string(item, `${where}[${i}]`));
  }

  list(value: unknown, where: string): unknown[] {
    if (value === undefined) return [];
    if (!Array.isArray(value)) this.fail(where, `must be a list, found ${describe(value)}`);
    return value;
  }

  action(value: unknown, where: string): ForeignKeyAction {
    if (value === undefined) return "no action";
    if (typeof value !== "string" || !(ACTIONS as readonly string[]).includes(value)) {
      this.fail(where, `must be one of ${ACTIONS.map((a) => `"${a}"`).join(", ")}, found ${describe(value)}`);
    }
    return value as ForeignKeyAction;
  }

  defaultValue(value: unknown, where: string): DefaultValue | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === "string" || typeof value === "boolean") return value;
    if (typeof value === "number" && Number.isFinite(value)) return value;
    if (isSqlExpression(value) && typeof value.sql === "string") return value;
    return this.fail(
      where,
      `must be a string, a finite number, a boolean, null or op.sql("…") (sql(…)), found ${describe(value)}`,
    );
  }
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "object") return "an object";
  return `${typeof value} ${String(value)}`;
}

/** Checks and converts what a schema module exported; `source` names it in errors. */
export function declaredSchema(value: unknown, source: string): SchemaSpec {
  const read = new Reader(source);
  const schema = read.object(value, "the schema", SCHEMA_KEYS) as SchemaDefinition;
  const tables: TableEntry[] = [];
  if (schema.tables !== undefined) {
    const record = read.object(schema.tables, "tables", Object.keys(schema.tables as object));
    for (const [name, table] of Object.entries(record)) tables.push(declaredTable(read, name, table));
  }
  const views: ViewEntry[] = [];
  if (schema.views !== undefined) {
    const record = read.object(schema.views, "views", Object.keys(schema.views as object));
    for (const [name, sql] of Object.entries(record))
      views.push({ name, sql: read.string(sql, `views.${name}`).trim().replace(/;\s*$/, "") });
  }
  return { tables, views };
}

function declaredTable(read: Reader, name: string, value: unknown): TableEntry {
  const where = `tables.${name}`;
  const table = read.object(value, where, TABLE_KEYS) as unknown as DeclaredTable;
  const columnRecord = read.object(table.columns, `${where}.columns`, Object.keys((table.columns as object | undefined) ?? {}));
  const names = Object.keys(columnRecord);
  if (names.length === 0) read.fail(`${where}.columns`, "a table needs at least one column");
  const has = (column: string): boolean => names.includes(column);
  const needColumns = (list: readonly string[], at: string): void => {
    const missing = list.find((column) => !has(column));
    if (missing !== undefined)
      read.fail(at, `names column "${missing}", which the table does not declare (its columns: ${names.join(", ")})`);
  };

  const columns: ColumnEntry[] = [];
  const flaggedKey: string[] = [];
  const uniques: UniqueEntry[] = [];
  const foreignKeys: ForeignKeyEntry[] = [];
  for (const [column, raw] of Object.entries(columnRecord)) {
    const at = `${where}.columns.${column}`;
    const spec = read.object(raw, at, COLUMN_KEYS) as unknown as DeclaredColumn;
    const type = read.string(spec.type, `${at}.type`);
    const primaryKey = read.boolean(spec.primaryKey, `${at}.primaryKey`) === true;
    if (primaryKey) flaggedKey.push(column);
    const renamedFrom = read.optionalString(spec.renamedFrom, `${at}.renamedFrom`);
    const nullable = read.boolean(spec.nullable, `${at}.nullable`);
    columns.push({
      name: column,
      type: type.trim(),
      nullable: primaryKey ? false : (nullable ?? true),
      default: read.defaultValue(spec.default, `${at}.default`),
      autoIncrement: read.boolean(spec.autoIncrement, `${at}.autoIncrement`) === true,
      ...(renamedFrom === undefined ? {} : { renamedFrom }),
    });
    if (read.boolean(spec.unique, `${at}.unique`) === true) uniques.push({ name: "", columns: [column] });
    if (spec.references !== undefined) {
      const ref = read.object(spec.references, `${at}.references`, REFERENCE_KEYS);
      foreignKeys.push({
        name: "",
        columns: [column],
        refTable: read.string(ref["table"], `${at}.references.table`),
        refColumns: [read.string(ref["column"], `${at}.references.column`)],
        onDelete: read.action(ref["onDelete"], `${at}.references.onDelete`),
        onUpdate: read.action(ref["onUpdate"], `${at}.references.onUpdate`),
      });
    }
  }

  let primaryKey = flaggedKey;
  if (table.primaryKey !== undefined) {
    primaryKey = read.names(table.primaryKey, `${where}.primaryKey`);
    needColumns(primaryKey, `${where}.primaryKey`);
    const stray = flaggedKey.find((column) => !primaryKey.includes(column));
    if (stray !== undefined)
      read.fail(`${where}.columns.${stray}`, `is primaryKey: true but not in the table's primaryKey [${primaryKey.join(", ")}]`);
  } else if (flaggedKey.length > 1) {
    read.fail(
      where,
      `marks ${flaggedKey.join(", ")} as primaryKey: a composite key is declared as the table's primaryKey: [${flaggedKey.map((c) => JSON.stringify(c)).join(", ")}]`,
    );
  }
  const keySet = new Set(primaryKey);
  const keyed = columns.map((column) => (keySet.has(column.name) ? { ...column, nullable: false } : column));

  read.list(table.uniques, `${where}.uniques`).forEach((raw, i) => {
    const at = `${where}.uniques[${i}]`;
    const unique = read.object(raw, at, UNIQUE_KEYS);
    const cols = read.names(unique["columns"], `${at}.columns`);
    needColumns(cols, `${at}.columns`);
    uniques.push({ name: read.optionalString(unique["name"], `${at}.name`) ?? "", columns: cols });
  });
  const indexes: IndexEntry[] = read.list(table.indexes, `${where}.indexes`).map((raw, i) => {
    const at = `${where}.indexes[${i}]`;
    const index = read.object(raw, at, INDEX_KEYS);
    const cols = read.names(index["columns"], `${at}.columns`);
    needColumns(cols, `${at}.columns`);
    const whereSql = read.optionalString(index["where"], `${at}.where`);
    return {
      name: read.optionalString(index["name"], `${at}.name`) ?? "",
      columns: cols,
      unique: read.boolean(index["unique"], `${at}.unique`) === true,
      ...(whereSql === undefined ? {} : { where: whereSql.trim() }),
    };
  });
  read.list(table.foreignKeys, `${where}.foreignKeys`).forEach((raw, i) => {
    const at = `${where}.foreignKeys[${i}]`;
    const fk = read.object(raw, at, FOREIGN_KEY_KEYS);
    const cols = read.names(fk["columns"], `${at}.columns`);
    needColumns(cols, `${at}.columns`);
    const refColumns = read.names(fk["refColumns"], `${at}.refColumns`);
    if (refColumns.length !== cols.length) read.fail(at, `has ${cols.length} columns but ${refColumns.length} refColumns`);
    foreignKeys.push({
      name: read.optionalString(fk["name"], `${at}.name`) ?? "",
      columns: cols,
      refTable: read.string(fk["refTable"], `${at}.refTable`),
      refColumns,
      onDelete: read.action(fk["onDelete"], `${at}.onDelete`),
      onUpdate: read.action(fk["onUpdate"], `${at}.onUpdate`),
    });
  });
  const checks = read.list(table.checks, `${where}.checks`).map((raw, i) => {
    const at = `${where}.checks[${i}]`;
    const check = read.object(raw, at, CHECK_KEYS);
    return {
      name: read.optionalString(check["name"], `${at}.name`) ?? "",
      expression: read.string(check["expression"], `${at}.expression`).trim(),
    };
  });
  const renamedFrom = read.optionalString(table.renamedFrom, `${where}.renamedFrom`);
  return {
    name,
    origin: "declared",
    ...(renamedFrom === undefined ? {} : { renamedFrom }),
    columns: keyed,
    primaryKey,
    indexes,
    uniques,
    foreignKeys,
    checks,
  };
}

/** Several schema files (a folder) as one schema; a table or view declared twice is an error naming both files. */
export function mergeSchemas(parts: readonly { readonly source: string; readonly schema: SchemaSpec }[]): SchemaSpec {
  const tableSource = new Map<string, string>();
  const viewSource = new Map<string, string>();
  const tables: TableEntry[] = [];
  const views: ViewEntry[] = [];
  for (const { source, schema } of parts) {
    for (const table of schema.tables) {
      const other = tableSource.get(table.name);
      if (other !== undefined)
        throw new SchemaError(
          `Table "${table.name}" is declared twice: in ${other} and in ${source}; declare each table in one file.`,
        );
      tableSource.set(table.name, source);
      tables.push(table);
    }
    for (const view of schema.views) {
      const other = viewSource.get(view.name);
      if (other !== undefined)
        throw new SchemaError(
          `View "${view.name}" is declared twice: in ${other} and in ${source}; declare each view in one file.`,
        );
      viewSource.set(view.name, source);
      views.push(view);
    }
  }
  return { tables, views };
}
