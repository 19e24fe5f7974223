/**
 * `sync --abort --dry-run`: the abort planned from where the database is —
 * which revisions, and the SQL that would undo them — with nothing written
 * and no lock taken. Refusals (no open window, a migrate that cannot be
 * undone) come exactly as the real command would raise them.
 */
import type { Connection, Row } from "../dialects/dialect.js";
import { SchemaTracker } from "../dialects/schema-tracker.js";
import { LOG_TABLE } from "../runtime/log-store.js";
import { Runner } from "../runtime/runner.js";
import { OfflineSink } from "../runtime/sink.js";
import { abortSelection, planAbortSteps } from "./abort.js";
import type { AbortOptions, DryRunReport, DryRunRepository } from "./types.js";
import type { Workspace } from "./workspace.js";

/** Renders like offline mode; reads go to the live database. */
class ReadingSink extends OfflineSink {
  constructor(
    dialect: ConstructorParameters<typeof OfflineSink>[0],
    private readonly connection: Connection,
  ) {
    super(dialect);
  }

  override query(sql: string, params: readonly unknown[]): Promise<Row[]> {
    return this.connection.query(sql, params);
  }
}

export async function abortDryRun(workspace: Workspace, options: AbortOptions): Promise<DryRunReport> {
  const repositories = abortSelection(workspace, options);
  const session = await workspace.session();
  const planned = await planAbortSteps(workspace, session, repositories);
  const { dialect } = session;
  const sink = new ReadingSink(dialect, await session.connect());
  const tracker = new SchemaTracker(dialect);
  let seeded: Promise<void> | undefined;
  const schema = await workspace.dbSchema();
  const reports: DryRunRepository[] = [];
  for (const { repository, before, steps } of planned) {
    reports.push({
      repository: repository.config.name,
      before,
      steps: steps.map((step) => ({
        revision: step.revision.id,
        message: step.revision.message,
        phase: step.phase,
        direction: step.direction,
      })),
    });
    if (steps.length === 0) continue;
    const from = before.map((row) => `${row.phase} ${row.version}`).join(", ");
    sink.comment(`tidemark: repository ${repository.config.name}, abort from ${from} (${dialect.name}), dry run`);
    const runner = new Runner({
      dialect,
      sink,
      logStore: session.logStore,
      ...(schema === undefined ? {} : { dbSchema: schema }),
      singleTransaction: false,
      ensureTables: [],
      tableModel: async (table) => {
        seeded ??= session.tables().then((tables) => tracker.seed(tables.filter((t) => t.name !== LOG_TABLE)));
        await seeded;
        return tracker.table(table);
      },
      observe: (op) => tracker.apply(op),
    });
    await runner.run(steps);
  }
  return { repositories: reports, sql: sink.text() };
}
