/**
 * The shared compiler: standard SQL for every op, with hooks and overrides
 * per dialect. `compile` is the one switch over Op kinds and ends in
 * assertNever, so a new kind that no compiler handles does not build.
 * Columns and CREATE TABLE are rendered by the base class in table-sql.ts;
 * this file holds what each op turns into.
 */
import type { CompileContext, DialectCompiler, Statement } from "../dialect.js";
import {
  assertNever,
  type AddCheck,
  type AddColumn,
  type AddForeignKey,
  type AddUnique,
  type AliasTable,
  type AllowWrites,
  type AlterColumn,
  type BulkInsert,
  type CreateIndex,
  type CreateTable,
  type CreateView,
  type DropColumn,
  type DropConstraint,
  type DropIndex,
  type DropSync,
  type DropTable,
  type DropView,
  type Execute,
  type ForbidWrites,
  type Op,
  type RenameColumn,
  type RenameTable,
  type SetNotNull,
  type SwapColumn,
  type SyncColumns,
  type ValidateConstraint,
} from "../../ops/op.js";
import { bulkInsertStatements } from "./bulk-insert.js";
import { invalidOp } from "./compile-errors.js";
import { TableSqlCompiler } from "./table-sql.js";

export type TriggerOp = SyncColumns | DropSync | ForbidWrites | AllowWrites;

/** Quoting and literals of one dialect, for code outside the compiler class (trigger files). */
export interface SqlHelpers {
  readonly quoteIdentifier: (name: string) => string;
  /** `"schema"."name"` when a schema is given. */
  readonly quoteTable: (name: string, schema?: string) => string;
  readonly literal: (value: unknown) => string;
}

export abstract class SqlCompiler extends TableSqlCompiler {
  /** Parameter limit for one bulkInsert statement. */
  protected readonly maxParams: number = 65_535;
  /** See DialectCompiler.fromNothing. */
  readonly fromNothing: string = "";

  needsTableModel(_op: Op): boolean {
    return false;
  }

  /** See DialectCompiler.prefersTableModel. */
  prefersTableModel(_op: Op): boolean {
    return false;
  }

  compile(op: Op, context: CompileContext = {}): Statement[] {
    switch (op.kind) {
      case "createTable":
        return this.createTable(op, context);
      case "dropTable":
        return this.dropTable(op, context);
      case "renameTable":
        return this.renameTable(op, context);
      case "addColumn":
        return this.addColumn(op, context);
      case "dropColumn":
        return this.dropColumn(op, context);
      case "alterColumn":
        this.checkAlterColumn(op);
        return this.alterColumn(op, context);
      case "renameColumn":
        return this.renameColumn(op, context);
      case "createIndex":
        return this.createIndex(op, context);
      case "dropIndex":
        return this.dropIndex(op, context);
      case "addForeignKey":
        return this.addForeignKey(op, context);
      case "addUnique":
        return this.addUnique(op, context);
      case "addCheck":
        return this.addCheck(op, context);
      case "dropConstraint":
        return this.dropConstraint(op, context);
      case "createView":
        return this.createView(op, context);
      case "dropView":
        return this.dropView(op, context);
      case "execute":
        return this.execute(op);
      case "bulkInsert":
        return this.bulkInsert(op, context);
      case "syncColumns":
      case "dropSync":
      case "forbidWrites":
      case "allowWrites":
        return this.compileTriggerOp(op, context);
      case "aliasTable":
        return this.aliasTable(op, context);
      case "validateConstraint":
        return this.validateConstraint(op, context);
      case "setNotNull":
        return this.setNotNull(op, context);
      case "swapColumn":
        return this.swapColumn(op, context);
      default:
        return assertNever(op, "op kind");
    }
  }

  /** The rolling-upgrade trigger ops live in `<dialect>-triggers.ts`. */
  protected abstract compileTriggerOp(op: TriggerOp, context: CompileContext): Statement[];

  protected abstract alterColumn(op: AlterColumn, context: CompileContext): Statement[];

  // ---- the safe sequences (issue 13): each dialect spells them as online as it can ----

