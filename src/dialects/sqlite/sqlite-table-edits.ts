/**
 * Pure edits of a TableModel for the SQLite table rebuild: each op that
 * ALTER TABLE cannot express becomes "the table as it should be", and
 * sqlite-rebuild.ts turns old and new shape into statements. SQLite compares
 * names case-insensitively (ASCII), so these do too.
 */
import type { ColumnModel, IndexModel, TableModel } from "../schema-model.js";
import type { ColumnDef, ConstraintType } from "../../ops/op.js";

export function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

export function findColumn(table: TableModel, name: string): ColumnModel | undefined {
  return table.columns.find((column) => sameName(column.name, name));
}

function includesName(names: readonly string[], name: string): boolean {
  return names.some((candidate) => sameName(candidate, name));
}

/** Does SQL text mention the column as a word (bare or quoted)? Over-matching only costs a rebuild. */
export function mentions(sql: string, column: string): boolean {
  const escaped = column.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(?<![\\w$])${escaped}(?![\\w$])`, "i").test(sql);
}

/**
 * SQLite's own DROP COLUMN refuses a column that is in the primary key, an
 * index, a UNIQUE, FOREIGN KEY or CHECK constraint: those need the rebuild.
 */
export function columnIsConstrained(table: TableModel, column: string): boolean {
  return (
    includesName(table.primaryKey, column) ||
    table.indexes.some((index) => indexUses(table, index, column)) ||
    table.uniques.some((unique) => includesName(unique.columns, column)) ||
    table.foreignKeys.some((fk) => includesName(fk.columns, column)) ||
    table.checks.some((check) => mentions(check.expression, column))
  );
}

/**
 * The table without the column and without everything built on it, as
 * PostgreSQL's DROP COLUMN does: the primary key, indexes, unique, foreign
 * key and check constraints that involve the column go with it.
 */
export function withoutColumn(table: TableModel, column: string): TableModel {
  const droppedPk = includesName(table.primaryKey, column);
  return {
    ...table,
    columns: table.columns
      .filter((c) => !sameName(c.name, column))
      .map((c) => (droppedPk && c.autoIncrement ? { ...c, autoIncrement: false } : c)),
    primaryKey: droppedPk ? [] : table.primaryKey,
    indexes: table.indexes.filter((index) => !indexUses(table, index, column)),
    uniques: table.uniques.filter((unique) => !includesName(unique.columns, column)),
    foreignKeys: table.foreignKeys.filter((fk) => !includesName(fk.columns, column)),
    checks: table.checks.filter((check) => !mentions(check.expression, column)),
  };
}

/**
 * An index entry is a column name or, for an expression index, the
 * expression's text (which may mention the column).
 */
function indexUses(table: TableModel, index: IndexModel, column: string): boolean {
  const entryUses = (entry: string): boolean =>
    sameName(entry, column) || (findColumn(table, entry) === undefined && mentions(entry, column));
  return index.columns.some(entryUses) || (index.where !== undefined && mentions(index.where, column));
}

/** Every name a constraint or index of the table already uses. */
export function usedNames(table: TableModel): string[] {
  return [
    ...table.uniques.map((u) => u.name),
    ...table.foreignKeys.map((fk) => fk.name),
    ...table.checks.map((check) => check.name),
    ...table.indexes.map((index) => index.name),
  ].filter((name) => name !== "");
}

export type ConstraintRemoval =
  | { readonly kind: "rebuild"; readonly table: TableModel }
  | { readonly kind: "dropIndex"; readonly name: string }
  | { readonly kind: "notFound" };

/**
 * The table without the named constraint. A unique index of that name (made
 * by hand or by another tool) is dropped as an index, without a rebuild.
 */
export function withoutConstraint(table: TableModel, name: string, type: ConstraintType | undefined): ConstraintRemoval {
  const wants = (kind: ConstraintType): boolean => type === undefined || type === kind;
  if (type === "primaryKey") {
    if (table.primaryKey.length === 0) return { kind: "notFound" };
    return {
      kind: "rebuild",
      table: { ...table, primaryKey: [], columns: table.columns.map((c) => ({ ...c, autoIncrement: false })) },
    };
  }
  if (wants("unique") && table.uniques.some((u) => sameName(u.name, name))) {
    return { kind: "rebuild", table: { ...table, uniques: table.uniques.filter((u) => !sameName(u.name, name)) } };
  }
  if (wants("foreignKey") && table.foreignKeys.some((fk) => sameName(fk.name, name))) {
    return { kind: "rebuild", table: { ...table, foreignKeys: table.foreignKeys.filter((fk) => !sameName(fk.name, name)) } };
  }
  if (wants("check") && table.checks.some((check) => sameName(check.name, name))) {
    return { kind: "rebuild", table: { ...table, checks: table.checks.filter((check) => !sameName(check.name, name)) } };
  }
  const index = table.indexes.find((candidate) => candidate.unique && sameName(candidate.name, name));
  if (wants("unique") && index !== undefined) return { kind: "dropIndex", name: index.name };
  return { kind: "notFound" };
}

/**
 * What SQLite's ALTER TABLE ADD COLUMN refuses: PRIMARY KEY, UNIQUE,
 * defaults that are not constants (CURRENT_TIMESTAMP, expressions), NOT NULL
 * without a default, a REFERENCES column with a non-NULL default. The
 * rebuild does those (and NOT NULL without default works on an empty table,
 * as on PostgreSQL).
 */
export function addColumnNeedsRebuild(column: ColumnDef): boolean {
  const hasDefault = column.default !== undefined && column.default !== null;
  const computed = typeof column.default === "object" && column.default !== null && !isConstantSql(column.default.sql);
  return (
    column.primaryKey === true ||
    column.autoIncrement === true ||
    column.unique === true ||
    computed ||
    (column.nullable === false && !hasDefault) ||
    (column.references !== undefined && hasDefault)
  );
}

const CONSTANT = /^(?:[+-]?\d+(?:\.\d+)?(?:e[+-]?\d+)?|'(?:[^']|'')*'|x'[0-9a-f]*'|null|true|false)$/i;

function isConstantSql(sql: string): boolean {
  return CONSTANT.test(sql.trim());
}
