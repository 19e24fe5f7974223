/**
 * MySQL and MariaDB (10.5+ for RENAME COLUMN; MySQL 8.0.19+ for DROP
 * CONSTRAINT). Every DDL statement commits on its own here, so each op is
 * kept to one statement where possible: a half-applied op is then at least
 * a whole statement.
 */
import type { CompileContext, Statement, DialectCompiler } from "../dialect.js";
import type { ColumnModel } from "../schema-model.js";
import type {
  AliasTable,
  AlterColumn,
  CreateIndex,
  DropConstraint,
  DropIndex,
  Op,
  RenameTable,
  SetNotNull,
  SwapColumn,
} from "../../ops/op.js";
import { fitIdentifier } from "../../ops/naming.js";
import { invalidOp, missingTableModel, unsupported } from "../common/compile-errors.js";
import { renderDefault, wrapDefaultSql } from "../common/defaults.js";
import type { ColumnShape } from "../common/shapes.js";
import { asDialectCompiler, SqlCompiler, type TriggerOp } from "../common/sql-compiler.js";
import { compileTriggerOp } from "./mysql-triggers.js";

/** Types with a character set and collation (restating one on a number is an error). */
const TEXTUAL = /\b(?:char|varchar|tinytext|text|mediumtext|longtext|enum|set)\b/i;

/** Charset and collation names as information_schema reports them: letters, digits, underscores. */
function bareName(name: string): string {
  if (!/^\w+$/.test(name)) throw new Error(`unexpected character set or collation name: ${JSON.stringify(name)}`);
  return name;
}

export class MysqlCompiler extends SqlCompiler {
  readonly name = "mysql" as const;
  protected readonly quoteChar = "`";
  /** InnoDB ignores column-level REFERENCES: they become table-level FOREIGN KEYs. */
  protected override readonly inlineReferences = false;
  /** Prepared statements count placeholders in 16 bits. */
  protected override readonly maxParams = 65_535;
  // MySQL wants a table after SELECT … WHERE; DUAL is its nothing (MariaDB accepts it too).
  override readonly fromNothing = " FROM DUAL";

  /** MODIFY COLUMN restates the whole column, so it needs the column's current shape. */
  override needsTableModel(op: Op): boolean {
    return (op.kind === "alterColumn" && (op.type !== undefined || op.nullable !== undefined)) || op.kind === "setNotNull";
  }

  protected override autoIncrementSql(): string {
    return "AUTO_INCREMENT";
  }

  /** utf8mb4 because MySQL's `utf8` cannot store all of Unicode; the server picks its collation. */
  protected override tableOptions(): string {
    return " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";
  }

  protected override emptyRowSql(): string {
    return "() VALUES ()";
  }

  protected override alterColumn(op: AlterColumn, context: CompileContext): Statement[] {
    if (op.using !== undefined) {
      throw unsupported(
        this.name,
        op,
        'MySQL has no USING clause for a type change; convert the data with an UPDATE (migrate phase) and drop "using"',
      );
    }
    const table = this.table(op.table, context);
    const quoted = this.quoteIdentifier(op.column);
    if (!this.needsTableModel(op)) {
      const sql = renderDefault(op.default, this.name, "");
      const action = sql === undefined ? "DROP DEFAULT" : `SET DEFAULT ${sql}`;
      return [{ sql: `ALTER TABLE ${table} ALTER COLUMN ${quoted} ${action}` }];
    }
    const current = this.currentColumn(op, context);
    const type = op.type === undefined ? current.type : this.mapType(op.type);
    let defaultSql: string | undefined;
    if (op.default !== undefined) defaultSql = renderDefault(op.default, this.name, type);
    // MariaDB reports a missing default of a nullable column as the text NULL.
    else if (current.default !== null && !/^null$/i.test(current.default.trim())) {
      defaultSql = wrapDefaultSql(current.default, this.name, type);
    }
    const shape: ColumnShape = {
      name: current.name,
      type,
      nullable: op.nullable ?? current.nullable,
      ...(defaultSql === undefined ? {} : { defaultSql }),
      autoIncrement: current.autoIncrement,
      primaryKey: false,
      unique: false,
      // MODIFY COLUMN resets what it does not restate: the table's charset and collation, no comment (issue 13, D8).
      ...(current.collation !== undefined && TEXTUAL.test(type) ? { collation: current.collation } : {}),
      ...(current.charset !== undefined && TEXTUAL.test(type) ? { charset: current.charset } : {}),
      ...(current.comment === undefined ? {} : { comment: current.comment }),
      ...(current.onUpdate === undefined ? {} : { onUpdate: current.onUpdate }),
    };
    return [{ sql: `ALTER TABLE ${table} MODIFY COLUMN ${this.renderColumn(shape, context)}` }];
  }

  protected override collationSql(column: ColumnShape): string[] {
    const parts: string[] = [];
    if (column.charset !== undefined) parts.push(`CHARACTER SET ${bareName(column.charset)}`);
    if (column.collation !== undefined) parts.push(`COLLATE ${bareName(column.collation)}`);
    return parts;
  }

  protected override commentSql(comment: string): string[] {
    return [`COMMENT ${this.literal(comment)}`];
  }

  protected override renderColumn(column: ColumnShape, context: CompileContext): string {
    const sql = super.renderColumn(column, context);
    if (column.onUpdate === undefined) return sql;
    if (!/^CURRENT_TIMESTAMP(?:\(\d*\))?$/.test(column.onUpdate)) throw new Error(`unexpected ON UPDATE: ${column.onUpdate}`);
    // Before COMMENT, which renderColumn writes last.
    const comment = column.comment === undefined ? "" : ` ${this.commentSql(column.comment).join(" ")}`;
    return `${sql.slice(0, sql.length - comment.length)} ON UPDATE ${column.onUpdate}${comment}`;
  }