  /** The view both releases use while a table rename rolls out; a view of one table is updatable on PostgreSQL and MySQL. */
  protected aliasTable(op: AliasTable, context: CompileContext): Statement[] {
    return [{ sql: `CREATE VIEW ${this.table(op.alias, context)} AS SELECT * FROM ${this.table(op.table, context)}` }];
  }

  /** Where constraints are always validated when added (MySQL, SQLite), there is nothing left to check. */
  protected validateConstraint(_op: ValidateConstraint, _context: CompileContext): Statement[] {
    return [];
  }

  protected setNotNull(op: SetNotNull, context: CompileContext): Statement[] {
    return this.compile({ kind: "alterColumn", table: op.table, column: op.column, nullable: false }, context);
  }

  /** The sync triggers go first: they name the replacement column, which is about to take the old one's name. */
  protected swapColumn(op: SwapColumn, context: CompileContext): Statement[] {
    return [
      ...this.compile({ kind: "dropSync", table: op.table, name: op.sync }, context),
      ...this.compile({ kind: "dropColumn", table: op.table, column: op.column }, context),
      ...this.compile({ kind: "renameColumn", table: op.table, column: op.replacement, to: op.column }, context),
    ];
  }

  protected get helpers(): SqlHelpers {
    return {
      quoteIdentifier: (name) => this.quoteIdentifier(name),
      quoteTable: (name, schema) => this.quoteTable(name, schema),
      literal: (value) => this.literal(value),
    };
  }

  // ---- ops -----------------------------------------------------------------

  protected createTable(op: CreateTable, context: CompileContext): Statement[] {
    return [{ sql: this.createTableSql(this.table(op.table, context), this.tableShape(op), context, op.ifNotExists === true) }];
  }

  protected dropTable(op: DropTable, context: CompileContext): Statement[] {
    return [{ sql: `DROP TABLE ${op.ifExists === true ? "IF EXISTS " : ""}${this.table(op.table, context)}` }];
  }

  protected renameTable(op: RenameTable, context: CompileContext): Statement[] {
    const rename = { sql: `ALTER TABLE ${this.table(op.table, context)} RENAME TO ${this.quoteIdentifier(op.to)}` };
    // Both in the step's transaction: readers of the alias wait for the commit and then find the table.
    return op.overAlias === true ? [{ sql: `DROP VIEW ${this.table(op.to, context)}` }, rename] : [rename];
  }

  protected addColumn(op: AddColumn, context: CompileContext): Statement[] {
    const column = this.columnShape(op.column, op.column.primaryKey === true, op.column.primaryKey === true);
    let sql = `ALTER TABLE ${this.table(op.table, context)} ADD COLUMN ${this.renderColumn(column, context)}`;
    if (column.references !== undefined && !this.inlineReferences) {
      sql += `, ADD ${this.columnForeignKeySql(column.name, column.references, context)}`;
    }
    return [{ sql }];
  }

  protected dropColumn(op: DropColumn, context: CompileContext): Statement[] {
    return [{ sql: `ALTER TABLE ${this.table(op.table, context)} DROP COLUMN ${this.quoteIdentifier(op.column)}` }];
  }

  private checkAlterColumn(op: AlterColumn): void {
    if (op.type === undefined && op.nullable === undefined && op.default === undefined) {
      throw invalidOp(this.name, op, `changes nothing on column "${op.column}": give type, nullable or default`);
    }
    if (op.using !== undefined && op.type === undefined) {
      throw invalidOp(this.name, op, `gives "using" for column "${op.column}" without a new type`);
    }
  }

  protected renameColumn(op: RenameColumn, context: CompileContext): Statement[] {
    return [
      {
        sql: `ALTER TABLE ${this.table(op.table, context)} RENAME COLUMN ${this.quoteIdentifier(op.column)} TO ${this.quoteIdentifier(op.to)}`,
      },
    ];
  }

