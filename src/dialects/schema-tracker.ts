/**
 * Offline mode has no database to introspect, yet SQLite's table rebuild and
 * MySQL's MODIFY COLUMN need a table's current shape. The tracker starts
 * empty and applies every op a step ran to an in-memory model, so that
 * `table(name)` is the TableModel the introspector would have reported had
 * the script so far run against a real database (SQLite's spelling: types
 * lower-cased as mapped, defaults as SQL text without one outer pair of
 * parentheses, constraints declared without a name named "").
 *
 * Raw SQL is matched as text in schema-tracker-raw-sql.ts (mostly it makes
 * tables unknown); the spelling helpers are in schema-tracker-models.ts.
 */
import type { Dialect } from "./dialect.js";
import type { ColumnModel, TableModel } from "./schema-model.js";
import { isParenthesized, renderDefault } from "./common/defaults.js";
import { byName } from "./introspect-support.js";
import { columnIsConstrained, findColumn, sameName, withoutColumn, withoutConstraint } from "./sqlite/sqlite-table-edits.js";
import { assertNever, type ColumnDef, type CreateTable, type Op } from "../ops/op.js";
import { columnReference, foreignKey, key, lowerOutsideQuotes, renameIdentifier, reported } from "./schema-tracker-models.js";
import { applyRawSql } from "./schema-tracker-raw-sql.js";

export type TrackerDialect = Pick<Dialect, "name" | "caps" | "compiler">;

export class SchemaTracker {
  /** Keyed by lower-cased name: a script may spell a table's name in any case SQLite accepts. */
  private readonly models = new Map<string, TableModel>();
  /**
   * How many of a table's foreign keys are written inside column definitions
   * (they come first in SQLite's CREATE text, and so in what it reports).
   * Foreign keys are stored in text order and reported by name, as the
   * introspector does, so that a rebuild from this model writes the table
   * exactly as the online rebuild from the introspected one does.
   */
  private readonly inline = new Map<string, number>();
  /** Tables raw SQL created or changed, with why they are unknown. */
  private readonly opaque = new Map<string, string>();
  private readonly history: Op[] = [];
  /**
   * Ops seen but not applied yet: most offline scripts never need a table's
   * shape, so ops are applied (raw SQL matched, models copied) only when asked.
   */
  private pending: Op[] = [];

  constructor(private readonly dialect: TrackerDialect) {}

  private catchUp(): void {
    if (this.pending.length === 0) return;
    const pending = this.pending;
    this.pending = [];
    for (const op of pending) this.applyNow(op);
  }

  /** The table's current shape, or undefined when the ops seen so far do not tell it. */
  table(name: string): TableModel | undefined {
    this.catchUp();
    const table = this.models.get(key(name));
    return table === undefined ? undefined : reported(table);
  }

  /** Every known table, by name. */
  tables(): TableModel[] {
    this.catchUp();
    return byName([...this.models.values()].map(reported));
  }

  /** Why `table(name)` is undefined, as a sentence for an error message. */
  explainUnknown(name: string): string {
    this.catchUp();
    return (
      this.opaque.get(key(name)) ??
      `no operation rendered so far (from base through the revisions of the range) creates table ${name} with op.createTable`
    );
  }

  /** Replays `earlier` ops before the ones applied so far (the revisions below a range's START, learnt late). */
  prepend(earlier: readonly Op[]): void {
    const later = this.history.splice(0);
    this.pending = [];
    this.models.clear();
    this.inline.clear();
    this.opaque.clear();
    for (const op of [...earlier, ...later]) this.apply(op);
  }

  /**
   * Starts from tables read from a live database (autogenerate renders SQL
   * against the introspected schema; a dry run plans from where the database
   * is), then replays the ops seen so far on top of them.
   */
  seed(tables: readonly TableModel[]): void {
    const later = this.history.splice(0);
    this.pending = [];
    this.models.clear();
    this.inline.clear();
    this.opaque.clear();
    for (const table of tables) {
      this.set(table);
      // As the introspector reports them: no foreign key written inside a column definition.
      this.inline.set(key(table.name), 0);
    }
    for (const op of later) this.apply(op);
  }

  /** Records an op a step ran; its effect on the models is worked out when a model is asked for. */
  apply(op: Op): void {
    this.history.push(op);
    this.pending.push(op);
  }

