/**
 * One table that exists on both sides (after renames): its columns, primary
 * key, indexes, uniques, foreign keys and checks. Column order is not
 * compared. A changed index or constraint is dropped and created again.
 */
import type { AlterColumn, Op } from "../ops/op.js";
import { canonicalTable, match, type CanonicalColumn, type CanonicalTable, type Keyed, type UniqueSource } from "./canonical.js";
import { STAGE, type Change, type ColumnRename, type Warning } from "./change.js";
import {
  checkName,
  columnDef,
  columnType,
  createIndexOp,
  defaultChange,
  dropConstraintOp,
  foreignKeyDef,
  foreignKeyName,
  indexCovers,
  indexName,
  uniqueName,
} from "./entry-ops.js";
import { keepForeignKeysIndexed } from "./mysql-fk-index.js";
import { renameCompatible, typeChangeLoses, type Normalizer } from "./normalizer.js";
import type { ForeignKeyEntry, IndexEntry, TableEntry } from "./schema-spec.js";

export interface TableComparison {
  readonly changes: Change[];
  readonly warnings: Warning[];
}

export function compareTable(
  declared: TableEntry,
  live: TableEntry,
  n: Normalizer,
  renamedColumns: ReadonlySet<string>,
  copies: readonly ColumnRename[] = [],
): TableComparison {
  const d = canonicalTable(declared, n);
  const l = canonicalTable(live, n);
  const out: TableComparison = { changes: [], warnings: [] };
  const name = live.name;
  const added = [...d.columns.values()].filter((column) => !l.columns.has(column.key));
  const removed = [...l.columns.values()].filter((column) => !d.columns.has(column.key));
  // Columns this comparison adds (or renames into being): constraints only on them can come early in a rolling upgrade.
  const fresh = new Set([...added.map((column) => column.key), ...renamedColumns]);
  const onFresh = (columns: readonly string[]): boolean => columns.every((column) => fresh.has(n.columnKey(column)));

  const copyTo = new Map(copies.map((copy) => [n.columnKey(copy.to), copy]));
  const copyFrom = new Map(copies.map((copy) => [n.columnKey(copy.from), copy]));
  const hints = renameHints(
    name,
    added.filter((c) => !copyTo.has(c.key)),
    removed.filter((c) => !copyFrom.has(c.key)),
    n,
  );
  out.warnings.push(...hints.warnings);
  for (const column of added) {
    const def = columnDef(column.entry, declared.origin, n);
    const notes = hints.notes.get(column.key);
    const copy = copyTo.get(column.key);
    out.changes.push({
      stage: STAGE.addColumn,
      up: [{ kind: "addColumn", table: name, column: def }],
      down: [{ kind: "dropColumn", table: name, column: column.entry.name }],
      ...(notes === undefined ? {} : { notes }),
      ...(copy === undefined ? {} : { rename: copy }),
    });
    if (!column.nullable && column.default === null && !column.autoIncrement && copy === undefined) {
      out.warnings.push({
        message: `Column ${name}.${column.entry.name} is added NOT NULL without a default: the ALTER fails if table ${name} has rows on PostgreSQL and SQLite (MySQL fills in an implicit zero value); give it a default, or add it nullable, fill it, then set NOT NULL.`,
        drift: false,
      });
    }
  }
  for (const column of removed) {
    const notes = hints.notes.get(column.key);
    const copy = copyFrom.get(column.key);
    out.changes.push({
      stage: STAGE.dropColumn,
      up: [{ kind: "dropColumn", table: name, column: column.entry.name }],
      down:
        copy === undefined
          ? [{ kind: "addColumn", table: name, column: columnDef(column.entry, live.origin, n) }]
          : copyBack(name, column, copy, live, n),
      ...(copy === undefined
        ? { destroys: `the data in column ${name}.${column.entry.name} (${column.entry.type})` }
        : { rename: copy, notes: [`the rename of ${name}.${copy.from} to ${copy.to}: its data was copied in migrate`] }),
      ...(notes === undefined ? {} : { notes }),
    });
  }
  for (const [key, want] of d.columns) {
    const have = l.columns.get(key);
    if (have !== undefined) alterColumn(out, name, declared, live, want, have, n);
  }

  if (d.primaryKey !== l.primaryKey) {
    out.warnings.push({
      message: `The primary key of table ${name} is (${live.primaryKey.join(", ")}) in the database but (${declared.primaryKey.join(", ")}) in the schema; tidemark writes no op for a primary key change (write it by hand, e.g. with op.execute).`,
      drift: true,
    });
  }
  compareIndexes(out, name, d, l, n, onFresh);
  compareUniques(out, name, d, l, n, onFresh);
  compareForeignKeys(out, name, declared, d, l, n, onFresh);
  compareChecks(out, name, d, l, n, onFresh);
  return out;
}

