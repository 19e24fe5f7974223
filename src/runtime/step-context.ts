/**
 * The one funnel for a step: op → guard → compile → sink. Also turns a
 * failing statement into a StatementFailure that names it, for the runner
 * to wrap with the revision and what happened to the transaction.
 */
import type { Dialect, Row, Statement } from "../dialects/dialect.js";
import type { TableModel } from "../dialects/schema-model.js";
import type { OpMethod, OpSink, QueryOptions } from "../ops/builder.js";
import type { BackfillOptions, BackfillResult } from "../ops/backfill-options.js";
import type { Execute, Op } from "../ops/op.js";
import { OfflineError } from "../errors.js";
import { splitSql } from "../sql/splitter.js";
import { refusedInTransaction } from "../sql/transaction-blocks.js";
import { refusedInTransactionError } from "./transaction-refusal.js";
import type { StatementSink } from "./sink.js";
import { backfillAsUpdate } from "./backfill.js";
import { backfillExpressionProblem } from "../phases/backfill-rules.js";

/** A statement failed; `line` is the script line for SQL scripts. */
export class StatementFailure extends Error {
  constructor(
    readonly statement: string,
    readonly line: number | undefined,
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

export interface StepContextOptions {
  readonly dialect: Dialect;
  readonly sink: StatementSink;
  /** Who is running, for messages: `revision 3 (migrations/003_x.ts)`. */
  readonly who: string;
  /** The script file, to name the line of an op.query call. */
  readonly file?: string;
  readonly dbSchema?: string;
  /** The current shape of a table, for ops that need it (SQLite rebuild). */
  readonly tableModel: (table: string) => Promise<TableModel | undefined>;
  /** Phase rules: throws PhaseRuleError to refuse an op. */
  readonly guard?: (op: Op) => void;
  readonly allow?: (method: OpMethod) => void;
  /** Fills in an op's defaults (PlannedStep.rewrite) before it is guarded, recorded and compiled. */
  readonly rewrite?: (op: Op) => Op;
  readonly backfill?: (options: BackfillOptions) => Promise<BackfillResult>;
  /** Sees every op after its statements were emitted (offline mode tracks table shapes with it). */
  readonly observe?: (op: Op) => void;
  /** Ops are recorded and not executed (used to check a step's phase rules before it runs). */
  readonly record?: Op[];
  /**
   * The step runs inside a transaction: a statement the database refuses
   * there stops it with a message that says how to mark the revision. SQL
   * scripts were checked before the run (api/prepare.ts); ops and op.execute
   * are checked here, before they are sent.
   */
  readonly inTransaction?: { readonly revision: string };
  /** Set once the run was interrupted (Ctrl-C): no further statement starts, and a failing one failed for it. */
  readonly interrupted?: () => Error | undefined;
}

export function createStepSink(options: StepContextOptions): OpSink & {
  runStatement(sql: string, line: number, unsafe?: string): Promise<void>;
  prepareStatement(sql: string, line: number, unsafe?: string): Promise<Statement[]>;
} {
  const { dialect, sink } = options;
  let currentLine: number | undefined;

  /** Raw SQL given to op.execute may hold several statements: each is run (and guarded) on its own. */
  async function run(op: Op): Promise<void> {
    if (op.kind === "execute" && (op.params === undefined || op.params.length === 0)) {
      const parts = splitSql(op.sql, dialect.name);
      if (parts.length > 1) {
        for (const part of parts) {
          const unsafe = op.unsafe ?? part.unsafe;
          await runOne({ ...op, sql: part.sql, ...(unsafe === undefined ? {} : { unsafe }) } satisfies Execute);
        }
        return;
      }
    }
    await runOne(op);
  }

  async function runOne(given: Op): Promise<void> {
    const prepared = await prepare(given);
    if (prepared === undefined) return;
    const { op, statements } = prepared;
    for (const statement of statements) {
      const stop = options.interrupted?.();
      if (stop !== undefined) throw stop;
      try {
        await sink.emit(statement);
      } catch (error) {
        // Cancelled on the server because of the interrupt: say that, not "canceling statement due to user request".
        throw new StatementFailure(statement.sql, currentLine, options.interrupted?.() ?? error);
      }
    }
    options.observe?.(op);
  }

  /** The op with its defaults, guarded and compiled; undefined when it is only recorded. */
  async function prepare(given: Op): Promise<{ op: Op; statements: Statement[] } | undefined> {
    const op = options.rewrite?.(given) ?? given;
    options.guard?.(op);
    if (options.record !== undefined) {
      options.record.push(op);
      return undefined;
    }
    let table: TableModel | undefined;
    if (dialect.compiler.needsTableModel(op) && "table" in op) {
      table = await options.tableModel(op.table);
    } else if (dialect.compiler.prefersTableModel?.(op) === true && "table" in op) {
      // Used when known (offline: only when tracked); the op compiles without it.
      table = await options.tableModel(op.table).catch(() => undefined);
    }
    const statements = dialect.compiler.compile(op, {
      ...(table === undefined ? {} : { table }),
      ...(options.dbSchema === undefined ? {} : { schema: options.dbSchema }),
    });
    if (options.inTransaction !== undefined) await refuseOutsideTransaction(op, statements, options.inTransaction.revision);
    return { op, statements };
  }

  async function refuseOutsideTransaction(op: Op, statements: readonly Statement[], revision: string): Promise<void> {
    for (const statement of statements) {
      const refused =
        statement.nonTransactional === true
          ? (/^[A-Z ]*CONCURRENTLY/i.exec(statement.sql)?.[0] ?? statement.sql.slice(0, 40))
          : op.kind === "execute"
            ? await refusedInTransaction(statement.sql, dialect.name)
            : undefined;
      if (refused !== undefined) {
        const outcome = "The step was rolled back; the database is as it was before the step.";
        throw refusedInTransactionError(options.file ?? "", currentLine, refused, revision, outcome);
      }
    }
  }

  return {
    offline: sink.offline,
    dialect: dialect.name,
    run,
    allow: options.allow,
    query: (sql: string, params: readonly unknown[], line?: number, marks: QueryOptions = {}): Promise<Row[]> => {
      // Classified like any statement (phase rules), and never run while a body is recorded: recording reads no rows.
      const op: Execute = {
        kind: "execute",
        sql,
        ...(params.length === 0 ? {} : { params }),
        ...(marks.unsafe === undefined ? {} : { unsafe: marks.unsafe }),
        ...(line === undefined ? {} : { line }),
        query: { readOnly: marks.readOnly === true },
      };
      options.guard?.(op);
      if (options.record !== undefined) {
        options.record.push(op);
        return Promise.resolve([]);
      }
      const file = options.file;
      const who = line === undefined || file === undefined ? options.who : options.who.replace(`(${file})`, `(${file}:${line})`);
      return sink.query(sql, params, who);
    },
    file: options.file,
    backfill: (backfillOptions: BackfillOptions): Promise<BackfillResult> => {
      if (options.record !== undefined) {
        // Classified as the UPDATE it stands for; expressions that are more than one expression are refused.
        const problem = backfillExpressionProblem(backfillOptions, dialect.name);
        options.record.push({
          kind: "execute",
          sql: backfillAsUpdate(dialect, backfillOptions),
          backfill: problem === undefined ? {} : { problem },
        });
        return Promise.resolve({ rows: 0, batches: 0, stopped: false });
      }
      if (options.backfill === undefined) {
        return Promise.reject(new OfflineError(`${options.who}: backfill is not available here`));
      }
      return options.backfill(backfillOptions);
    },
    async runStatement(sql: string, line: number, unsafe?: string): Promise<void> {
      currentLine = line;
      try {
        // Already one statement: the SQL script was split when it was read.
        await runOne({ kind: "execute", sql, ...(unsafe === undefined ? {} : { unsafe }) });
      } finally {
        currentLine = undefined;
      }
    },
    /**
     * A script statement guarded and compiled but not sent: the runner sends
     * it with others in one round trip (no observer sees it, so online only).
     */
    async prepareStatement(sql: string, line: number, unsafe?: string): Promise<Statement[]> {
      currentLine = line;
      try {
        const prepared = await prepare({ kind: "execute", sql, ...(unsafe === undefined ? {} : { unsafe }) });
        return prepared?.statements ?? [];
      } finally {
        currentLine = undefined;
      }
    },
  };
}