  /** `CREATE [UNIQUE] INDEX [CONCURRENTLY] [IF NOT EXISTS] name ON table (cols) [WHERE …]`. */
  protected createIndexSql(op: CreateIndex, context: CompileContext, concurrently: boolean): string {
    let sql = `CREATE ${op.unique === true ? "UNIQUE " : ""}INDEX ${concurrently ? "CONCURRENTLY " : ""}`;
    sql += `${op.ifNotExists === true ? "IF NOT EXISTS " : ""}${this.quoteIdentifier(op.name)}`;
    sql += ` ON ${this.table(op.table, context)} (${this.columnList(op.columns)})`;
    return op.where === undefined ? sql : `${sql} WHERE ${op.where}`;
  }

  protected createIndex(op: CreateIndex, context: CompileContext): Statement[] {
    // CONCURRENTLY is PostgreSQL's; elsewhere an index build is already as online as it gets.
    return [{ sql: this.createIndexSql(op, context, false) }];
  }

  protected dropIndex(op: DropIndex, context: CompileContext): Statement[] {
    return [{ sql: `DROP INDEX ${op.ifExists === true ? "IF EXISTS " : ""}${this.table(op.name, context)}` }];
  }

  protected addForeignKey(op: AddForeignKey, context: CompileContext): Statement[] {
    return [{ sql: `ALTER TABLE ${this.table(op.table, context)} ADD ${this.foreignKeySql(op, context)}${this.notValid(op)}` }];
  }

  /** ` NOT VALID` where the dialect has it (PostgreSQL); elsewhere the rows are checked at once. */
  protected notValid(_op: AddForeignKey | AddCheck): string {
    return "";
  }

  protected addUnique(op: AddUnique, context: CompileContext): Statement[] {
    return [
      {
        sql: `ALTER TABLE ${this.table(op.table, context)} ADD ${this.constraintPrefix(op.name)}UNIQUE (${this.columnList(op.columns)})`,
      },
    ];
  }

  protected addCheck(op: AddCheck, context: CompileContext): Statement[] {
    return [
      {
        sql: `ALTER TABLE ${this.table(op.table, context)} ADD ${this.constraintPrefix(op.name)}CHECK (${op.expression})${this.notValid(op)}`,
      },
    ];
  }

  protected dropConstraint(op: DropConstraint, context: CompileContext): Statement[] {
    return [{ sql: `ALTER TABLE ${this.table(op.table, context)} DROP CONSTRAINT ${this.quoteIdentifier(op.name)}` }];
  }

  protected createView(op: CreateView, context: CompileContext): Statement[] {
    return [{ sql: `CREATE ${op.orReplace === true ? "OR REPLACE " : ""}VIEW ${this.table(op.name, context)} AS ${op.sql}` }];
  }

  protected dropView(op: DropView, context: CompileContext): Statement[] {
    return [{ sql: `DROP VIEW ${op.ifExists === true ? "IF EXISTS " : ""}${this.table(op.name, context)}` }];
  }

  protected execute(op: Execute): Statement[] {
    return [op.params === undefined ? { sql: op.sql } : { sql: op.sql, params: op.params }];
  }

  protected emptyRowSql(): string {
    return "DEFAULT VALUES";
  }

  protected bulkInsert(op: BulkInsert, context: CompileContext): Statement[] {
    return bulkInsertStatements(op.rows, {
      table: this.table(op.table, context),
      quoteIdentifier: (name) => this.quoteIdentifier(name),
      maxParams: this.maxParams,
      maxRows: 1000,
      emptyRowSql: this.emptyRowSql(),
    });
  }
}

/** A plain object of bound functions, safe to spread into a Dialect. */
export function asDialectCompiler(compiler: SqlCompiler): DialectCompiler {
  return Object.freeze({
    quoteIdentifier: (name: string) => compiler.quoteIdentifier(name),
    quoteTable: (name: string, schema?: string) => compiler.quoteTable(name, schema),
    literal: (value: unknown) => compiler.literal(value),
    mapType: (type: string) => compiler.mapType(type),
    needsTableModel: (op: Op) => compiler.needsTableModel(op),
    prefersTableModel: (op: Op) => compiler.prefersTableModel(op),
    compile: (op: Op, context: CompileContext) => compiler.compile(op, context),
    fromNothing: compiler.fromNothing,
  });
}
