/**
 * MySQL needs an index whose leading columns are a foreign key's columns
 * for as long as the key exists: it makes one itself (named after the key)
 * when none is there, drops that one silently when a user index takes its
 * place, and refuses to drop the last index a key uses. So a drop of an
 * index (or unique) that a remaining key may be using is wrapped in the
 * key's drop and re-creation: MySQL then makes its own index for the key
 * again, exactly as if the user index had never existed. Other dialects
 * need nothing.
 */
import type { Op } from "../ops/op.js";
import type { CanonicalTable } from "./canonical.js";
import { dropConstraintOp, foreignKeyDef, indexCovers } from "./entry-ops.js";
import type { Normalizer } from "./normalizer.js";
import type { TableEntry } from "./schema-spec.js";

/**
 * Wraps the drop of an index on `dropped` (its columns) of live table `l`, which the comparison changes into `d`.
 * `created`: the index is one this comparison creates (the drop is its downgrade), so MySQL's own index for the
 * key was dropped when it came and cannot be counted on.
 */
export function keepForeignKeysIndexed(
  drop: Op,
  dropped: readonly string[],
  d: CanonicalTable,
  l: CanonicalTable,
  n: Normalizer,
  created: boolean,
): Op[] {
  if (n.dialect !== "mysql") return [drop];
  const key = (columns: readonly string[]): string => columns.map((column) => n.columnKey(column)).join(",");
  const kept = l.foreignKeys.filter((fk) => d.foreignKeys.some((other) => other.signature === fk.signature));
  // What covers a key whatever else this comparison does: the primary key, and indexes and uniques on both sides.
  const stable: TableEntry = {
    ...l.entry,
    indexes: l.entry.indexes.filter(
      (index) =>
        d.indexes.some((other) => key(other.entry.columns) === key(index.columns) && other.entry.unique === index.unique) ||
        (!created && kept.some((fk) => fk.entry.name === index.name)),
    ),
    uniques: l.entry.uniques.filter((unique) =>
      d.uniques.some((other) => key(other.entry.entry.columns) === key(unique.columns)),
    ),
  };
  const using = kept.filter(
    (fk) =>
      fk.entry.columns.every((column, i) => dropped[i] !== undefined && n.columnKey(dropped[i]!) === n.columnKey(column)) &&
      !indexCovers(stable, fk.entry.columns, n),
  );
  const table = l.entry.name;
  return [
    ...using.map((fk) => dropConstraintOp(table, fk.entry.name, "foreignKey")),
    drop,
    ...using.map((fk): Op => ({ kind: "addForeignKey", table, ...foreignKeyDef(table, fk.entry), name: fk.entry.name })),
  ];
}
