/**
 * `renamedFrom` hints, checked against the database and applied to the
 * live side before the comparison, so that a renamed table or column is
 * compared with what it was (and its data kept) instead of being dropped
 * and created. What the database renames along with it — foreign keys that
 * point at the table, keys, indexes and checks that name the column — is
 * renamed in the live model too.
 *
 * A rolling repository does not rename a column in place (the old release
 * still uses the old name): with `copyColumns`, a hinted column rename is
 * reported as a pair instead, which the comparison turns into a new column
 * and the old one's drop, and the rolling arrangement into the copy between.
 *
 * A hint is stale, and ignored, once the database already has the new name.
 * A hint naming nothing in the database is an error (a typo would silently
 * drop the old table or column), except on an empty database, where a
 * schema's old hints have nothing to rename.
 */
import { renameIdentifier } from "../dialects/schema-tracker-models.js";
import { STAGE, type Change, type ColumnRename } from "./change.js";
import type { Normalizer } from "./normalizer.js";
import { SchemaError } from "../errors.js";
import type { SchemaSpec, TableEntry } from "./schema-spec.js";

export interface Renamed {
  /** The live side with every hinted rename applied. */
  readonly live: SchemaSpec;
  readonly changes: readonly Change[];
  /** With `copyColumns`: the hinted column renames, not applied. */
  readonly copies: readonly ColumnRename[];
}

export function applyRenames(declared: SchemaSpec, live: SchemaSpec, n: Normalizer, copyColumns = false): Renamed {
  let tables = [...live.tables];
  const changes: Change[] = [];
  const copies: ColumnRename[] = [];
  const liveKeySet = new Set(tables.map((table) => n.tableKey(table.name)));
  const liveKeys = (): Set<string> => liveKeySet;
  const declaredKeys = new Set(declared.tables.map((table) => n.tableKey(table.name)));

  for (const table of declared.tables) {
    const from = table.renamedFrom;
    if (from === undefined || liveKeys().has(n.tableKey(table.name))) continue;
    if (declaredKeys.has(n.tableKey(from))) {
      throw new SchemaError(
        `Table "${table.name}" says renamedFrom: "${from}", but the schema also declares a table "${from}"; a table cannot be renamed to a new name and kept under its old one. Remove the hint or the other table.`,
      );
    }
    if (!liveKeys().has(n.tableKey(from))) {
      if (tables.length === 0) continue;
      throw new SchemaError(
        `Table "${table.name}" says renamedFrom: "${from}", but the database has neither "${from}" nor "${table.name}". Correct the hint (a typo would drop the old table and create an empty one), or remove it.`,
      );
    }
    const old = tables.find((candidate) => n.tableKey(candidate.name) === n.tableKey(from))!;
    tables = tables.map((candidate) => renameTable(candidate, old.name, table.name, n));
    liveKeySet.delete(n.tableKey(old.name));
    liveKeySet.add(n.tableKey(table.name));
    changes.push({
      stage: STAGE.renameTable,
      up: [{ kind: "renameTable", table: old.name, to: table.name }],
      down: [{ kind: "renameTable", table: table.name, to: old.name }],
    });
  }

  for (const table of declared.tables) {
    if (!table.columns.some((column) => column.renamedFrom !== undefined)) continue;
    const current = tables.find((candidate) => n.tableKey(candidate.name) === n.tableKey(table.name));
    for (const column of table.columns) {
      const from = column.renamedFrom;
      if (from === undefined || current === undefined) continue;
      const has = (name: string): boolean =>
        tables.find((t) => t.name === current.name)!.columns.some((c) => n.columnKey(c.name) === n.columnKey(name));
      if (has(column.name)) continue;
      if (table.columns.some((other) => n.columnKey(other.name) === n.columnKey(from))) {
        throw new SchemaError(
          `Column "${table.name}.${column.name}" says renamedFrom: "${from}", but table "${table.name}" also declares a column "${from}"; remove the hint or the other column.`,
        );
      }
      if (!has(from)) {
        throw new SchemaError(
          `Column "${table.name}.${column.name}" says renamedFrom: "${from}", but table "${current.name}" in the database has neither "${from}" nor "${column.name}" (its columns: ${current.columns.map((c) => c.name).join(", ")}). Correct the hint or remove it.`,
        );
      }
      const oldName = current.columns.find((c) => n.columnKey(c.name) === n.columnKey(from))!.name;
      if (copyColumns) {
        copies.push({ table: current.name, from: oldName, to: column.name });
        continue;
      }
      tables = tables.map((candidate) => renameColumn(candidate, current.name, oldName, column.name, n));
      changes.push({
        stage: STAGE.renameColumn,
        up: [{ kind: "renameColumn", table: current.name, column: oldName, to: column.name }],
        down: [{ kind: "renameColumn", table: current.name, column: column.name, to: oldName }],
        rename: { table: current.name, from: oldName, to: column.name },
      });
    }
  }
  return { live: { ...live, tables }, changes, copies };
}

function renameTable(table: TableEntry, from: string, to: string, n: Normalizer): TableEntry {
  const named = table.name === from ? { ...table, name: to } : table;
  if (!named.foreignKeys.some((fk) => n.tableKey(fk.refTable) === n.tableKey(from))) return named;
  return {
    ...named,
    foreignKeys: named.foreignKeys.map((fk) => (n.tableKey(fk.refTable) === n.tableKey(from) ? { ...fk, refTable: to } : fk)),
  };
}

function renameColumn(table: TableEntry, owner: string, from: string, to: string, n: Normalizer): TableEntry {
  const rename = (list: readonly string[]): string[] => list.map((name) => (n.columnKey(name) === n.columnKey(from) ? to : name));
  const sql = (text: string): string => renameIdentifier(text, from, to);
  let out = table;
  if (table.name === owner) {
    out = {
      ...table,
      columns: table.columns.map((column) => (n.columnKey(column.name) === n.columnKey(from) ? { ...column, name: to } : column)),
      primaryKey: rename(table.primaryKey),
      indexes: table.indexes.map((index) => ({
        ...index,
        columns: rename(index.columns),
        ...(index.where === undefined ? {} : { where: sql(index.where) }),
      })),
      uniques: table.uniques.map((unique) => ({ ...unique, columns: rename(unique.columns) })),
      foreignKeys: table.foreignKeys.map((fk) => ({ ...fk, columns: rename(fk.columns) })),
      checks: table.checks.map((check) => ({ ...check, expression: sql(check.expression) })),
    };
  }
  if (!out.foreignKeys.some((fk) => fk.refTable === owner)) return out;
  return {
    ...out,
    foreignKeys: out.foreignKeys.map((fk) => (fk.refTable === owner ? { ...fk, refColumns: rename(fk.refColumns) } : fk)),
  };
}
