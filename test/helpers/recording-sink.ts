/**
 * A StatementSink that records every statement instead of running it, so a
 * test can assert the exact sequence the runner emits. Online runs also read
 * through a Connection (version rows, the foreign-key check): `connection()`
 * records those reads in the same list, in order.
 */
import type { Connection, DialectName, ExecResult, Row, Statement } from "../../src/dialects/dialect.js";
import type { StatementSink } from "../../src/runtime/sink.js";
import { markBatchIndex } from "../../src/dialects/common/batch-index.js";

/** An emitted statement, or a read (`sink.query` or `connection.query`). */
export type Recorded = Statement | { readonly read: string; readonly params: readonly unknown[] };

export interface RecordingOptions {
  readonly offline?: boolean;
  /** The first emitted statement with exactly this SQL is recorded, then fails with `error`. */
  readonly fail?: { readonly sql: string; readonly error: Error };
  /** What a read returns (default: no rows). */
  readonly rows?: (sql: string) => Row[];
  /** Fenced statements change no row, as when another runner moved the version rows (default: they change what they must). */
  readonly fenceBroken?: boolean;
  /**
   * emitBatch stands for one round trip (as on PostgreSQL): the runner may
   * send a whole step in one; a failing statement's error carries its index
   * in the batch, and a broken fence stops the batch.
   */
  readonly atOnce?: boolean;
}

export class RecordingSink implements StatementSink {
  readonly recorded: Recorded[] = [];
  /** The statements of each emitBatch call: what the runner asked to send in one round trip. */
  readonly batches: Statement[][] = [];
  readonly offline: boolean;
  readonly sendsBatchesAtOnce: boolean;
  private failed = false;

  constructor(private readonly options: RecordingOptions = {}) {
    this.offline = options.offline ?? false;
    this.sendsBatchesAtOnce = options.atOnce ?? false;
  }

  emit(statement: Statement): Promise<ExecResult> {
    this.recorded.push(statement);
    const { fail } = this.options;
    if (fail !== undefined && !this.failed && statement.sql === fail.sql) {
      this.failed = true;
      return Promise.reject(fail.error);
    }
    const fenced = statement.expectRows;
    return Promise.resolve({ affectedRows: fenced === undefined || this.options.fenceBroken === true ? 0 : fenced });
  }

  async emitBatch(statements: readonly Statement[]): Promise<ExecResult[]> {
    this.batches.push([...statements]);
    const results: ExecResult[] = [];
    for (const [index, statement] of statements.entries()) {
      try {
        results.push(await this.emit(statement));
      } catch (error) {
        throw this.sendsBatchesAtOnce ? markBatchIndex(error as Error, index) : error;
      }
      // As on PostgreSQL: a broken fence stops the batch; nothing after it runs.
      const changed = results[index]?.affectedRows;
      if (this.sendsBatchesAtOnce && statement.expectRows !== undefined && changed !== statement.expectRows) break;
    }
    return results;
  }

  query(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    this.recorded.push({ read: sql, params });
    return Promise.resolve(this.options.rows?.(sql) ?? []);
  }

  /** A connection whose reads and writes land in this record. */
  connection(dialect: DialectName): Connection {
    return {
      dialect,
      query: <R extends Row = Row>(sql: string, params?: readonly unknown[]) => this.query(sql, params) as Promise<R[]>,
      execute: (sql, params) => this.emit(params === undefined ? { sql } : { sql, params }),
      lost: () => undefined,
      close: () => Promise.resolve(),
    };
  }
}
