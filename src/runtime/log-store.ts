/**
 * tidemark_log: one row per executed step. On dialects without
 * transactional DDL the `running` row is committed before the step, so a
 * crash leaves it behind and blocks the repository until `repair`.
 */
import type { Connection, Dialect, Statement } from "../dialects/dialect.js";
import type { CreateIndex, CreateTable } from "../ops/op.js";

export const LOG_TABLE = "tidemark_log";

export type StepDirection = "up" | "down" | "stamp";
export type StepStatus = "running" | "done" | "failed";

export interface StepKey {
  readonly repository: string;
  readonly revision: string;
  readonly phase: string;
  readonly direction: StepDirection;
}

export interface LogRow extends StepKey {
  readonly checksum: string | null;
  readonly status: StepStatus;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly error: string | null;
  readonly progress: string | null;
}

let lastStamp = { ms: Number.NaN, text: "" };

/** UTC `YYYY-MM-DD HH:MM:SS.mmm`, accepted as a timestamp by all three databases. */
export function timestamp(date?: Date): string {
  // Offline, thousands of steps render within one millisecond: format each millisecond once.
  const ms = date === undefined ? Date.now() : date.getTime();
  if (ms !== lastStamp.ms) lastStamp = { ms, text: new Date(ms).toISOString().replace("T", " ").replace("Z", "") };
  return lastStamp.text;
}

export class LogStore {
  constructor(
    private readonly dialect: Dialect,
    private readonly schema?: string,
  ) {}

  private get quoted(): string {
    return this.dialect.compiler.quoteTable(LOG_TABLE, this.schema);
  }

  private q(name: string): string {
    return this.dialect.compiler.quoteIdentifier(name);
  }

  createStatements(): Statement[] {
    const op: CreateTable = {
      kind: "createTable",
      table: LOG_TABLE,
      ifNotExists: true,
      columns: [
        { name: "id", type: "integer", primaryKey: true, autoIncrement: true },
        { name: "repository", type: "varchar(255)", nullable: false },
        { name: "revision", type: "varchar(255)", nullable: false },
        { name: "phase", type: "varchar(16)", nullable: false, default: "" },
        { name: "direction", type: "varchar(8)", nullable: false },
        { name: "checksum", type: "varchar(64)" },
        { name: "status", type: "varchar(16)", nullable: false },
        { name: "started_at", type: "varchar(32)", nullable: false },
        { name: "finished_at", type: "varchar(32)" },
        { name: "error", type: "text" },
        // The last key a batched backfill finished, so a crashed migrate step resumes there.
        { name: "progress", type: "varchar(255)" },
      ],
    };
    // Every step closes its `running` row and every run looks for unfinished ones: without
    // this index both scan the whole log, which grows with every step ever run.
    const index: CreateIndex = {
      kind: "createIndex",
      table: LOG_TABLE,
      name: "ix_tidemark_log_status",
      columns: ["repository", "status"],
      // MySQL 8 has no CREATE INDEX IF NOT EXISTS; there the session lock keeps a second
      // runner from creating the log table twice. SQLite has no such lock, but has the clause.
      ifNotExists: this.dialect.caps.transactionalDdl,
    };
    const context = this.schema === undefined ? {} : { schema: this.schema };
    return [...this.dialect.compiler.compile(op, context), ...this.dialect.compiler.compile(index, context)];
  }

  exists(connection: Connection): Promise<boolean> {
    return this.dialect.introspector.tableExists(connection, LOG_TABLE, this.schema);
  }

  /** Built once: every step writes the same statements with other values. */
  private stepSql: { readonly start: string; readonly finish: string } | undefined;

