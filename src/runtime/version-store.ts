/**
 * The version table: one row per (repository, phase, applied head). Plain
 * repositories use phase ''. Reads go to the connection; writes are
 * statements, so they pass through the step's sink and transaction.
 *
 * A step's writes are fenced: each must change exactly one row, or the rows
 * are no longer what the step was planned from and the step stops (SPEC §9).
 * A row moves in place (one UPDATE); it is never deleted and inserted again,
 * so no crash between two statements can leave the table describing a
 * state that is not in the database.
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
    return this.dialect.compiler.quoteTable(this.table, this.schema);
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
    return this.dialect.compiler.compile(op, this.schema === undefined ? {} : { schema: this.schema });
  }

  exists(connection: Connection): Promise<boolean> {
    return this.dialect.introspector.tableExists(connection, this.table, this.schema);
  }

  async read(connection: Connection, repository: string): Promise<VersionRow[]> {
    const q = (name: string) => this.dialect.compiler.quoteIdentifier(name);
    const rows = await connection.query(
      `SELECT ${q("phase")}, ${q("version")} FROM ${this.quoted} WHERE ${q("repository")} = ? ORDER BY ${q("phase")}, ${q("version")}`,
      [repository],
    );
    const order = ["", "expand", "migrate", "contract"];
    return rows
      .map((row) => ({ phase: String(row.phase), version: String(row.version) }))
      .sort((a, b) => order.indexOf(a.phase) - order.indexOf(b.phase) || (a.version < b.version ? -1 : 1));
  }

  /** Built once: every step writes the same statements with other values. */
  private writeSql:
    | { readonly move: string; readonly remove: string; readonly add: string; readonly insert: string; readonly count: string }
    | undefined;

  private get sqlOfWrites() {
    const q = (name: string) => this.dialect.compiler.quoteIdentifier(name);
    const ofPhase = `${q("repository")} = ? AND ${q("phase")} = ?`;
    const count = `(SELECT COUNT(*) FROM ${this.quoted} WHERE ${ofPhase})`;
    this.writeSql ??= {
      move: `UPDATE ${this.quoted} SET ${q("version")} = ? WHERE ${ofPhase} AND ${q("version")} = ?`,
      remove: `DELETE FROM ${this.quoted} WHERE ${ofPhase} AND ${q("version")} = ?`,
      add:
        `INSERT INTO ${this.quoted} (${q("repository")}, ${q("phase")}, ${q("version")}) ` +
        `SELECT ?, ?, ?${this.dialect.compiler.fromNothing} WHERE ${count} = ?`,
      insert: `INSERT INTO ${this.quoted} (${q("repository")}, ${q("phase")}, ${q("version")}) VALUES (?, ?, ?)`,
      count,
    };
    return this.writeSql;
  }

  /**
   * Fenced statements that turn the rows `before` of one phase into `after`:
   * heads replaced in place, then heads removed, then heads added (each add
   * only while the phase has the number of rows planned). With `onlyIf`,
   * each also changes nothing unless that condition holds.
   */
  changeStatements(
    repository: string,
    phase: string,
    before: readonly string[],
    after: readonly string[],
    onlyIf?: Statement,
  ): Statement[] {
    const { move, remove, add } = this.sqlOfWrites;
    const removed = before.filter((id) => !after.includes(id));
    const added = after.filter((id) => !before.includes(id));
    const statements: Statement[] = [];
    // Each write ends in its WHERE clause.
    const fenced = (sql: string, params: unknown[]): Statement => ({
      sql: onlyIf === undefined ? sql : `${sql} AND (${onlyIf.sql})`,
      params: onlyIf === undefined ? params : [...params, ...(onlyIf.params ?? [])],
      expectRows: 1,
      bookkeeping: true,
    });
    const moved = Math.min(removed.length, added.length);
    for (let i = 0; i < moved; i++) statements.push(fenced(move, [added[i], repository, phase, removed[i]]));
    for (const id of removed.slice(moved)) statements.push(fenced(remove, [repository, phase, id]));
    let rows = before.length - (removed.length - moved);
    for (const id of added.slice(moved)) {
      statements.push(fenced(add, [repository, phase, id, repository, phase, rows]));
      rows += 1;
    }
    return statements;
  }

  /** Unfenced statements for `stamp`, which sets the rows whatever they were (it runs under the lock, after reading them). */
  stampStatements(repository: string, phase: string, before: readonly string[], after: readonly string[]): Statement[] {
    const { remove, insert } = this.sqlOfWrites;
    const statements: Statement[] = [];
    for (const id of before)
      if (!after.includes(id)) statements.push({ sql: remove, params: [repository, phase, id], bookkeeping: true });
    for (const id of after)
      if (!before.includes(id)) statements.push({ sql: insert, params: [repository, phase, id], bookkeeping: true });
    return statements;
  }

  /**
   * A condition that holds while the rows of `phase` are exactly `rows`,
   * for statements that must only happen then (MySQL's `running` log row).
   */
  fence(repository: string, phase: string, rows: readonly string[]): Statement {
    const q = (name: string) => this.dialect.compiler.quoteIdentifier(name);
    const { count } = this.sqlOfWrites;
    if (rows.length === 0) return { sql: `${count} = 0`, params: [repository, phase] };
    const these =
      `(SELECT COUNT(*) FROM ${this.quoted} WHERE ${q("repository")} = ? AND ${q("phase")} = ? ` +
      `AND ${q("version")} IN (${rows.map(() => "?").join(", ")}))`;
    return {
      sql: `${count} = ? AND ${these} = ?`,
      params: [repository, phase, rows.length, repository, phase, ...rows, rows.length],
    };
  }

  /** For MySQL's one-statement finish: the SET and WHERE of moving one head in place, with the table aliased `v`. */
  movedInPlace(repository: string, phase: string, from: string, to: string): { set: Statement; where: Statement; table: string } {
    const q = (name: string) => this.dialect.compiler.quoteIdentifier(name);
    return {
      table: `${this.quoted} v`,
      set: { sql: `v.${q("version")} = ?`, params: [to] },
      where: {
        sql: `v.${q("repository")} = ? AND v.${q("phase")} = ? AND v.${q("version")} = ?`,
        params: [repository, phase, from],
      },
    };
  }

  /** `stamp --purge`: forget every row of the repository. */
  purgeStatement(repository: string): Statement {
    return {
      sql: `DELETE FROM ${this.quoted} WHERE ${this.dialect.compiler.quoteIdentifier("repository")} = ?`,
      params: [repository],
      bookkeeping: true,
    };
  }
}
