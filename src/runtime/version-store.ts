/**
 * The version table: one row per (repository, phase, applied head). Plain
 * repositories use phase ''. Reads go to the connection; writes are
 * statements, so they pass through the step's sink and transaction.
 */
import type { Connection, Dialect, Statement } from "../dialects/dialect.js";
import type { CreateTable } from "../ops/op.js";

export interface VersionRow {
  readonly phase: string;
  readonly version: string;
}

export class VersionStore {
  constructor(
    private readonly dialect: Dialect,
    readonly table: string,
    private readonly schema?: string,
  ) {}

  private get quoted(): string {
    return this.dialect.quoteTable(this.table, this.schema);
  }

  createStatements(): Statement[] {
    const op: CreateTable = {
      kind: "createTable",
      table: this.table,
      ifNotExists: true,
      columns: [
        { name: "repository", type: "varchar(255)", nullable: false },
        { name: "phase", type: "varchar(16)", nullable: false, default: "" },
        { name: "version", type: "varchar(255)", nullable: false },
      ],
      primaryKey: ["repository", "phase", "version"],
    };
    return this.dialect.compile(op, this.schema === undefined ? {} : { schema: this.schema });
  }

  exists(connection: Connection): Promise<boolean> {
    return this.dialect.tableExists(connection, this.table, this.schema);
  }

  async read(connection: Connection, repository: string): Promise<VersionRow[]> {
    const q = (name: string) => this.dialect.quoteIdentifier(name);
    const rows = await connection.query(
      `SELECT ${q("phase")}, ${q("version")} FROM ${this.quoted} WHERE ${q("repository")} = ? ORDER BY ${q("phase")}, ${q("version")}`,
      [repository],
    );
    const order = ["", "expand", "migrate", "contract"];
    return rows
      .map((row) => ({ phase: String(row.phase), version: String(row.version) }))
      .sort((a, b) => order.indexOf(a.phase) - order.indexOf(b.phase) || (a.version < b.version ? -1 : 1));
  }

  /** Built once: every step writes the same two statements with other values. */
  private writeSql: { readonly remove: string; readonly add: string } | undefined;

  /** Statements that turn the rows `before` of one phase into `after`. */
  updateStatements(repository: string, phase: string, before: readonly string[], after: readonly string[]): Statement[] {
    const q = (name: string) => this.dialect.quoteIdentifier(name);
    this.writeSql ??= {
      remove: `DELETE FROM ${this.quoted} WHERE ${q("repository")} = ? AND ${q("phase")} = ? AND ${q("version")} = ?`,
      add: `INSERT INTO ${this.quoted} (${q("repository")}, ${q("phase")}, ${q("version")}) VALUES (?, ?, ?)`,
    };
    const { remove, add } = this.writeSql;
    const statements: Statement[] = [];
    for (const id of before) if (!after.includes(id)) statements.push({ sql: remove, params: [repository, phase, id], bookkeeping: true });
    for (const id of after) if (!before.includes(id)) statements.push({ sql: add, params: [repository, phase, id], bookkeeping: true });
    return statements;
  }

  /** `stamp --purge`: forget every row of the repository. */
  purgeStatement(repository: string): Statement {
    return {
      sql: `DELETE FROM ${this.quoted} WHERE ${this.dialect.quoteIdentifier("repository")} = ?`,
      params: [repository],
      bookkeeping: true,
    };
  }
}
