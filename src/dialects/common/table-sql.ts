/**
 * The lower half of the shared compiler: names, columns and CREATE TABLE.
 * It is a base class of SqlCompiler rather than a set of functions because
 * every dialect overrides pieces of it (MySQL's inline comments and
 * AUTO_INCREMENT, SQLite's rebuilds reuse createTableSql), and those
 * overrides must reach the CREATE TABLE and ADD COLUMN the op methods in
 * sql-compiler.ts write.
 */
import type { CompileContext, DialectName } from "../dialect.js";
import type { ColumnDef, CreateTable, ForeignKeyAction, ForeignKeyDef } from "../../ops/op.js";
import { invalidOp } from "./compile-errors.js";
import { renderDefault } from "./defaults.js";
import { renderLiteral } from "./literal.js";
import { qualifyWith, quoteWith, type QuoteChar } from "./quote.js";
import type { ColumnShape, ReferenceShape, TableShape } from "./shapes.js";
import { mapPortableType } from "./types.js";

export abstract class TableSqlCompiler {
  abstract readonly name: DialectName;
  protected abstract readonly quoteChar: QuoteChar;
  /** Does `context.schema` qualify table names (PostgreSQL)? */
  protected readonly usesSchema: boolean = false;
  /** Column-level REFERENCES work (MySQL parses and ignores them). */
  protected readonly inlineReferences: boolean = true;

  quoteIdentifier(name: string): string {
    return quoteWith(name, this.quoteChar);
  }

  quoteTable(name: string, schema?: string): string {
    return qualifyWith(name, schema, this.quoteChar);
  }

  literal(value: unknown): string {
    return renderLiteral(value, this.name);
  }

  mapType(type: string): string {
    return mapPortableType(type, this.name);
  }

  // ---- names -------------------------------------------------------------

  /** A table (or view) name, qualified with the context's schema where schemas exist. */
  protected table(name: string, context: CompileContext): string {
    return this.quoteTable(name, this.usesSchema ? context.schema : undefined);
  }

  protected columnList(names: readonly string[]): string {
    return names.map((name) => this.quoteIdentifier(name)).join(", ");
  }

  // ---- columns and tables --------------------------------------------------

  protected columnType(def: ColumnDef): string {
    return this.mapType(def.type);
  }

  /** A ColumnDef as the renderer sees it. `inlinePk`: the column alone is the primary key. */
  protected columnShape(def: ColumnDef, inlinePk: boolean, inPk: boolean): ColumnShape {
    const type = this.columnType(def);
    const defaultSql = renderDefault(def.default, this.name, type);
    return {
      name: def.name,
      type,
      nullable: inPk || def.primaryKey === true ? false : (def.nullable ?? true),
      ...(defaultSql === undefined ? {} : { defaultSql }),
      autoIncrement: def.autoIncrement === true,
      primaryKey: inlinePk,
      unique: def.unique === true,
      ...(def.references === undefined ? {} : { references: def.references }),
    };
  }

  protected renderColumn(column: ColumnShape, context: CompileContext): string {
    const parts = [this.quoteIdentifier(column.name)];
    if (column.type !== "") parts.push(column.type);
    parts.push(...this.collationSql(column));
    if (!column.nullable) parts.push("NOT NULL");
    if (column.defaultSql !== undefined) parts.push(`DEFAULT ${column.defaultSql}`);
    const identity = column.autoIncrement ? this.autoIncrementSql() : undefined;
    if (identity !== undefined) parts.push(identity);
    if (column.primaryKey) parts.push(this.primaryKeySql(column));
    if (column.unique) parts.push("UNIQUE");
    if (column.references !== undefined && this.inlineReferences) {
      parts.push(this.referencesSql(column.references.table, [column.references.column], column.references, context));
    }
    if (column.comment !== undefined) parts.push(...this.commentSql(column.comment));
    return parts.join(" ");
  }

  /** `COLLATE x` after the type, for a collation kept from the live column. */
  protected collationSql(column: ColumnShape): string[] {
    if (column.collation === undefined) return [];
    return [`COLLATE ${/^\w+$/.test(column.collation) ? column.collation : this.quoteIdentifier(column.collation)}`];
  }