function alterColumn(
  out: TableComparison,
  table: string,
  declared: TableEntry,
  live: TableEntry,
  want: CanonicalColumn,
  have: CanonicalColumn,
  n: Normalizer,
): void {
  const column = have.entry.name;
  if (want.autoIncrement !== have.autoIncrement) {
    out.warnings.push({
      message: `Column ${table}.${column} is ${have.autoIncrement ? "" : "not "}auto-incrementing in the database but ${want.autoIncrement ? "is" : "is not"} in the schema; tidemark writes no op for that change (write it by hand).`,
      drift: true,
    });
  }
  const up: { -readonly [K in keyof AlterColumn]?: AlterColumn[K] } = { kind: "alterColumn", table, column };
  const down: { -readonly [K in keyof AlterColumn]?: AlterColumn[K] } = { kind: "alterColumn", table, column };
  let destroys: string | undefined;
  if (want.type !== have.type) {
    up.type = columnType(want.entry, declared.origin, n);
    down.type = columnType(have.entry, live.origin, n);
    if (n.dialect === "postgres" && n.shape(want.type).family !== n.shape(have.type).family) {
      // Without USING, PostgreSQL refuses a change it has no assignment cast for (text → integer).
      up.using = `"${column.replace(/"/g, '""')}"::${n.type(up.type, declared.origin)}`;
      down.using = `"${column.replace(/"/g, '""')}"::${have.type}`;
    }
    if (typeChangeLoses(n, have.type, want.type)) {
      destroys = `values of ${table}.${column} that ${want.entry.type} cannot hold (it was ${have.entry.type}): the change fails or cuts them`;
    }
  }
  if (want.nullable !== have.nullable) {
    up.nullable = want.nullable;
    down.nullable = have.nullable;
  }
  if (want.default !== have.default && !want.autoIncrement) {
    up.default = defaultChange(want.entry.default);
    down.default = defaultChange(have.entry.default);
  }
  if (Object.keys(up).length === 3) return;
  out.changes.push({
    stage: STAGE.alterColumn,
    up: [up as AlterColumn],
    down: [down as AlterColumn],
    ...(destroys === undefined ? {} : { destroys }),
  });
}

/** The downgrade of a copied rename: the old column again, filled from the new one. */
function copyBack(table: string, column: CanonicalColumn, copy: ColumnRename, live: TableEntry, n: Normalizer): Op[] {
  const def = columnDef(column.entry, live.origin, n);
  const tightens = def.nullable === false && def.default === undefined && def.autoIncrement !== true;
  const q = (name: string): string =>
    n.dialect === "mysql" ? `\`${name.replace(/`/g, "``")}\`` : `"${name.replace(/"/g, '""')}"`;
  const ops: Op[] = [
    { kind: "addColumn", table, column: tightens ? { ...def, nullable: true } : def },
    { kind: "execute", sql: `UPDATE ${q(table)} SET ${q(copy.from)} = ${q(copy.to)}` },
  ];
  if (tightens) ops.push({ kind: "alterColumn", table, column: copy.from, nullable: false });
  return ops;
}

interface Hints {
  readonly warnings: Warning[];
  readonly notes: Map<string, string[]>;
}

/** A dropped and an added column of one family in one table: probably a rename nobody declared. */
function renameHints(
  table: string,
  added: readonly CanonicalColumn[],
  removed: readonly CanonicalColumn[],
  n: Normalizer,
): Hints {
  const hints: Hints = { warnings: [], notes: new Map() };
  const open = [...removed];
  for (const column of added) {
    const at = open.findIndex((old) => renameCompatible(n, old.type, column.type));
    if (at === -1) continue;
    const old = open.splice(at, 1)[0]!;
    const text = `looks like a rename of ${table}.${old.entry.name} to ${table}.${column.entry.name}: add \`renamedFrom: "${old.entry.name}"\` to column ${column.entry.name} in the schema (written as drop + add, which loses the data of ${old.entry.name})`;
    hints.warnings.push({ message: text, drift: false });
    hints.notes.set(column.key, [text]);
    hints.notes.set(old.key, [text]);
  }
  return hints;
}

function compareIndexes(
  out: TableComparison,
  table: string,
  d: CanonicalTable,
  l: CanonicalTable,
  n: Normalizer,
  onFresh: (c: readonly string[]) => boolean,
): void {
  const m = match(d.indexes, l.indexes);
  for (const index of m.added) {
    out.changes.push({
      stage: STAGE.addIndex,
      up: [createIndexOp(table, index.entry)],
      down: keepForeignKeysIndexed(
        { kind: "dropIndex", table, name: indexName(table, index.entry) },
        index.entry.columns,
        d,
        l,
        n,
        true,
      ),
      onNewColumns: onFresh(index.entry.columns),
    });
  }
  for (const index of m.removed) {
    const backing = n.dialect === "mysql" ? foreignKeyBehind(index.entry, l) : undefined;
    if (backing !== undefined) {
      // MySQL made this index for a foreign key; it goes when that key goes, and comes back with it.
      const keyStays = d.foreignKeys.some((fk) => fk.signature === backing.signature);
      if (!keyStays)
        out.changes.push({ stage: STAGE.dropIndex, up: [{ kind: "dropIndex", table, name: index.entry.name }], down: [] });
      continue;
    }
    out.changes.push({
      stage: STAGE.dropIndex,
      up: keepForeignKeysIndexed({ kind: "dropIndex", table, name: index.entry.name }, index.entry.columns, d, l, n, false),
      down: [createIndexOp(table, index.entry)],
    });
  }
}

