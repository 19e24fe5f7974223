/**
 * The declared schema against the live one: which tables to create, drop,
 * rename or change, which views to create or drop, as Changes in an order
 * every dialect accepts. Pure: no database, no files.
 *
 * New tables are created parents first; a foreign key between new tables
 * that would need a table not created yet (a cycle) is added after all of
 * them. Dropped tables go children first, with foreign keys inside a cycle
 * of dropped tables dropped before them.
 */
import type { SchemaSpec, TableEntry } from "./schema-spec.js";
import { STAGE, sortChanges, type Change, type Comparison, type Warning } from "./change.js";
import { compareTable } from "./compare-table.js";
import { createIndexOp, createTableOps, dropConstraintOp, foreignKeyDef, foreignKeyName } from "./entry-ops.js";
import type { Normalizer } from "./normalizer.js";
import { applyRenames } from "./renames.js";

export interface CompareOptions {
  /** Rolling repositories: a hinted column rename becomes a new column, a copy and the old column's drop. */
  readonly copyRenamedColumns?: boolean;
}

export function compareSchemas(declared: SchemaSpec, live: SchemaSpec, n: Normalizer, options: CompareOptions = {}): Comparison {
  const renamed = applyRenames(declared, live, n, options.copyRenamedColumns === true);
  const changes: Change[] = [...renamed.changes];
  const warnings: Warning[] = [];
  const liveTables = new Map(renamed.live.tables.map((table) => [n.tableKey(table.name), table]));
  const declaredKeys = new Set(declared.tables.map((table) => n.tableKey(table.name)));
  const renamedColumns = new Map<string, Set<string>>();
  for (const change of renamed.changes) {
    if (change.rename === undefined) continue;
    const key = n.tableKey(change.rename.table);
    renamedColumns.set(key, new Set([...(renamedColumns.get(key) ?? []), n.columnKey(change.rename.to)]));
  }

  const created: TableEntry[] = [];
  for (const table of declared.tables) {
    const current = liveTables.get(n.tableKey(table.name));
    if (current === undefined) {
      created.push(table);
      continue;
    }
    const copies = renamed.copies.filter((copy) => n.tableKey(copy.table) === n.tableKey(current.name));
    const result = compareTable(table, current, n, renamedColumns.get(n.tableKey(table.name)) ?? new Set(), copies);
    changes.push(...result.changes);
    warnings.push(...result.warnings);
  }
  changes.push(...createTables(created, n));
  const dropped = renamed.live.tables.filter((table) => !declaredKeys.has(n.tableKey(table.name)));
  changes.push(...dropTables(dropped, n));
  changes.push(...compareViews(declared, renamed.live, n, touchedTables(changes, n)));
  return { changes: sortChanges(changes), warnings };
}

/** Tables in an order where each one's foreign keys point at tables already there, plus the keys that cannot. */
function createTables(tables: readonly TableEntry[], n: Normalizer): Change[] {
  const key = (name: string): string => n.tableKey(name);
  const pending = new Set(tables.map((table) => key(table.name)));
  // Parents each table still waits for, and the tables waiting for each parent: a thousand tables stay linear.
  const waitsFor = new Map(
    tables.map((table) => [
      table,
      new Set(table.foreignKeys.map((fk) => key(fk.refTable)).filter((ref) => ref !== key(table.name) && pending.has(ref))),
    ]),
  );
  const waiting = new Map<string, TableEntry[]>();
  for (const [table, parents] of waitsFor)
    for (const parent of parents) waiting.set(parent, [...(waiting.get(parent) ?? []), table]);
  const remaining = [...tables];
  const changes: Change[] = [];
  while (remaining.length > 0) {
    let at = remaining.findIndex((table) => waitsFor.get(table)!.size === 0);
    // A cycle: create the first table without the keys that point forward, and add them afterwards.
    const cycle = at === -1;
    if (cycle) at = 0;
    const table = remaining.splice(at, 1)[0]!;
    const deferred = cycle ? table.foreignKeys.filter((fk) => waitsFor.get(table)!.has(key(fk.refTable))) : [];
    pending.delete(key(table.name));
    for (const child of waiting.get(key(table.name)) ?? []) waitsFor.get(child)!.delete(key(table.name));
    changes.push({
      stage: STAGE.createTable,
      up: createTableOps(
        table,
        n,
        table.foreignKeys.filter((fk) => !deferred.includes(fk)),
      ),
      down: [{ kind: "dropTable", table: table.name }],
      onNewColumns: true,
    });
    for (const fk of deferred) {
      const def = foreignKeyDef(table.name, fk);
      changes.push({
        stage: STAGE.addForeignKey,
        up: [{ kind: "addForeignKey", table: table.name, ...def, name: def.name! }],
        down: [dropConstraintOp(table.name, def.name!, "foreignKey")],
        onNewColumns: true,
      });
    }
  }
  return changes;
}

