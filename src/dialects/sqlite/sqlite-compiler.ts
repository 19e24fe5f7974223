/**
 * SQLite: ALTER TABLE can add, drop (simple columns only) and rename; the
 * rest is the table rebuild of sqlite-rebuild.ts, which needs the table's
 * current shape, so needsTableModel says yes exactly for those ops.
 *
 * addUnique rebuilds the table instead of creating a unique index: a real
 * UNIQUE constraint is what introspection reports as a unique constraint (so
 * autogenerate sees what the script declared) and what dropConstraint finds.
 */
import type { CompileContext, Statement, DialectCompiler } from "../dialect.js";
import type { ColumnModel, TableModel } from "../schema-model.js";
import type {
  AliasTable,
  AddCheck,
  AddColumn,
  AddForeignKey,
  AddUnique,
  AlterColumn,
  ColumnDef,
  CreateTable,
  CreateView,
  DropColumn,
  DropConstraint,
  Op,
} from "../../ops/op.js";
import { invalidOp, missingTableModel, unsupported } from "../common/compile-errors.js";
import { renderDefault } from "../common/defaults.js";
import type { ColumnShape, TableShape } from "../common/shapes.js";
import { asDialectCompiler, SqlCompiler, type TriggerOp } from "../common/sql-compiler.js";
import { rebuildStatements, type RebuildPlan } from "./sqlite-rebuild.js";
import {
  addColumnNeedsRebuild,
  columnIsConstrained,
  findColumn,
  sameName,
  usedNames,
  withoutColumn,
  withoutConstraint,
} from "./sqlite-table-edits.js";
import { compileTriggerOp } from "./sqlite-triggers.js";
import { aliasTriggerNames } from "../../ops/naming.js";

type TableOp = Op & { readonly table: string };

export class SqliteCompiler extends SqlCompiler {
  readonly name = "sqlite" as const;
  protected readonly quoteChar = '"';
  /** SQLITE_MAX_VARIABLE_NUMBER since SQLite 3.32. */
  protected override readonly maxParams = 32_766;

  override needsTableModel(op: Op): boolean {
    switch (op.kind) {
      case "alterColumn":
      case "addForeignKey":
      case "addUnique":
      case "addCheck":
      case "dropConstraint":
      case "dropColumn": // only a constrained column needs the rebuild, but only the model can tell
      case "swapColumn": // drops the old column
      case "setNotNull":
      case "aliasTable": // the INSTEAD OF triggers list the columns
        return true;
      case "addColumn":
        return addColumnNeedsRebuild(op.column);
      default:
        return false;
    }
  }

  /** AUTOINCREMENT is only accepted on a column declared exactly INTEGER. */
  protected override columnType(def: ColumnDef): string {
    return def.autoIncrement === true ? "integer" : super.columnType(def);
  }

  protected override primaryKeySql(column: ColumnShape): string {
    return column.autoIncrement ? "PRIMARY KEY AUTOINCREMENT" : "PRIMARY KEY";
  }

  protected override tableShape(op: CreateTable): TableShape {
    const shape = super.tableShape(op);
    const stray = shape.columns.find((column) => column.autoIncrement && !column.primaryKey);
    if (stray !== undefined) {
      throw unsupported(
        this.name,
        op,
        `column "${stray.name}" is autoIncrement, which SQLite allows only on a single-column INTEGER PRIMARY KEY`,
      );
    }
    return shape;
  }