  private get sqlOfSteps(): { readonly start: string; readonly finish: string } {
    const q = (n: string) => this.q(n);
    this.stepSql ??= {
      start:
        `INSERT INTO ${this.quoted} (${q("repository")}, ${q("revision")}, ${q("phase")}, ${q("direction")}, ` +
        `${q("checksum")}, ${q("status")}, ${q("started_at")}, ${q("finished_at")}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      finish:
        `UPDATE ${this.quoted} SET ${q("status")} = ?, ${q("finished_at")} = ?, ${q("error")} = ? ` +
        `WHERE ${q("repository")} = ? AND ${q("revision")} = ? AND ${q("phase")} = ? AND ${q("direction")} = ? AND ${q("status")} = 'running'`,
    };
    return this.stepSql;
  }

  startStatement(key: StepKey, checksum: string | null, status: StepStatus = "running"): Statement {
    const now = timestamp();
    return {
      sql: this.sqlOfSteps.start,
      params: [key.repository, key.revision, key.phase, key.direction, checksum, status, now, status === "running" ? null : now],
      bookkeeping: true,
    };
  }

  /**
   * The `running` row of a logged step, written only while `fence` holds
   * (the version rows are still what the step was planned from): the step's
   * fence where DDL cannot be undone, checked before anything of it runs.
   */
  fencedStartStatement(key: StepKey, checksum: string | null, fence: Statement): Statement {
    const start = this.startStatement(key, checksum);
    const insert = start.sql.slice(0, start.sql.indexOf(" VALUES "));
    const values = (start.params ?? []).map(() => "?").join(", ");
    return {
      sql: `${insert} SELECT ${values}${this.dialect.compiler.fromNothing} WHERE ${fence.sql}`,
      params: [...(start.params ?? []), ...(fence.params ?? [])],
      expectRows: 1,
      bookkeeping: true,
    };
  }

  /** For MySQL's one-statement finish: the SET and WHERE that close the step's `running` row, with the table aliased `l`. */
  closedInPlace(key: StepKey, status: "done" | "failed"): { table: string; set: Statement; where: Statement } {
    const q = (n: string) => this.q(n);
    return {
      table: `${this.quoted} l`,
      set: { sql: `l.${q("status")} = ?, l.${q("finished_at")} = ?`, params: [status, timestamp()] },
      where: {
        sql:
          `l.${q("repository")} = ? AND l.${q("revision")} = ? AND l.${q("phase")} = ? AND l.${q("direction")} = ? ` +
          `AND l.${q("status")} = 'running'`,
        params: [key.repository, key.revision, key.phase, key.direction],
      },
    };
  }

  /** Closes the step's `running` row (only one can exist: runners hold the lock and a running row blocks). */
  finishStatement(key: StepKey, status: "done" | "failed", error?: string): Statement {
    return {
      sql: this.sqlOfSteps.finish,
      params: [status, timestamp(), error ?? null, key.repository, key.revision, key.phase, key.direction],
      bookkeeping: true,
    };
  }

  /** Records how far a backfill got, on the step's `running` row. */
  progressStatement(key: StepKey, progress: string): Statement {
    const q = (n: string) => this.q(n);
    return {
      sql:
        `UPDATE ${this.quoted} SET ${q("progress")} = ? WHERE ${q("repository")} = ? AND ${q("revision")} = ? ` +
        `AND ${q("phase")} = ? AND ${q("direction")} = ? AND ${q("status")} = 'running'`,
      params: [progress, key.repository, key.revision, key.phase, key.direction],
      bookkeeping: true,
    };
  }

  /**
   * The same, with the value an SQL expression instead of a parameter: on
   * PostgreSQL a backfill batch writes it in the batch's own statement (a CTE).
   */
  progressFromSql(key: StepKey, valueSql: string): Statement {
    const q = (n: string) => this.q(n);
    return {
      sql:
        `UPDATE ${this.quoted} SET ${q("progress")} = ${valueSql} WHERE ${q("repository")} = ? AND ${q("revision")} = ? ` +
        `AND ${q("phase")} = ? AND ${q("direction")} = ? AND ${q("status")} = 'running'`,
      params: [key.repository, key.revision, key.phase, key.direction],
      bookkeeping: true,
    };
  }

  /** Steps left `running` or `failed`: they block further runs of the repository. */
  async unfinished(connection: Connection, repository: string): Promise<LogRow[]> {
    const q = (n: string) => this.q(n);
    const rows = await connection.query(
      `SELECT * FROM ${this.quoted} WHERE ${q("repository")} = ? AND ${q("status")} IN ('running', 'failed') ORDER BY ${q("id")}`,
      [repository],
    );
    return rows.map(toLogRow);
  }

  /** The checksum each applied step last ran with: the newest `done` up-step per (revision, phase). */
  async appliedChecksums(connection: Connection, repository: string): Promise<Map<string, LogRow>> {
    const q = (n: string) => this.q(n);
    const rows = await connection.query(
      `SELECT * FROM ${this.quoted} WHERE ${q("repository")} = ? AND ${q("status")} = 'done' AND ${q("direction")} = 'up' ORDER BY ${q("id")}`,
      [repository],
    );
    const latest = new Map<string, LogRow>();
    for (const row of rows.map(toLogRow)) latest.set(`${row.revision}\u0000${row.phase}`, row);
    return latest;
  }

  /**
   * `sync --abort`: forgets the `running` row of a backfill that stopped
   * half way (`--max-count`, Ctrl-C) in a window being undone, so that a
   * new window's migrate starts from its first row, not from where the old
   * one stopped. The abort step's own row keeps the history.
   */
  abandonStatement(key: StepKey): Statement {
    const q = (n: string) => this.q(n);
    return {
      sql:
        `DELETE FROM ${this.quoted} WHERE ${q("repository")} = ? AND ${q("revision")} = ? AND ${q("phase")} = ? ` +
        `AND ${q("direction")} = ? AND ${q("status")} = 'running'`,
      params: [key.repository, key.revision, key.phase, key.direction],
      bookkeeping: true,
    };
  }

  repairStatement(repository: string): Statement {
    const q = (n: string) => this.q(n);
    return {
      sql: `DELETE FROM ${this.quoted} WHERE ${q("repository")} = ? AND ${q("status")} IN ('running', 'failed')`,
      params: [repository],
      bookkeeping: true,
    };
  }
}

function toLogRow(row: Record<string, unknown>): LogRow {
  const text = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));
  return {
    repository: String(row.repository),
    revision: String(row.revision),
    phase: String(row.phase ?? ""),
    direction: String(row.direction) as StepDirection,
    checksum: text(row.checksum),
    status: String(row.status) as StepStatus,
    startedAt: String(row.started_at),
    finishedAt: text(row.finished_at),
    error: text(row.error),
    progress: text(row.progress),
  };
}