  private currentColumn(op: AlterColumn, context: CompileContext): ColumnModel {
    if (context.table === undefined) {
      throw missingTableModel(this.name, op, "MODIFY COLUMN must restate the column's type, nullability and default");
    }
    const found = context.table.columns.find((column) => column.name.toLowerCase() === op.column.toLowerCase());
    if (found === undefined) {
      throw invalidOp(this.name, op, `names column "${op.column}", which table "${op.table}" does not have`);
    }
    return found;
  }

  protected override createIndex(op: CreateIndex, context: CompileContext): Statement[] {
    if (op.where !== undefined) {
      throw unsupported(this.name, op, "MySQL has no partial indexes (WHERE); index the columns, or a generated column");
    }
    const sql = this.createIndexSql(op, context, false);
    // Refused by the server when it cannot build the index without blocking writes: never silently a copy.
    return [{ sql: op.concurrently === true ? `${sql} ALGORITHM=INPLACE LOCK=NONE` : sql }];
  }

  /** MERGE: the view stays updatable, or creating it fails (rather than writes through it failing later). */
  protected override aliasTable(op: AliasTable, context: CompileContext): Statement[] {
    return [
      {
        sql: `CREATE ALGORITHM=MERGE VIEW ${this.table(op.alias, context)} AS SELECT * FROM ${this.table(op.table, context)}`,
      },
    ];
  }

  /**
   * One RENAME TABLE moves the alias view aside and the table into its name
   * atomically (issue 13, D9: a DROP VIEW then a rename left a moment with
   * neither, and the new release got ER_NO_SUCH_TABLE); the view is dropped
   * after, under its temporary name.
   */
  protected override renameTable(op: RenameTable, context: CompileContext): Statement[] {
    if (op.overAlias !== true) return super.renameTable(op, context);
    const aside = this.table(fitIdentifier(`_tidemark_alias_${op.to}`), context);
    return [
      // Fails ("… is not VIEW") before anything moves when `to` is not the alias: DDL here cannot be rolled back.
      { sql: `SHOW CREATE VIEW ${this.table(op.to, context)}` },
      {
        sql: `RENAME TABLE ${this.table(op.to, context)} TO ${aside}, ${this.table(op.table, context)} TO ${this.table(op.to, context)}`,
      },
      { sql: `DROP VIEW ${aside}` },
    ];
  }

  /** MODIFY … NOT NULL in place, writers not blocked (MySQL 5.6+, MariaDB 10.0+); refused rather than copied. */
  protected override setNotNull(op: SetNotNull, context: CompileContext): Statement[] {
    const [modify] = this.alterColumn({ kind: "alterColumn", table: op.table, column: op.column, nullable: false }, context);
    return [{ sql: `${modify?.sql ?? ""}, ALGORITHM=INPLACE, LOCK=NONE` }];
  }

  /**
   * Each DDL statement commits on its own here, so the trigger drop and the
   * swap cannot share a transaction: without the table lock a write between
   * them would be lost (no trigger copies it), and with the order reversed
   * it would fail (the triggers name the renamed column). LOCK TABLES holds
   * writers for the few milliseconds of two DROP TRIGGERs and an ALTER that
   * MariaDB 10.4+/MySQL 8.0.29+ do instantly.
   */
  protected override swapColumn(op: SwapColumn, context: CompileContext): Statement[] {
    const table = this.table(op.table, context);
    const columns = `${this.quoteIdentifier(op.column)}, ${this.quoteIdentifier(op.replacement)}`;
    return [
      // Fails, before any lock is taken, when expand's changeType did not run: a statement that fails under
      // LOCK TABLES leaves the session unable to record the failure in tidemark_log.
      { sql: `SELECT ${columns} FROM ${table} WHERE 1 = 0` },
      { sql: `LOCK TABLES ${table} WRITE` },
      ...this.compile({ kind: "dropSync", table: op.table, name: op.sync }, context),
      {
        sql: `ALTER TABLE ${table} DROP COLUMN ${this.quoteIdentifier(op.column)}, RENAME COLUMN ${this.quoteIdentifier(op.replacement)} TO ${this.quoteIdentifier(op.column)}`,
      },
      { sql: "UNLOCK TABLES" },
    ];
  }

  protected override dropIndex(op: DropIndex, context: CompileContext): Statement[] {
    const ifExists = op.ifExists === true ? "IF EXISTS " : "";
    return [{ sql: `DROP INDEX ${ifExists}${this.quoteIdentifier(op.name)} ON ${this.table(op.table, context)}` }];
  }

  protected override dropConstraint(op: DropConstraint, context: CompileContext): Statement[] {
    const name = this.quoteIdentifier(op.name);
    let action: string;
    switch (op.type) {
      case "foreignKey":
        action = `DROP FOREIGN KEY ${name}`;
        break;
      case "unique":
        action = `DROP INDEX ${name}`;
        break;
      case "primaryKey":
        action = "DROP PRIMARY KEY";
        break;
      case "check":
      case undefined:
        // MariaDB has no DROP CHECK; DROP CONSTRAINT works there and on MySQL 8.0.19+.
        action = `DROP CONSTRAINT ${name}`;
        break;
    }
    return [{ sql: `ALTER TABLE ${this.table(op.table, context)} ${action}` }];
  }

  protected override compileTriggerOp(op: TriggerOp, context: CompileContext): Statement[] {
    return compileTriggerOp(op, context, this.helpers);
  }
}

export const mysqlCompiler: DialectCompiler = asDialectCompiler(new MysqlCompiler());
