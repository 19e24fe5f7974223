/**
 * How the tracker spells its models: as the introspector would report them
 * (lists ordered by name, types lower-cased outside literals, foreign keys
 * with explicit actions, expressions renamed as SQLite's RENAME COLUMN
 * rewrites them). Kept apart from schema-tracker.ts so that the tracker
 * reads as the story of which op changes what, and so that autogenerate can
 * rename identifiers the same way without loading the tracker.
 */
import type { ColumnDef } from "../ops/op.js";
import { byName } from "./introspect-support.js";
import type { ForeignKeyModel, TableModel } from "./schema-model.js";

export function key(name: string): string {
  return name.toLowerCase();
}

/** Lists ordered by name, as every introspector reports them (the sort is stable: text order among equal names). */
export function reported(table: TableModel): TableModel {
  const { indexes, uniques, foreignKeys, checks } = table;
  return {
    ...table,
    indexes: byName(indexes),
    uniques: byName(uniques),
    foreignKeys: byName(foreignKeys),
    checks: byName(checks),
  };
}

type ForeignKeyFields = Pick<ForeignKeyModel, "columns" | "refTable" | "refColumns"> & Partial<ForeignKeyModel>;

export function foreignKey(name: string, fk: ForeignKeyFields): ForeignKeyModel {
  const { columns, refTable, refColumns } = fk;
  return { name, columns, refTable, refColumns, onDelete: fk.onDelete ?? "no action", onUpdate: fk.onUpdate ?? "no action" };
}

export function columnReference(def: ColumnDef): ForeignKeyModel {
  const { table, column, ...actions } = def.references!;
  return foreignKey("", { columns: [def.name], refTable: table, refColumns: [column], ...actions });
}

/** Lower-cases a type, except inside string literals (`enum('A','b')` keeps its values). */
export function lowerOutsideQuotes(text: string): string {
  return text.replace(/('(?:[^']|'')*')|[^']+/g, (part, quoted: string | undefined) =>
    quoted !== undefined ? part : part.toLowerCase(),
  );
}

/**
 * Every use of identifier `from` in an expression, bare or quoted, outside
 * string literals, replaced by `to` (already quoted: SQLite's RENAME COLUMN
 * writes the new name as the statement spelled it).
 */
export function renameIdentifier(sql: string, from: string, to: string): string {
  const escaped = from.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const pattern = new RegExp(`('(?:[^']|'')*')|"${escaped}"|\`${escaped}\`|(?<![\\w$"\`])${escaped}(?![\\w$"\`])`, "gi");
  return sql.replace(pattern, (part, literal: string | undefined) => (literal !== undefined ? part : to));
}
