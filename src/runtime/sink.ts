/**
 * The end of the one funnel: every statement — an op's SQL, a transaction
 * boundary, a version-table write — is emitted into a sink. The online sink
 * executes it; the offline sink prints it. Nothing else differs.
 */
import type { Connection, Dialect, ExecResult, Row, Statement } from "../dialects/dialect.js";
import { OfflineError } from "../errors.js";
import { renderStatement } from "./render-sql.js";

export interface StatementSink {
  readonly offline: boolean;
  /** emitBatch sends its statements in one round trip, and a broken fence stops it (so a whole step may go in one). */
  readonly sendsBatchesAtOnce?: boolean;
  emit(statement: Statement): Promise<ExecResult>;
  /** Several statements, in one round trip where the connection can (see Connection.executeBatch). */
  emitBatch(statements: readonly Statement[]): Promise<ExecResult[]>;
  /**
   * Where set, a batch sent while earlier ones still run (Connection.pipelinesBatches).
   * The listener hears of its statements at `announce`, so that the events of
   * a step sent ahead still come after those of the step before it.
   */
  readonly sendAhead?: (statements: readonly Statement[]) => SentAhead;
  /** Reads rows; the offline sink refuses, naming `who` asked. */
  query(sql: string, params: readonly unknown[], who: string): Promise<Row[]>;
}

export type StatementListener = (statement: Statement) => void;

export interface SentAhead {
  readonly results: Promise<ExecResult[]>;
  announce(): void;
}

export class ConnectionSink implements StatementSink {
  readonly offline = false;

  get sendsBatchesAtOnce(): boolean {
    return this.connection.executeBatch !== undefined;
  }

  readonly sendAhead?: (statements: readonly Statement[]) => SentAhead;

  constructor(
    private readonly connection: Connection,
    private readonly onStatement?: StatementListener,
  ) {
    const batch = connection.executeBatch;
    if (batch !== undefined && connection.pipelinesBatches === true) {
      this.sendAhead = (statements) => ({
        results: batch.call(connection, statements),
        announce: () => {
          for (const statement of statements) this.onStatement?.(statement);
        },
      });
    }
  }

  emit(statement: Statement): Promise<ExecResult> {
    this.onStatement?.(statement);
    if (statement.bookkeeping === true && this.connection.executeBookkeeping !== undefined) {
      return this.connection.executeBookkeeping(statement.sql, statement.params ?? []);
    }
    return this.connection.execute(statement.sql, statement.params ?? []);
  }

  async emitBatch(statements: readonly Statement[]): Promise<ExecResult[]> {
    if (statements.length > 1 && this.connection.executeBatch !== undefined) {
      for (const statement of statements) this.onStatement?.(statement);
      return this.connection.executeBatch(statements);
    }
    const results: ExecResult[] = [];
    for (const statement of statements) results.push(await this.emit(statement));
    return results;
  }

  query(sql: string, params: readonly unknown[]): Promise<Row[]> {
    this.onStatement?.({ sql, params });
    return this.connection.query(sql, params);
  }
}

const NOTHING_AFFECTED: Promise<ExecResult> = Promise.resolve({ affectedRows: 0 });
const PARTS_PER_BLOCK = 512;

/** Collects the rendered script: statements with literals inlined and the dialect's terminators. */
export class OfflineSink implements StatementSink {
  readonly offline = true;
  /** Joined text of earlier parts, in blocks: 20,000 steps' small strings then die young. */
  private readonly blocks: string[] = [];
  private parts: string[] = [];

  constructor(private readonly dialect: Dialect) {}

  private add(part: string): void {
    this.parts.push(part);
    if (this.parts.length === PARTS_PER_BLOCK) {
      this.blocks.push(this.parts.join("\n\n"));
      this.parts = [];
    }
  }

  emit(statement: Statement): Promise<ExecResult> {
    this.add(renderStatement(this.dialect, statement));
    return NOTHING_AFFECTED;
  }

  async emitBatch(statements: readonly Statement[]): Promise<ExecResult[]> {
    return Promise.all(statements.map((statement) => this.emit(statement)));
  }

  /** A comment line (`-- text`) in the output. */
  comment(text: string): void {
    this.add(
      text
        .split("\n")
        .map((line) => `-- ${line}`.trimEnd())
        .join("\n"),
    );
  }

  /** Raw text (client directives, guards) placed as written. */
  raw(text: string): void {
    this.add(text);
  }

  query(_sql: string, _params: readonly unknown[], who: string): Promise<Row[]> {
    return Promise.reject(
      new OfflineError(
        `${who} reads data (op.query), which offline mode (--sql) cannot do: there is no database to read from. ` +
          "Branch on `op.offline` in the script to skip the read when rendering SQL.",
      ),
    );
  }

  text(): string {
    const all = this.parts.length === 0 ? this.blocks : [...this.blocks, this.parts.join("\n\n")];
    return all.length === 0 ? "" : `${all.join("\n\n")}\n`;
  }
}
