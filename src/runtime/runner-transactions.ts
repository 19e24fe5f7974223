/**
 * A run's transaction boundaries on its sink: BEGIN, the dialect's check
 * before COMMIT, COMMIT, a ROLLBACK that never hides the error being
 * reported, and the `failed` mark of a logged step.
 */
import type { Connection, Statement } from "../dialects/dialect.js";
import { messageOf } from "../errors.js";
import type { StepKey } from "./log-store.js";
import type { StepSinkSettings } from "./runner-step-sink.js";

export class RunnerTransactions {
  /** Set once a step's transaction is open, so that the dialect's check runs before its COMMIT (not for stamp). */
  private verifyPending = false;

  constructor(
    private readonly options: Pick<StepSinkSettings, "dialect" | "sink" | "logStore"> & { readonly connection?: Connection },
  ) {}

  async emitAll(statements: readonly Statement[]): Promise<void> {
    for (const statement of statements) await this.options.sink.emit(statement);
  }

  beginStatement(): Statement {
    return { sql: this.options.dialect.transactions.begin };
  }

  noteBegun(): void {
    this.verifyPending = true;
  }

  async begin(): Promise<void> {
    await this.options.sink.emit(this.beginStatement());
  }

  /**
   * The dialect's check that the step left the data consistent (SQLite:
   * foreign keys, whose enforcement is off for the run). Online it throws;
   * offline the script checks itself.
   */
  async verifyBeforeCommit(): Promise<void> {
    const { dialect, connection } = this.options;
    if (!this.verifyPending) return;
    this.verifyPending = false;
    if (connection !== undefined) await dialect.introspector.verifyStep?.(connection);
    else await this.emitAll(dialect.transactions.verifyStep ?? []);
  }

  async commit(): Promise<void> {
    await this.verifyBeforeCommit();
    await this.options.sink.emit({ sql: this.options.dialect.transactions.commit });
  }

  async teardown(): Promise<void> {
    try {
      await this.emitAll(this.options.dialect.transactions.runTeardown);
    } catch {
      // A broken connection is closed anyway; its settings die with it.
    }
  }

  async rollbackQuietly(): Promise<void> {
    this.verifyPending = false;
    try {
      await this.options.sink.emit({ sql: this.options.dialect.transactions.rollback });
    } catch {
      // The connection may be gone; the original error is the one to report.
    }
  }

  /** True when the `failed` mark was written; false when even that failed (the connection is gone). */
  async markFailed(key: StepKey, error: unknown): Promise<boolean> {
    try {
      await this.options.sink.emit(this.options.logStore.finishStatement(key, "failed", messageOf(error).slice(0, 2000)));
      return true;
    } catch {
      // Leaving the row `running` blocks the repository just the same.
      return false;
    }
  }
}