  private applyNow(op: Op): void {
    const rebuilt = this.rebuilds(op);
    if (rebuilt) {
      // The rebuild writes every constraint at table level, in the order the (reported) model lists them.
      this.inline.set(key(op.table), 0);
      this.set(this.table(op.table)!);
    }
    switch (op.kind) {
      case "createTable":
        return this.create(op);
      case "dropTable":
        return this.drop(op.table);
      case "renameTable":
        return this.renameTable(op.table, op.to);
      case "addColumn":
        return this.addColumn(op.table, op.column, rebuilt);
      case "dropColumn":
        return this.edit(op.table, (table) => withoutColumn(table, op.column));
      case "alterColumn":
        return this.edit(op.table, (table) => {
          const old = findColumn(table, op.column);
          if (old === undefined) return table;
          const type = op.type === undefined ? old.type : this.typeOf(op.type);
          const altered: ColumnModel = {
            ...old,
            type,
            nullable: op.nullable ?? old.nullable,
            default: op.default === undefined ? old.default : this.defaultOf(op.default, type),
          };
          return { ...table, columns: table.columns.map((column) => (column === old ? altered : column)) };
        });
      case "renameColumn":
        return this.renameColumn(op.table, op.column, op.to);
      case "setNotNull":
        return this.edit(op.table, (table) => ({
          ...table,
          columns: table.columns.map((column) => (sameName(column.name, op.column) ? { ...column, nullable: false } : column)),
        }));
      case "swapColumn":
        this.edit(op.table, (table) => withoutColumn(table, op.column));
        return this.renameColumn(op.table, op.replacement, op.column);
      case "createIndex":
        return this.edit(op.table, (table) => {
          if (table.indexes.some((index) => sameName(index.name, op.name))) return table;
          const index = { name: op.name, columns: op.columns, unique: op.unique === true };
          return { ...table, indexes: [...table.indexes, op.where === undefined ? index : { ...index, where: op.where }] };
        });
      case "dropIndex":
        return this.dropIndex(op.name);
      case "addForeignKey":
        return this.edit(op.table, (table) => ({ ...table, foreignKeys: [...table.foreignKeys, foreignKey(op.name, op)] }));
      case "addUnique":
        return this.edit(op.table, (table) => ({
          ...table,
          uniques: [...table.uniques, { name: op.name, columns: op.columns }],
        }));
      case "addCheck":
        return this.edit(op.table, (table) => ({
          ...table,
          checks: [...table.checks, { name: op.name, expression: op.expression }],
        }));
      case "dropConstraint":
        return this.edit(op.table, (table) => {
          const removal = withoutConstraint(table, op.name, op.type);
          if (removal.kind === "rebuild") return removal.table;
          if (removal.kind === "dropIndex") return { ...table, indexes: table.indexes.filter((i) => i.name !== removal.name) };
          return table;
        });
      case "execute":
        return this.rawSql(op.sql);
      case "createView":
      case "dropView":
      case "aliasTable":
      case "validateConstraint":
      case "bulkInsert":
      case "syncColumns":
      case "dropSync":
      case "forbidWrites":
      case "allowWrites":
        // No table shape changes (triggers are the rebuild guard's business, checked in the database).
        return;
      default:
        assertNever(op, "op kind");
    }
  }

  /** Does this op rebuild the table (on a dialect without ALTER COLUMN, i.e. SQLite)? */
  private rebuilds(op: Op): op is Op & { readonly table: string } {
    if (this.dialect.caps.alterColumn || !("table" in op) || !this.dialect.compiler.needsTableModel(op)) return false;
    const table = this.table(op.table);
    if (table === undefined) return false;
    if (op.kind === "dropColumn") return columnIsConstrained(table, op.column);
    if (op.kind === "dropConstraint") return withoutConstraint(table, op.name, op.type).kind === "rebuild";
    return true;
  }

  private set(table: TableModel): void {
    this.opaque.delete(key(table.name));
    this.models.set(key(table.name), table);
  }

  private edit(name: string, change: (table: TableModel) => TableModel): void {
    const table = this.models.get(key(name));
    if (table !== undefined) this.set(change(table));
  }

  private typeOf(type: string): string {
    return lowerOutsideQuotes(this.dialect.compiler.mapType(type));
  }

  /** The default as introspection reports it: SQL text, one outer pair of parentheses dropped. */
  private defaultOf(value: ColumnDef["default"], type: string): string | null {
    const sql = renderDefault(value, this.dialect.name, type);
    if (sql === undefined) return null;
    return isParenthesized(sql) ? sql.slice(1, -1) : sql;
  }

  private column(def: ColumnDef, inPrimaryKey: boolean): ColumnModel {
    const type = this.typeOf(def.type);
    return {
      name: def.name,
      type,
      nullable: inPrimaryKey || def.primaryKey === true ? false : (def.nullable ?? true),
      default: this.defaultOf(def.default, type),
      autoIncrement: def.autoIncrement === true,
    };
  }

