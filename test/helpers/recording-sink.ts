/**
 * A StatementSink that records every statement instead of running it, so a
 * test can assert the exact sequence the runner emits. Online runs also read
 * through a Connection (version rows, the foreign-key check): `connection()`
 * records those reads in the same list, in order.
 */
import type { Connection, DialectName, ExecResult, Row, Statement } from "../../src/dialects/dialect.js";
import type { StatementSink } from "../../src/runtime/sink.js";

/** An emitted statement, or a read (`sink.query` or `connection.query`). */
export type Recorded = Statement | { readonly read: string; readonly params: readonly unknown[] };

export interface RecordingOptions {
  readonly offline?: boolean;
  /** The first emitted statement with exactly this SQL is recorded, then fails with `error`. */
  readonly fail?: { readonly sql: string; readonly error: Error };
  /** What a read returns (default: no rows). */
  readonly rows?: (sql: string) => Row[];
}

export class RecordingSink implements StatementSink {
  readonly recorded: Recorded[] = [];
  readonly offline: boolean;
  private failed = false;

  constructor(private readonly options: RecordingOptions = {}) {
    this.offline = options.offline ?? false;
  }

  emit(statement: Statement): Promise<ExecResult> {
    this.recorded.push(statement);
    const { fail } = this.options;
    if (fail !== undefined && !this.failed && statement.sql === fail.sql) {
      this.failed = true;
      return Promise.reject(fail.error);
    }
    return Promise.resolve({ affectedRows: 0 });
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
      close: () => Promise.resolve(),
    };
  }
}