  /** A column comment, where the dialect writes it on the column (MySQL). */
  protected commentSql(_comment: string): string[] {
    return [];
  }

  /** The clause that makes a column generate its values, if written after DEFAULT. */
  protected autoIncrementSql(): string | undefined {
    return undefined;
  }

  protected primaryKeySql(_column: ColumnShape): string {
    return "PRIMARY KEY";
  }

  protected referencesSql(
    table: string,
    columns: readonly string[],
    actions: { readonly onDelete?: ForeignKeyAction; readonly onUpdate?: ForeignKeyAction },
    context: CompileContext,
  ): string {
    // No column list means the referenced table's primary key.
    let sql = `REFERENCES ${this.table(table, context)}${columns.length === 0 ? "" : ` (${this.columnList(columns)})`}`;
    // NO ACTION is every dialect's default: leaving it out keeps the SQL short.
    if (actions.onDelete !== undefined && actions.onDelete !== "no action") sql += ` ON DELETE ${actions.onDelete.toUpperCase()}`;
    if (actions.onUpdate !== undefined && actions.onUpdate !== "no action") sql += ` ON UPDATE ${actions.onUpdate.toUpperCase()}`;
    return sql;
  }

  protected constraintPrefix(name: string | undefined): string {
    return name === undefined || name === "" ? "" : `CONSTRAINT ${this.quoteIdentifier(name)} `;
  }

  protected foreignKeySql(fk: ForeignKeyDef, context: CompileContext): string {
    return `${this.constraintPrefix(fk.name)}FOREIGN KEY (${this.columnList(fk.columns)}) ${this.referencesSql(fk.refTable, fk.refColumns, fk, context)}`;
  }

  protected tableShape(op: CreateTable): TableShape {
    const flagged = op.columns.filter((column) => column.primaryKey === true).map((column) => column.name);
    const declared = op.primaryKey;
    if (declared !== undefined && flagged.some((name) => !declared.includes(name))) {
      throw invalidOp(
        this.name,
        op,
        `marks columns ${flagged.join(", ")} as primaryKey but declares primaryKey [${declared.join(", ")}]`,
      );
    }
    const primaryKey = declared ?? flagged;
    const inline = primaryKey.length === 1;
    return {
      columns: op.columns.map((def) =>
        this.columnShape(def, inline && def.name === primaryKey[0], primaryKey.includes(def.name)),
      ),
      primaryKey: inline ? [] : primaryKey,
      uniques: op.uniques ?? [],
      foreignKeys: op.foreignKeys ?? [],
      checks: op.checks ?? [],
    };
  }

  /** CREATE TABLE, one line per column and constraint. `table` is already quoted. */
  createTableSql(table: string, shape: TableShape, context: CompileContext, ifNotExists = false): string {
    const lines = shape.columns.map((column) => this.renderColumn(column, context));
    if (shape.primaryKey.length > 0) lines.push(`PRIMARY KEY (${this.columnList(shape.primaryKey)})`);
    for (const unique of shape.uniques)
      lines.push(`${this.constraintPrefix(unique.name)}UNIQUE (${this.columnList(unique.columns)})`);
    if (!this.inlineReferences) {
      for (const column of shape.columns) {
        if (column.references !== undefined) lines.push(this.columnForeignKeySql(column.name, column.references, context));
      }
    }
    for (const fk of shape.foreignKeys) lines.push(this.foreignKeySql(fk, context));
    for (const check of shape.checks) lines.push(`${this.constraintPrefix(check.name)}CHECK (${check.expression})`);
    const head = `CREATE TABLE ${ifNotExists ? "IF NOT EXISTS " : ""}${table}`;
    return `${head} (\n  ${lines.join(",\n  ")}\n)${this.tableOptions()}`;
  }

  protected columnForeignKeySql(column: string, references: ReferenceShape, context: CompileContext): string {
    return `FOREIGN KEY (${this.quoteIdentifier(column)}) ${this.referencesSql(references.table, [references.column], references, context)}`;
  }

  /** Text after the closing parenthesis of CREATE TABLE. */
  protected tableOptions(): string {
    return "";
  }
}