  private create(op: CreateTable): void {
    if (op.ifNotExists === true && (this.table(op.table) !== undefined || this.opaque.has(key(op.table)))) return;
    const primaryKey = op.primaryKey ?? op.columns.filter((column) => column.primaryKey === true).map((column) => column.name);
    const references = op.columns.flatMap((def) => (def.references === undefined ? [] : [columnReference(def)]));
    this.inline.set(key(op.table), references.length);
    // Column-level constraints come first, as the compilers write them before the table-level ones.
    this.set({
      name: op.table,
      columns: op.columns.map((def) => this.column(def, primaryKey.includes(def.name))),
      primaryKey,
      indexes: [],
      uniques: [
        ...op.columns.filter((def) => def.unique === true).map((def) => ({ name: "", columns: [def.name] })),
        ...(op.uniques ?? []).map((unique) => ({ name: unique.name ?? "", columns: unique.columns })),
      ],
      foreignKeys: [...references, ...(op.foreignKeys ?? []).map((fk) => foreignKey(fk.name ?? "", fk))],
      checks: (op.checks ?? []).map((check) => ({ name: check.name ?? "", expression: check.expression })),
    });
  }

  private addColumn(name: string, def: ColumnDef, rebuilt: boolean): void {
    const stored = this.models.get(key(name));
    if (stored === undefined) return;
    const foreignKeys = [...stored.foreignKeys];
    if (def.references !== undefined && rebuilt) foreignKeys.push(columnReference(def));
    else if (def.references !== undefined) {
      // ALTER TABLE ADD COLUMN writes the column after the last one, before the table constraints.
      const at = this.inline.get(key(name)) ?? 0;
      foreignKeys.splice(at, 0, columnReference(def));
      this.inline.set(key(name), at + 1);
    }
    this.set({
      ...stored,
      columns: [...stored.columns, this.column(def, def.primaryKey === true)],
      primaryKey: def.primaryKey === true ? [def.name] : stored.primaryKey,
      uniques: def.unique === true ? [...stored.uniques, { name: "", columns: [def.name] }] : stored.uniques,
      foreignKeys,
    });
  }

  private drop(name: string): void {
    this.models.delete(key(name));
    this.inline.delete(key(name));
    this.opaque.delete(key(name));
  }

  /** Foreign keys elsewhere follow the table to its new name, as all three databases do. */
  private renameTable(from: string, to: string): void {
    const table = this.models.get(key(from));
    const inline = this.inline.get(key(from));
    const why = this.opaque.get(key(from));
    this.drop(from);
    for (const other of [...this.models.values()]) {
      if (!other.foreignKeys.some((fk) => sameName(fk.refTable, from))) continue;
      this.set({
        ...other,
        foreignKeys: other.foreignKeys.map((fk) => (sameName(fk.refTable, from) ? { ...fk, refTable: to } : fk)),
      });
    }
    if (table !== undefined) {
      this.set({ ...table, name: to });
      if (inline !== undefined) this.inline.set(key(to), inline);
    } else if (why !== undefined) this.opaque.set(key(to), why);
  }

  /** The column's new name everywhere it is used: keys, indexes, checks, and foreign keys that reference it. */
  private renameColumn(name: string, from: string, to: string): void {
    const table = this.models.get(key(name));
    if (table === undefined) return;
    const names = (list: readonly string[]) => list.map((entry) => (sameName(entry, from) ? to : entry));
    const sql = (text: string) => renameIdentifier(text, from, this.dialect.compiler.quoteIdentifier(to));
    this.set({
      ...table,
      columns: table.columns.map((column) => (sameName(column.name, from) ? { ...column, name: to } : column)),
      primaryKey: names(table.primaryKey),
      indexes: table.indexes.map((index) => {
        const renamed = { ...index, columns: names(index.columns) };
        return index.where === undefined ? renamed : { ...renamed, where: sql(index.where) };
      }),
      uniques: table.uniques.map((unique) => ({ ...unique, columns: names(unique.columns) })),
      foreignKeys: table.foreignKeys.map((fk) => ({ ...fk, columns: names(fk.columns) })),
      checks: table.checks.map((check) => ({ ...check, expression: sql(check.expression) })),
    });
    for (const other of [...this.models.values()]) {
      if (!other.foreignKeys.some((fk) => sameName(fk.refTable, name))) continue;
      this.set({
        ...other,
        foreignKeys: other.foreignKeys.map((fk) =>
          sameName(fk.refTable, name) ? { ...fk, refColumns: names(fk.refColumns) } : fk,
        ),
      });
    }
  }

  private dropIndex(name: string): void {
    for (const table of [...this.models.values()]) {
      if (table.indexes.some((index) => sameName(index.name, name))) {
        this.set({ ...table, indexes: table.indexes.filter((index) => !sameName(index.name, name)) });
      } else if (table.uniques.some((unique) => sameName(unique.name, name))) {
        // MySQL: a unique constraint is an index, and DROP INDEX removes it.
        this.set({ ...table, uniques: table.uniques.filter((unique) => !sameName(unique.name, name)) });
      }
    }
  }

  private rawSql(text: string): void {
    applyRawSql(text, {
      known: (name) => this.table(name) !== undefined,
      unknown: (name, why) => {
        this.models.delete(key(name));
        this.opaque.set(key(name), why);
      },
      renameTable: (from, to) => this.renameTable(from, to),
      drop: (name) => this.drop(name),
      dropIndex: (name) => this.dropIndex(name),
    });
  }
}
