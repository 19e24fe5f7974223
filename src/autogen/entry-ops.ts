/**
 * Op objects made from SchemaSpec entries: what autogenerate writes. Every
 * index and constraint gets a name (the declared one, else a default), so
 * that a later revision — or this one's downgrade — can drop it by name on
 * every dialect (SQLite keeps no name for an unnamed constraint).
 */
import { createHash } from "../util/lazy-crypto.js";
import type { ColumnDef, CreateIndex, CreateTable, DefaultValue, DropConstraint, ForeignKeyDef, Op } from "../ops/op.js";
import { defaultConstraintName, fitIdentifier } from "../ops/naming.js";
import type { Normalizer } from "./normalizer.js";
import type { CheckEntry, ColumnEntry, ForeignKeyEntry, IndexEntry, SpecOrigin, TableEntry, UniqueEntry } from "./schema-spec.js";

export function indexName(table: string, index: IndexEntry): string {
  // ux_, not uq_: a unique index and a unique constraint on the same columns must not share a name (PostgreSQL: one namespace).
  return index.name !== "" ? index.name : defaultConstraintName(index.unique ? "ux" : "ix", table, index.columns);
}

export function uniqueName(table: string, unique: UniqueEntry): string {
  return unique.name !== "" ? unique.name : defaultConstraintName("uq", table, unique.columns);
}

export function foreignKeyName(table: string, fk: ForeignKeyEntry): string {
  return fk.name !== "" ? fk.name : defaultConstraintName("fk", table, [...fk.columns, fk.refTable]);
}

/** `ck_<table>_<hash of the expression>`: stable across runs, and two checks of one table never share it. */
export function checkName(table: string, check: CheckEntry, normalizer: Normalizer): string {
  if (check.name !== "") return check.name;
  const hash = createHash("sha256").update(normalizer.expression(check.expression)).digest("hex").slice(0, 8);
  return fitIdentifier(`ck_${table}_${hash}`.replace(/[^A-Za-z0-9_]/g, "_"));
}

export function columnType(column: ColumnEntry, origin: SpecOrigin, normalizer: Normalizer): string {
  return origin === "declared" ? column.type : normalizer.opType(column.type);
}

/** The column as an op writes it; only what differs from the Op API's defaults is spelled out. */
export function columnDef(
  column: ColumnEntry,
  origin: SpecOrigin,
  normalizer: Normalizer,
  options: { primaryKey?: boolean } = {},
): ColumnDef {
  const def: { -readonly [K in keyof ColumnDef]?: ColumnDef[K] } = {
    name: column.name,
    type: columnType(column, origin, normalizer),
  };
  if (options.primaryKey === true) def.primaryKey = true;
  else if (!column.nullable) def.nullable = false;
  if (column.default !== undefined && column.default !== null && !column.autoIncrement) def.default = column.default;
  if (column.autoIncrement) def.autoIncrement = true;
  return def as ColumnDef;
}

export function foreignKeyDef(table: string, fk: ForeignKeyEntry): ForeignKeyDef {
  return {
    name: foreignKeyName(table, fk),
    columns: fk.columns,
    refTable: fk.refTable,
    refColumns: fk.refColumns,
    ...(fk.onDelete === "no action" ? {} : { onDelete: fk.onDelete }),
    ...(fk.onUpdate === "no action" ? {} : { onUpdate: fk.onUpdate }),
  };
}

export function createTableOp(
  table: TableEntry,
  normalizer: Normalizer,
  foreignKeys: readonly ForeignKeyEntry[] = table.foreignKeys,
): CreateTable {
  const single = table.primaryKey.length === 1 ? table.primaryKey[0] : undefined;
  const op: { -readonly [K in keyof CreateTable]?: CreateTable[K] } = {
    kind: "createTable",
    table: table.name,
    columns: table.columns.map((column) => columnDef(column, table.origin, normalizer, { primaryKey: column.name === single })),
  };
  if (table.primaryKey.length > 1) op.primaryKey = table.primaryKey;
  if (table.uniques.length > 0)
    op.uniques = table.uniques.map((unique) => ({ name: uniqueName(table.name, unique), columns: unique.columns }));
  if (foreignKeys.length > 0) op.foreignKeys = foreignKeys.map((fk) => foreignKeyDef(table.name, fk));
  if (table.checks.length > 0) {
    op.checks = table.checks
      .filter((check) => !normalizer.implicitCheck(normalizer.expression(check.expression)))
      .map((check) => ({ name: checkName(table.name, check, normalizer), expression: check.expression }));
    if (op.checks.length === 0) delete op.checks;
  }
  return op as CreateTable;
}

export function createIndexOp(table: string, index: IndexEntry): CreateIndex {
  return {
    kind: "createIndex",
    table,
    name: indexName(table, index),
    columns: index.columns,
    ...(index.unique ? { unique: true } : {}),
    ...(index.where === undefined ? {} : { where: index.where }),
  };
}

export function dropConstraintOp(table: string, name: string, type: DropConstraint["type"]): DropConstraint {
  return type === undefined ? { kind: "dropConstraint", table, name } : { kind: "dropConstraint", table, name, type };
}

/** A table and its indexes, created. */
export function createTableOps(table: TableEntry, normalizer: Normalizer, foreignKeys?: readonly ForeignKeyEntry[]): Op[] {
  return [createTableOp(table, normalizer, foreignKeys), ...table.indexes.map((index) => createIndexOp(table.name, index))];
}

/** The value an alterColumn writes for a column's default: `null` drops it. */
export function defaultChange(value: DefaultValue | undefined): DefaultValue {
  return value === undefined ? null : value;
}

/** MySQL keeps (or makes) an index whose leading columns are a foreign key's columns. */
export function indexCovers(table: TableEntry, columns: readonly string[], n: Normalizer): boolean {
  const want = columns.map((c) => n.columnKey(c));
  const leads = (list: readonly string[]): boolean => want.every((c, i) => list[i] !== undefined && n.columnKey(list[i]!) === c);
  return leads(table.primaryKey) || table.uniques.some((u) => leads(u.columns)) || table.indexes.some((i) => leads(i.columns));
}