  protected override addColumn(op: AddColumn, context: CompileContext): Statement[] {
    if (!addColumnNeedsRebuild(op.column)) return super.addColumn(op, context);
    const current = this.model(op, context, "ALTER TABLE ADD COLUMN cannot add this column");
    if (findColumn(current, op.column.name) !== undefined) {
      throw invalidOp(this.name, op, `adds column "${op.column.name}", which table "${op.table}" already has`);
    }
    const def = op.column;
    const type = this.columnType(def);
    const column: ColumnModel = {
      name: def.name,
      type,
      nullable: def.primaryKey === true ? false : (def.nullable ?? true),
      default: renderDefault(def.default, this.name, type) ?? null,
      autoIncrement: def.autoIncrement === true,
    };
    if (def.primaryKey === true && current.primaryKey.length > 0) {
      throw invalidOp(this.name, op, `adds primary key column "${def.name}" to table "${op.table}", which has a primary key`);
    }
    if (column.autoIncrement && def.primaryKey !== true) {
      throw unsupported(
        this.name,
        op,
        `column "${def.name}" is autoIncrement, which SQLite allows only on a single-column INTEGER PRIMARY KEY`,
      );
    }
    const ref = def.references;
    const target: TableModel = {
      ...current,
      columns: [...current.columns, column],
      primaryKey: def.primaryKey === true ? [def.name] : current.primaryKey,
      uniques: def.unique === true ? [...current.uniques, { name: "", columns: [def.name] }] : current.uniques,
      foreignKeys:
        ref === undefined
          ? current.foreignKeys
          : [
              ...current.foreignKeys,
              {
                name: "",
                columns: [def.name],
                refTable: ref.table,
                refColumns: [ref.column],
                onDelete: ref.onDelete ?? "no action",
                onUpdate: ref.onUpdate ?? "no action",
              },
            ],
    };
    return this.rebuild({ current, target });
  }

  protected override dropColumn(op: DropColumn, context: CompileContext): Statement[] {
    const current = this.model(op, context, "a column in a key, index or constraint can only be dropped by rebuilding the table");
    if (findColumn(current, op.column) === undefined) {
      throw invalidOp(this.name, op, `drops column "${op.column}", which table "${op.table}" does not have`);
    }
    if (!columnIsConstrained(current, op.column)) return super.dropColumn(op, context);
    return this.rebuild({ current, target: withoutColumn(current, op.column) });
  }

  protected override alterColumn(op: AlterColumn, context: CompileContext): Statement[] {
    const current = this.model(op, context, "SQLite changes a column by rebuilding the table");
    const old = findColumn(current, op.column);
    if (old === undefined) {
      throw invalidOp(this.name, op, `alters column "${op.column}", which table "${op.table}" does not have`);
    }
    const type = op.type === undefined ? old.type : this.mapType(op.type);
    const altered: ColumnModel = {
      ...old,
      type,
      nullable: op.nullable ?? old.nullable,
      default: op.default === undefined ? old.default : (renderDefault(op.default, this.name, type) ?? null),
    };
    const target: TableModel = { ...current, columns: current.columns.map((c) => (c === old ? altered : c)) };
    // `using` reads the old row, as in PostgreSQL: here it is the copy's SELECT expression.
    const expressions = op.using === undefined ? undefined : new Map([[old.name, op.using]]);
    return this.rebuild(expressions === undefined ? { current, target } : { current, target, expressions });
  }

  protected override addForeignKey(op: AddForeignKey, context: CompileContext): Statement[] {
    const current = this.newConstraint(op, context);
    const fk = {
      name: op.name,
      columns: op.columns,
      refTable: op.refTable,
      refColumns: op.refColumns,
      onDelete: op.onDelete ?? "no action",
      onUpdate: op.onUpdate ?? "no action",
    } as const;
    return this.rebuild({ current, target: { ...current, foreignKeys: [...current.foreignKeys, fk] } });
  }

  protected override addUnique(op: AddUnique, context: CompileContext): Statement[] {
    const current = this.newConstraint(op, context);
    const unique = { name: op.name, columns: op.columns };
    return this.rebuild({ current, target: { ...current, uniques: [...current.uniques, unique] } });
  }

  protected override addCheck(op: AddCheck, context: CompileContext): Statement[] {
    const current = this.newConstraint(op, context);
    const check = { name: op.name, expression: op.expression };
    return this.rebuild({ current, target: { ...current, checks: [...current.checks, check] } });
  }