/** Children before parents; keys inside a cycle of dropped tables are dropped first. */
function dropTables(tables: readonly TableEntry[], n: Normalizer): Change[] {
  const key = (name: string): string => n.tableKey(name);
  const current = new Map(tables.map((table) => [key(table.name), table]));
  // Which still-present tables point at each table (self-references do not hold a drop back).
  const referencedBy = new Map<string, Set<string>>(tables.map((table) => [key(table.name), new Set()]));
  for (const table of tables) {
    for (const fk of table.foreignKeys) {
      if (key(fk.refTable) !== key(table.name)) referencedBy.get(key(fk.refTable))?.add(key(table.name));
    }
  }
  const remaining = tables.map((table) => key(table.name));
  const changes: Change[] = [];
  while (remaining.length > 0) {
    let at = remaining.findIndex((name) => referencedBy.get(name)!.size === 0);
    if (at === -1) {
      // A cycle: drop the foreign keys that point at the first table, then it is free to go.
      at = 0;
      const target = remaining[0]!;
      for (const childKey of [...referencedBy.get(target)!]) {
        const child = current.get(childKey)!;
        const cyclic = child.foreignKeys.filter((fk) => key(fk.refTable) === target);
        for (const fk of cyclic) {
          const def = foreignKeyDef(child.name, fk);
          changes.push({
            stage: STAGE.dropForeignKey,
            up: [dropConstraintOp(child.name, fk.name, "foreignKey")],
            down: [{ kind: "addForeignKey", table: child.name, ...def, name: foreignKeyName(child.name, fk) }],
          });
        }
        current.set(childKey, { ...child, foreignKeys: child.foreignKeys.filter((fk) => !cyclic.includes(fk)) });
        referencedBy.get(target)!.delete(childKey);
      }
    }
    const table = current.get(remaining.splice(at, 1)[0]!)!;
    for (const fk of table.foreignKeys) referencedBy.get(key(fk.refTable))?.delete(key(table.name));
    changes.push({
      stage: STAGE.dropTable,
      up: [{ kind: "dropTable", table: table.name }],
      down: [
        ...createTableOps(table, n).slice(0, 1),
        ...table.indexes.filter((index) => !autoIndex(index.name, table, n)).map((index) => createIndexOp(table.name, index)),
      ],
      destroys: `table ${table.name} and all its rows (columns ${table.columns.map((column) => column.name).join(", ")})`,
    });
  }
  return changes;
}

/** MySQL's own index behind a foreign key comes back with the key; creating it again would collide. */
function autoIndex(name: string, table: TableEntry, n: Normalizer): boolean {
  return n.dialect === "mysql" && table.foreignKeys.some((fk) => fk.name === name);
}

/** Tables the changes alter, drop or rename (by every name they have in the comparison). */
function touchedTables(changes: readonly Change[], n: Normalizer): Set<string> {
  const touched = new Set<string>();
  for (const op of changes.flatMap((change) => change.up)) {
    if (op.kind === "createTable" || !("table" in op)) continue;
    touched.add(n.tableKey(op.table));
    if (op.kind === "renameTable") touched.add(n.tableKey(op.to));
  }
  return touched;
}

/**
 * A view that reads a table this comparison changes is dropped first and
 * created again last, though its text is unchanged: PostgreSQL refuses to
 * change a column's type under a view, SQLite's table rebuild and MySQL's
 * renames leave a view pointing at what is gone.
 */
function readsTouched(sql: string, touched: ReadonlySet<string>, n: Normalizer): string | undefined {
  const words = sql.match(/[A-Za-z_][A-Za-z0-9_$]*/g) ?? [];
  return words.find((word) => touched.has(n.tableKey(word)) || touched.has(n.tableKey(word.toLowerCase())));
}

function compareViews(declared: SchemaSpec, live: SchemaSpec, n: Normalizer, touched: ReadonlySet<string>): Change[] {
  const changes: Change[] = [];
  const liveViews = new Map(live.views.map((view) => [n.tableKey(view.name), view]));
  const declaredViews = new Set(declared.views.map((view) => n.tableKey(view.name)));
  for (const view of declared.views) {
    const current = liveViews.get(n.tableKey(view.name));
    const reads = current === undefined ? undefined : readsTouched(view.sql, touched, n);
    if (current !== undefined && n.view(current.sql) === n.view(view.sql) && reads === undefined) continue;
    if (current !== undefined) {
      changes.push({
        stage: STAGE.dropView,
        up: [{ kind: "dropView", name: current.name }],
        down: [{ kind: "createView", name: current.name, sql: current.sql }],
        viewReplaced: true,
      });
    }
    changes.push({
      stage: STAGE.createView,
      up: [{ kind: "createView", name: view.name, sql: view.sql }],
      down: [{ kind: "dropView", name: view.name }],
      ...(current === undefined ? {} : { replacesView: true }),
      ...(reads === undefined
        ? {}
        : { notes: [`view ${view.name} is created again: it reads ${reads}, which this revision changes`] }),
    });
  }
  for (const view of live.views) {
    if (declaredViews.has(n.tableKey(view.name))) continue;
    changes.push({
      stage: STAGE.dropView,
      up: [{ kind: "dropView", name: view.name }],
      down: [{ kind: "createView", name: view.name, sql: view.sql }],
    });
  }
  return changes;
}
