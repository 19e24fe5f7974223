/**
 * A RecordingSink that pipelines as PostgreSQL does (Connection
 * pipelinesBatches): `sendAhead` sends a batch while earlier ones still wait,
 * and the "server" answers everything in the order sent, each answer a
 * macrotask later. It keeps just enough state to refuse what the server
 * would: after a failure inside a transaction, every batch until ROLLBACK;
 * a fenced move of the version row whose `from` is not the committed (or
 * this transaction's) version.
 */
import type { ExecResult, Statement } from "../../src/dialects/dialect.js";
import type { SentAhead } from "../../src/runtime/sink.js";
import { markBatchIndex } from "../../src/dialects/common/batch-index.js";
import { RecordingSink, type RecordingOptions } from "./recording-sink.js";

/** What happened, in order: the runner's events (pushed by the test) and the statements the listener heard of. */
export type Timeline = string[];

export class PipelinedSink extends RecordingSink {
  /** For each batch, in the order sent: how many earlier batches had their answer when it was sent. */
  readonly answeredWhenSent: number[] = [];
  /** Whether the run's lock is held: a fence that asks for it (pg_try_advisory_xact_lock_shared) changes nothing when not. */
  lockHeld = true;
  private answered = 0;
  private server: Promise<unknown> = Promise.resolve();
  private aborted = false;
  private committed: string;
  private pending: string | undefined;

  constructor(
    options: RecordingOptions & { readonly version: string },
    private readonly timeline: Timeline = [],
  ) {
    super({ ...options, atOnce: true });
    this.committed = options.version;
  }

  readonly sendAhead = (statements: readonly Statement[]): SentAhead => ({
    results: this.enqueueBatch(statements),
    announce: () => this.hear(statements),
  });

  override emitBatch(statements: readonly Statement[]): Promise<ExecResult[]> {
    this.hear(statements);
    return this.enqueueBatch(statements);
  }

  private enqueueBatch(statements: readonly Statement[]): Promise<ExecResult[]> {
    this.batches.push([...statements]);
    this.answeredWhenSent.push(this.answered);
    return this.enqueue(statements);
  }

  override emit(statement: Statement): Promise<ExecResult> {
    return this.enqueue([statement]).then((results) => results[0] ?? { affectedRows: 0 });
  }

  private hear(statements: readonly Statement[]): void {
    this.timeline.push(...statements.map((statement) => statement.sql.split(" ")[0] ?? ""));
  }

  private enqueue(statements: readonly Statement[]): Promise<ExecResult[]> {
    const answer = this.server.then(async () => {
      await new Promise((resolve) => setImmediate(resolve));
      try {
        return await this.run(statements);
      } finally {
        this.answered += 1;
      }
    });
    this.server = answer.catch(() => undefined);
    return answer;
  }

  private async run(statements: readonly Statement[]): Promise<ExecResult[]> {
    const results: ExecResult[] = [];
    for (const [index, statement] of statements.entries()) {
      if (this.aborted && statement.sql !== "ROLLBACK") {
        throw markBatchIndex(new Error("current transaction is aborted, commands ignored until end of transaction block"), index);
      }
      let result: ExecResult;
      try {
        result = await super.emit(statement);
      } catch (error) {
        // COMMIT that fails ends the transaction (rolled back); any other failure leaves it aborted.
        if (statement.sql === "COMMIT") this.pending = undefined;
        else this.aborted = true;
        throw markBatchIndex(error as Error, index);
      }
      results.push(this.apply(statement, result));
      if (statement.expectRows !== undefined && results[index]?.affectedRows !== statement.expectRows) {
        // A broken fence stops the batch and leaves the transaction aborted.
        this.aborted = true;
        break;
      }
    }
    return results;
  }

  /** The version row: a fenced move changes it only from the version it names. */
  private apply(statement: Statement, result: ExecResult): ExecResult {
    if (statement.sql === "COMMIT") {
      this.committed = this.pending ?? this.committed;
      this.pending = undefined;
    } else if (statement.sql === "ROLLBACK") {
      this.aborted = false;
      this.pending = undefined;
    } else if (statement.expectRows !== undefined && statement.sql.startsWith("UPDATE")) {
      const [to, , , from] = statement.params ?? [];
      const lockGone = !this.lockHeld && statement.sql.includes("pg_try_advisory_xact_lock_shared");
      if (from !== (this.pending ?? this.committed) || lockGone || result.affectedRows === 0) return { affectedRows: 0 };
      this.pending = String(to);
    }
    return result;
  }
}
