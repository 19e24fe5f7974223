/**
 * One table of either side with every comparable part reduced to a key or
 * signature by the dialect's normaliser. Indexes and constraints are
 * matched by what they do (columns, predicate, target, actions), not by
 * name: unnamed declarations get whatever name the database or a default
 * gave them. A declared name, when given, must match as well.
 */
import type { Normalizer } from "./normalizer.js";
import type { CheckEntry, ColumnEntry, ForeignKeyEntry, IndexEntry, TableEntry, UniqueEntry } from "./schema-spec.js";

export interface CanonicalColumn {
  readonly entry: ColumnEntry;
  readonly key: string;
  readonly type: string;
  readonly nullable: boolean;
  readonly default: string | null;
  readonly autoIncrement: boolean;
}

/** An index, unique, foreign key or check, with what makes two of them the same. */
export interface Keyed<E> {
  readonly entry: E;
  readonly signature: string;
  /** The name's comparison key; "" when the declaration left the name open. */
  readonly nameKey: string;
}

/** MySQL: a declared unique index is a unique constraint, kept with how it was declared. */
export type UniqueSource =
  | { readonly kind: "unique"; readonly entry: UniqueEntry }
  | { readonly kind: "index"; readonly entry: IndexEntry };

export interface CanonicalTable {
  readonly entry: TableEntry;
  readonly key: string;
  readonly columns: ReadonlyMap<string, CanonicalColumn>;
  readonly primaryKey: string;
  readonly indexes: readonly Keyed<IndexEntry>[];
  readonly uniques: readonly Keyed<UniqueSource>[];
  readonly foreignKeys: readonly Keyed<ForeignKeyEntry>[];
  readonly checks: readonly Keyed<CheckEntry>[];
}

export function canonicalTable(table: TableEntry, n: Normalizer): CanonicalTable {
  const columns = new Map<string, CanonicalColumn>();
  for (const column of table.columns) {
    const type = n.type(column.type, table.origin);
    columns.set(n.columnKey(column.name), {
      entry: column,
      key: n.columnKey(column.name),
      type,
      nullable: column.nullable,
      default: column.autoIncrement ? null : n.defaultValue(column.default, table.origin, column.type, type),
      autoIncrement: column.autoIncrement,
    });
  }
  const cols = (list: readonly string[]): string => list.map((name) => n.columnKey(name)).join(",");
  const indexes: Keyed<IndexEntry>[] = [];
  const uniques: Keyed<UniqueSource>[] = table.uniques.map((entry) => ({
    entry: { kind: "unique", entry },
    signature: cols(entry.columns),
    nameKey: n.columnKey(entry.name),
  }));
  for (const index of table.indexes) {
    const nameKey = n.columnKey(index.name);
    if (index.unique && index.where === undefined && n.uniqueIndexIsConstraint) {
      uniques.push({ entry: { kind: "index", entry: index }, signature: cols(index.columns), nameKey });
      continue;
    }
    const where = index.where === undefined ? "" : n.expression(index.where);
    indexes.push({ entry: index, signature: `${cols(index.columns)}|${index.unique ? "unique" : ""}|${where}`, nameKey });
  }
  const foreignKeys = table.foreignKeys.map((fk) => ({
    entry: fk,
    signature: [
      cols(fk.columns),
      n.tableKey(fk.refTable),
      cols(fk.refColumns),
      n.foreignKeyAction(fk.onDelete),
      n.foreignKeyAction(fk.onUpdate),
    ].join("|"),
    nameKey: n.columnKey(fk.name),
  }));
  const checks = table.checks
    .map((check) => ({ entry: check, signature: n.expression(check.expression), nameKey: n.columnKey(check.name) }))
    .filter((check) => !n.implicitCheck(check.signature));
  // A unique constraint on the primary key's columns says nothing more: PostgreSQL does not even create one in
  // CREATE TABLE, and MySQL reports a unique index there as one. Left out on both sides.
  const primaryKey = cols(table.primaryKey);
  const meaningful = uniques.filter((unique) => unique.signature !== primaryKey);
  return { entry: table, key: n.tableKey(table.name), columns, primaryKey, indexes, uniques: meaningful, foreignKeys, checks };
}

export interface Matching<E> {
  readonly added: readonly Keyed<E>[];
  readonly removed: readonly Keyed<E>[];
  readonly kept: readonly (readonly [declared: Keyed<E>, live: Keyed<E>])[];
}

/** Pairs declared and live items with one signature (and the declared name, when one is given). */
export function match<E>(declared: readonly Keyed<E>[], live: readonly Keyed<E>[]): Matching<E> {
  const open = [...live];
  const added: Keyed<E>[] = [];
  const kept: (readonly [Keyed<E>, Keyed<E>])[] = [];
  // Named declarations first, so that an unnamed one cannot take the live item a named one means.
  const ordered = [...declared].sort((a, b) => Number(b.nameKey !== "") - Number(a.nameKey !== ""));
  for (const item of ordered) {
    const at = open.findIndex(
      (candidate) => candidate.signature === item.signature && (item.nameKey === "" || candidate.nameKey === item.nameKey),
    );
    if (at === -1) added.push(item);
    else kept.push([item, open.splice(at, 1)[0]!]);
  }
  return { added: declared.filter((item) => added.includes(item)), removed: open, kept };
}