function foreignKeyBehind(index: IndexEntry, live: CanonicalTable): Keyed<ForeignKeyEntry> | undefined {
  return live.foreignKeys.find(
    (fk) =>
      fk.entry.name === index.name &&
      fk.entry.columns.join("\u0000").toLowerCase() === index.columns.join("\u0000").toLowerCase(),
  );
}

function compareUniques(
  out: TableComparison,
  table: string,
  d: CanonicalTable,
  l: CanonicalTable,
  n: Normalizer,
  onFresh: (c: readonly string[]) => boolean,
): void {
  const m = match(d.uniques, l.uniques);
  for (const unique of m.added) {
    const { up, down } = addUnique(table, unique.entry);
    const columns = unique.entry.entry.columns;
    out.changes.push({
      stage: STAGE.addIndex,
      up: [up],
      down: keepForeignKeysIndexed(down, columns, d, l, n, true),
      onNewColumns: onFresh(columns),
    });
  }
  for (const unique of m.removed) {
    const { up, down } = addUnique(table, unique.entry);
    if (unnamed(out, table, "unique constraint", unique.entry.entry.name, unique.entry.entry.columns)) continue;
    out.changes.push({
      stage: STAGE.dropIndex,
      up: keepForeignKeysIndexed(down, unique.entry.entry.columns, d, l, n, false),
      down: [up],
    });
  }
}

function addUnique(table: string, source: UniqueSource): { up: Op; down: Op } {
  if (source.kind === "index") {
    const name = indexName(table, source.entry);
    return { up: createIndexOp(table, source.entry), down: { kind: "dropIndex", table, name } };
  }
  const name = uniqueName(table, source.entry);
  return { up: { kind: "addUnique", table, name, columns: source.entry.columns }, down: dropConstraintOp(table, name, "unique") };
}

function compareForeignKeys(
  out: TableComparison,
  table: string,
  declared: TableEntry,
  d: CanonicalTable,
  l: CanonicalTable,
  n: Normalizer,
  onFresh: (c: readonly string[]) => boolean,
): void {
  const m = match(d.foreignKeys, l.foreignKeys);
  for (const fk of m.added) {
    const def = foreignKeyDef(table, fk.entry);
    const down: Op[] = [dropConstraintOp(table, def.name!, "foreignKey")];
    if (n.dialect === "mysql" && !indexCovers(declared, fk.entry.columns, n))
      down.push({ kind: "dropIndex", table, name: def.name! });
    out.changes.push({
      stage: STAGE.addForeignKey,
      up: [{ kind: "addForeignKey", table, ...def, name: def.name! }],
      down,
      onNewColumns: onFresh(fk.entry.columns),
    });
  }
  for (const fk of m.removed) {
    if (unnamed(out, table, "foreign key", fk.entry.name, fk.entry.columns)) continue;
    const def = foreignKeyDef(table, fk.entry);
    out.changes.push({
      stage: STAGE.dropForeignKey,
      up: [dropConstraintOp(table, fk.entry.name, "foreignKey")],
      down: [{ kind: "addForeignKey", table, ...def, name: foreignKeyName(table, fk.entry) }],
    });
  }
}

function compareChecks(
  out: TableComparison,
  table: string,
  d: CanonicalTable,
  l: CanonicalTable,
  n: Normalizer,
  onFresh: (c: readonly string[]) => boolean,
): void {
  const m = match(d.checks, l.checks);
  const declaredColumns = [...d.columns.values()].map((column) => column.entry.name);
  for (const check of m.added) {
    const name = checkName(table, check.entry, n);
    const mentioned = declaredColumns.filter((column) =>
      new RegExp(`\\b${column.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\b`, "i").test(check.entry.expression),
    );
    out.changes.push({
      stage: STAGE.addIndex,
      up: [{ kind: "addCheck", table, name, expression: check.entry.expression }],
      down: [dropConstraintOp(table, name, "check")],
      onNewColumns: mentioned.length > 0 && onFresh(mentioned),
    });
  }
  for (const check of m.removed) {
    if (unnamed(out, table, "check", check.entry.name, [check.entry.expression])) continue;
    out.changes.push({
      stage: STAGE.dropIndex,
      up: [dropConstraintOp(table, check.entry.name, "check")],
      down: [{ kind: "addCheck", table, name: check.entry.name, expression: check.entry.expression }],
    });
  }
}

/** SQLite keeps no name for a constraint declared without one, and ops drop constraints by name. */
function unnamed(out: TableComparison, table: string, what: string, name: string, parts: readonly string[]): boolean {
  if (name !== "") return false;
  out.warnings.push({
    message: `Table ${table} has an unnamed ${what} (${parts.join(", ")}) that the schema no longer declares; an op can only drop a named one: rebuild the table by hand (create a copy without it, copy the rows, swap).`,
    drift: true,
  });
  return true;
}