  protected override dropConstraint(op: DropConstraint, context: CompileContext): Statement[] {
    const current = this.model(op, context, "SQLite drops a constraint by rebuilding the table");
    const removal = withoutConstraint(current, op.name, op.type);
    switch (removal.kind) {
      case "rebuild":
        return this.rebuild({ current, target: removal.table });
      case "dropIndex":
        return [{ sql: `DROP INDEX ${this.quoteIdentifier(removal.name)}` }];
      case "notFound": {
        const names = usedNames(current);
        const known = names.length === 0 ? "it has no named constraints" : `its constraints and indexes are ${names.join(", ")}`;
        const what = op.type === "primaryKey" ? "primary key" : `${op.type ?? "constraint"} named "${op.name}"`;
        throw invalidOp(this.name, op, `finds no ${what} on table "${op.table}" (${known})`);
      }
    }
  }

  protected override createView(op: CreateView, context: CompileContext): Statement[] {
    if (op.orReplace !== true) return super.createView(op, context);
    // SQLite has no CREATE OR REPLACE VIEW; inside the step's transaction this is just as atomic.
    return [
      { sql: `DROP VIEW IF EXISTS ${this.table(op.name, context)}` },
      ...super.createView({ ...op, orReplace: false }, context),
    ];
  }

  /**
   * SQLite views are read-only: INSTEAD OF triggers write through to the
   * table, finding rows by its primary key. They die with the view, which
   * `renameTable(…, { overAlias: true })` drops. A column the writer leaves
   * out is written NULL (a trigger cannot tell it from an explicit NULL), so
   * writers through the alias should name every column that has a default.
   */
  protected override aliasTable(op: AliasTable, context: CompileContext): Statement[] {
    const current = this.model(op, context, "the alias's INSTEAD OF triggers list the table's columns");
    if (current.primaryKey.length === 0) {
      throw unsupported(
        this.name,
        op,
        `table "${op.table}" has no primary key, which the alias's INSTEAD OF UPDATE and DELETE triggers need to find a row`,
      );
    }
    const q = (name: string): string => this.quoteIdentifier(name);
    const table = this.table(op.table, context);
    const view = this.table(op.alias, context);
    const columns = current.columns.map((column) => column.name);
    const key = current.primaryKey.map((column) => `${q(column)} = OLD.${q(column)}`).join(" AND ");
    const names = aliasTriggerNames(op.alias);
    const trigger = (name: string, event: string, body: string): Statement => ({
      sql: `CREATE TRIGGER ${q(name)} INSTEAD OF ${event} ON ${view} FOR EACH ROW\nBEGIN\n  ${body};\nEND`,
    });
    return [
      ...super.aliasTable(op, context),
      trigger(
        names.insert,
        "INSERT",
        `INSERT INTO ${table} (${columns.map(q).join(", ")}) VALUES (${columns.map((c) => `NEW.${q(c)}`).join(", ")})`,
      ),
      trigger(
        names.update,
        "UPDATE",
        `UPDATE ${table} SET ${columns.map((c) => `${q(c)} = NEW.${q(c)}`).join(", ")} WHERE ${key}`,
      ),
      trigger(names.delete, "DELETE", `DELETE FROM ${table} WHERE ${key}`),
    ];
  }

  protected override compileTriggerOp(op: TriggerOp, context: CompileContext): Statement[] {
    return compileTriggerOp(op, context, this.helpers);
  }

  private model(op: TableOp, context: CompileContext, why: string): TableModel {
    if (context.table === undefined) throw missingTableModel(this.name, op, why);
    return context.table;
  }

  /** The table for a constraint op, after checking the name is free (SQLite would not). */
  private newConstraint(op: AddForeignKey | AddUnique | AddCheck, context: CompileContext): TableModel {
    const current = this.model(op, context, "SQLite adds a constraint by rebuilding the table");
    if (usedNames(current).some((name) => sameName(name, op.name))) {
      throw invalidOp(this.name, op, `uses the name "${op.name}", which table "${op.table}" already has`);
    }
    return current;
  }

  private rebuild(plan: RebuildPlan): Statement[] {
    return rebuildStatements(plan, {
      quoteIdentifier: (name) => this.quoteIdentifier(name),
      literal: (value) => this.literal(value),
      createTableSql: (table, shape, context) => this.createTableSql(table, shape, context),
    });
  }
}

export const sqliteCompiler: DialectCompiler = asDialectCompiler(new SqliteCompiler());
