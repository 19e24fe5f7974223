/**
 * `--dry-run` (upgrade, downgrade, sync): connects, reads where each
 * repository is, plans exactly as the real command would, and renders the
 * plan with the offline renderer starting from those rows — the SQL that
 * would run from here. Nothing is written: no lock is taken, no table or
 * database file is created; scripts may read data (op.query goes to the
 * database), and shapes a SQLite rebuild needs are read from it.
 */
import { SchemaTracker } from "../dialects/schema-tracker.js";
import { LOG_TABLE } from "../runtime/log-store.js";
import { Runner } from "../runtime/runner.js";
import { OfflineSink } from "../runtime/sink.js";
import type { Connection, Row } from "../dialects/dialect.js";
import { type ChangePlan, planDowngrade, planSync, planUpgrade, sketchFromDatabase } from "./change.js";
import { abortDryRun } from "./abort-dry-run.js";
import { prepareSteps } from "./prepare.js";
import { guardRollingStep } from "./rolling.js";
import type { Session } from "./session.js";
import type { DryRunReport, DryRunRepository, DryRunRequest } from "./types.js";
import type { Workspace } from "./workspace.js";

/** Renders like offline mode, but reads go to the live database (read-only). */
class DryRunSink extends OfflineSink {
  constructor(
    session: Session,
    private readonly connection: Connection | undefined,
  ) {
    super(session.dialect);
  }

  override query(sql: string, params: readonly unknown[], who: string): Promise<Row[]> {
    if (this.connection === undefined) return super.query(sql, params, who);
    return this.connection.query(sql, params);
  }
}

function planOf(workspace: Workspace, request: Exclude<DryRunRequest, { readonly command: "abort" }>): ChangePlan {
  switch (request.command) {
    case "upgrade":
      return planUpgrade(workspace, request.target, request.options ?? {});
    case "downgrade":
      return planDowngrade(workspace, request.target, request.options ?? {});
    case "sync":
      return planSync(workspace, request.target, request.options ?? {});
  }
}

export async function dryRun(workspace: Workspace, request: DryRunRequest): Promise<DryRunReport> {
  if (request.command === "abort") return abortDryRun(workspace, request.options ?? {});
  const plan = planOf(workspace, request);
  const session = await workspace.session();
  const connection = await session.connectIfExists();
  const dialect = session.dialect;
  const sink = new DryRunSink(session, connection);
  const tracker = new SchemaTracker(dialect);
  let seeded: Promise<void> | undefined;
  const schema = await workspace.dbSchema();
  const reports: DryRunRepository[] = [];
  const missing = await session.missingTableStatements(plan.repositories.map((r) => r.config.versionTable));
  let tablesRendered = false;
  for (const repository of plan.repositories) {
    const { rowList, sketches } = await sketchFromDatabase(session, repository, plan);
    const steps = await prepareSteps(
      repository,
      sketches,
      session,
      repository.rolling ? { decorate: (step, loaded) => guardRollingStep(step, loaded, dialect, connection) } : {},
    );
    reports.push({
      repository: repository.config.name,
      before: rowList,
      steps: steps.map((step) => ({
        revision: step.revision.id,
        message: step.revision.message,
        phase: step.phase,
        direction: step.direction,
      })),
    });
    if (steps.length === 0) continue;
    const from =
      rowList.length === 0 ? "base" : rowList.map((row) => `${row.phase === "" ? "" : `${row.phase} `}${row.version}`).join(", ");
    sink.comment(`tidemark: repository ${repository.config.name}, ${request.command} from ${from} (${dialect.name}), dry run`);
    const runner = new Runner({
      dialect,
      sink,
      logStore: session.logStore,
      ...(schema === undefined ? {} : { dbSchema: schema }),
      singleTransaction: workspace.options.singleTransaction === true,
      // tidemark's own tables, where the database lacks them: created by the first step, as online.
      ensureTables: tablesRendered ? [] : missing,
      tableModel: async (table) => {
        seeded ??= session.tables().then((tables) => tracker.seed(tables.filter((t) => t.name !== LOG_TABLE)));
        await seeded;
        return tracker.table(table);
      },
      observe: (op) => tracker.apply(op),
      ...(plan.maxCount === undefined ? {} : { maxCount: plan.maxCount }),
    });
    tablesRendered = true;
    await runner.run(steps);
  }
  return { repositories: reports, sql: sink.text() };
}
