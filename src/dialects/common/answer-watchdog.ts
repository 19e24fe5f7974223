/**
 * A statement may rightly run for hours (a CREATE INDEX on a big table), so
 * without `--statement-timeout` no deadline can tell a long statement from a
 * server that went silent. The watchdog asks instead: while a statement has
 * waited longer than `checkAfterMs`, it asks the server from a second session
 * what the first one is doing, and again every `checkAfterMs`:
 *
 * - running: a long statement; keep waiting;
 * - idle or gone, twice in a row: the statement ended but its answer never
 *   arrived (a connection that broke silently);
 * - no answer to the question either: the server or the network is silent.
 *
 * In the last two cases the connection is abandoned, which fails the
 * statement with a message saying so: the run ends instead of hanging.
 */
import { DatabaseError, messageOf } from "../../errors.js";
import type { Connection, ExecResult, Row, SessionActivity, Statement } from "../dialect.js";

export interface WatchdogOptions {
  /** Asks the server, from another session, what the watched session does; throws when it cannot. */
  readonly activity: (sessionId: number) => Promise<SessionActivity>;
  readonly checkAfterMs: number;
}

/** `connection`, watched; returned as it is when it has no session id or cannot be abandoned. */
export function watchAnswers(connection: Connection, options: WatchdogOptions): Connection {
  if (connection.sessionId === undefined || connection.abandon === undefined) return connection;
  return new WatchedConnection(connection, connection.sessionId, options);
}

class WatchedConnection implements Connection {
  readonly dialect: Connection["dialect"];
  readonly sessionId: number;
  readonly executeBatch?: (statements: readonly Statement[]) => Promise<ExecResult[]>;
  readonly pipelinesBatches?: boolean;
  readonly executeBookkeeping?: (sql: string, params?: readonly unknown[]) => Promise<ExecResult>;

  constructor(
    private readonly inner: Connection,
    sessionId: number,
    private readonly options: WatchdogOptions,
  ) {
    this.dialect = inner.dialect;
    this.sessionId = sessionId;
    const batch = inner.executeBatch;
    if (batch !== undefined) this.executeBatch = (statements) => this.watch(() => batch.call(inner, statements));
    if (inner.pipelinesBatches !== undefined) this.pipelinesBatches = inner.pipelinesBatches;
    const bookkeeping = inner.executeBookkeeping;
    if (bookkeeping !== undefined) {
      this.executeBookkeeping = (sql, params) => this.watch(() => bookkeeping.call(inner, sql, params));
    }
  }

  query<R extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<R[]> {
    return this.watch(() => this.inner.query<R>(sql, params));
  }

  execute(sql: string, params?: readonly unknown[]): Promise<ExecResult> {
    return this.watch(() => this.inner.execute(sql, params));
  }

  lost(): Error | undefined {
    return this.inner.lost();
  }

  abandon(reason: Error): void {
    this.inner.abandon?.(reason);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private async watch<T>(work: () => Promise<T>): Promise<T> {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    let quiet = 0;
    const started = Date.now();
    const check = async (): Promise<void> => {
      let activity: SessionActivity;
      try {
        activity = await this.options.activity(this.sessionId);
      } catch (error) {
        if (!settled) this.giveUp(started, `and a second session's question got no answer either (${messageOf(error)})`);
        return;
      }
      if (settled) return;
      quiet = activity === "running" ? 0 : quiet + 1;
      if (quiet >= 2) {
        this.giveUp(started, `although the server says the session is ${activity}: its answer was lost on the way`);
        return;
      }
      arm(quiet > 0 ? Math.min(2_000, this.options.checkAfterMs) : this.options.checkAfterMs);
    };
    const arm = (ms: number): void => {
      timer = setTimeout(() => void check(), ms);
      // The socket keeps the process alive while the statement is pending, not this timer.
      timer.unref();
    };
    arm(this.options.checkAfterMs);
    try {
      return await work();
    } finally {
      settled = true;
      clearTimeout(timer);
    }
  }

  private giveUp(started: number, why: string): void {
    const seconds = Math.round((Date.now() - started) / 1000);
    this.inner.abandon?.(
      new DatabaseError(
        `The statement got no answer for ${seconds} s, ${why}. The server or the network went silent, so tidemark ` +
          "closed the connection (the server ends its side of the session when it notices)",
        { fields: { waitedSeconds: seconds } },
      ),
    );
  }
}
