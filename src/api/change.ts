/**
 * The commands that move a repository: upgrade, downgrade and keystone's
 * sync. Targets are checked before the database is opened; then every
 * selected repository is planned under the migration lock, and all steps
 * run through one runner.
 */
import type { MigrationLock } from "../dialects/dialect.js";
import { UsageError } from "../errors.js";
import {
  assertDowngradable,
  groupRows,
  sketchPlainDowngrade,
  sketchPlainUpgrade,
  sketchRollingDowngrade,
  sketchRollingUpgrade,
  sketchSync,
  type StepSketch,
} from "../graph/phase-plan.js";
import { revisionFile } from "../graph/revision.js";
import { isRelativeTarget, resolveTarget, type ResolvedTarget } from "../graph/target.js";
import type { PlannedStep, StepResult } from "../runtime/runner.js";
import { assertDependencies } from "./dependencies.js";
import { onlineRunner } from "./online-runner.js";
import { prepareSteps } from "./prepare.js";
import type { RepositoryHandle } from "./project.js";
import { guardRollingStep } from "./rolling.js";
import type { Session } from "./session.js";
import { headRowsPhase } from "./head-rows.js";
import type { DowngradeOptions, RepositoryRun, RunResult, SyncOptions, UpgradeOptions } from "./types.js";
import type { Workspace } from "./workspace.js";

type Sketcher = (
  repository: RepositoryHandle,
  rows: ReadonlyMap<string, readonly string[]>,
  target: ResolvedTarget,
) => StepSketch[];

interface Planned {
  readonly repository: RepositoryHandle;
  readonly before: RepositoryRun["before"];
  readonly steps: readonly PlannedStep[];
}

export function upgrade(workspace: Workspace, target: string, options: UpgradeOptions): Promise<RunResult> {
  const effective = options.delta === undefined ? target : `+${positive(options.delta)}`;
  const repositories = workspace.selectForChange(options);
  checkTargetEarly(repositories, effective);
  return change(workspace, repositories, effective, (repository, rows, resolved) =>
    repository.rolling
      ? sketchRollingUpgrade(repository.map, rows, resolved)
      : sketchPlainUpgrade(repository.map, rows, resolved),
  );
}

export function downgrade(workspace: Workspace, target: string | undefined, options: DowngradeOptions): Promise<RunResult> {
  if (target === undefined && options.delta === undefined) {
    throw new UsageError("downgrade needs a TARGET or --delta N (e.g. `tidemark downgrade -1` or `downgrade base`).");
  }
  const effective = options.delta === undefined ? (target as string) : `-${positive(options.delta)}`;
  const repositories = workspace.selectForChange(options);
  checkTargetEarly(repositories, effective);
  return change(workspace, repositories, effective, (repository, rows, resolved) => {
    const sketches = repository.rolling
      ? sketchRollingDowngrade(repository.map, rows, resolved)
      : sketchPlainDowngrade(repository.map, rows, resolved);
    assertDowngradable(sketches, repository.config.name);
    return sketches;
  });
}

/** keystone's db_sync: up or down to VERSION; for rolling repositories one phase at a time when `phase` is given. */
export function sync(workspace: Workspace, version: string, options: SyncOptions): Promise<RunResult> {
  const repositories = workspace.selectForChange(options);
  checkTargetEarly(repositories, version);
  const sketch: Sketcher = (repository, rows, resolved) => {
    const sketches = sketchSync(repository.map, repository.rolling, rows, resolved, options.phase);
    assertDowngradable(sketches, repository.config.name);
    return sketches;
  };
  return change(workspace, repositories, version, sketch, options.maxCount);
}

/** Absolute targets are checked before the database is opened; relative ones need the applied state. */
export function checkTargetEarly(repositories: readonly RepositoryHandle[], target: string): void {
  if (target.includes(":")) {
    throw new UsageError(`A range like "${target}" is only valid with --sql (offline mode); online, give one TARGET.`);
  }
  if (isRelativeTarget(target)) return;
  for (const repository of repositories) resolveTarget(repository.map, target, [], repository.scheme);
}

/** Plans every selected repository under the lock, then runs all steps through one runner. */
async function change(
  workspace: Workspace,
  repositories: readonly RepositoryHandle[],
  target: string,
  sketch: Sketcher,
  maxCount?: number,
): Promise<RunResult> {
  const session = await workspace.session();
  // A SQLite file that does not exist yet is planned against empty version
  // rows and created only when there is a step to run, so that a refused
  // command (bad relative target, broken script) leaves no file behind.
  const exists = session.databaseExists();
  const lock = exists ? await session.lock() : undefined;
  try {
    const planned: Planned[] = [];
    for (const repository of repositories) {
      const resumable = await session.assertNotBlocked(repository.config.name, repository.config.id);
      const rowList = await session.versionRows(repository.config.versionTable, repository.config.id);
      const rows = groupRows(rowList);
      const resolved = resolveTarget(repository.map, target, rows.get(headRowsPhase(repository)) ?? [], repository.scheme);
      const sketches = sketch(repository, rows, resolved);
      const connection = exists ? await session.connect() : undefined;
      const prepared = await prepareSteps(
        repository,
        sketches,
        session,
        repository.rolling ? { decorate: (step, loaded) => guardRollingStep(step, loaded, session.dialect, connection) } : {},
      );
      const steps = prepared.map((step) => {
        const from = step.phase === "migrate" ? resumable.get(step.revision.id) : undefined;
        return from === undefined ? step : { ...step, resumeFrom: from };
      });
      planned.push({ repository, before: rowList, steps });
    }
    await assertDependencies(workspace.project, session, planned);
    const singleTransaction = workspace.options.singleTransaction === true;
    if (singleTransaction) assertSingleTransactionPossible(session, planned);
    if (!exists && planned.every((p) => p.steps.length === 0)) {
      return { repositories: planned.map((p) => ({ repository: p.repository.config.name, before: [], after: [], steps: [] })) };
    }
    return await run(workspace, session, planned, { singleTransaction, maxCount, lock });
  } finally {
    await lock?.release();
  }
}

async function run(
  workspace: Workspace,
  session: Session,
  planned: readonly Planned[],
  options: { singleTransaction: boolean; maxCount: number | undefined; lock: MigrationLock | undefined },
): Promise<RunResult> {
  const { singleTransaction, maxCount, lock } = options;
  const ensureTables = await session.missingTableStatements(planned.map((p) => p.repository.config.versionTable));
  const connection = await session.connect();
  const runner = onlineRunner(workspace, session, connection, {
    singleTransaction,
    ensureTables: planned.some((p) => p.steps.length > 0) ? ensureTables : [],
    ...(maxCount === undefined ? {} : { maxCount }),
    ...(lock === undefined ? {} : { verifyLock: () => lock.verify() }),
  });
  let results: StepResult[];
  try {
    results = await workspace.whileRunning(() => runner.run(planned.flatMap((p) => p.steps)));
  } finally {
    session.forgetTables();
  }
  const repositories: RepositoryRun[] = [];
  for (const p of planned) {
    const after = await session.versionRows(p.repository.config.versionTable, p.repository.config.id);
    repositories.push({
      repository: p.repository.config.name,
      before: p.before,
      after,
      steps: results.filter((result) => result.repository === p.repository.config.name),
    });
  }
  return { repositories };
}

function positive(delta: number): number {
  if (!Number.isInteger(delta) || delta < 1) throw new UsageError(`--delta must be a positive whole number, not ${delta}.`);
  return delta;
}

function assertSingleTransactionPossible(session: Session, planned: readonly Planned[]): void {
  if (!session.dialect.caps.transactionalDdl) {
    throw new UsageError(
      `--single-transaction needs a database with transactional DDL (PostgreSQL or SQLite); ${session.dialect.name} ` +
        "commits every DDL statement on its own, so one transaction cannot undo a failed upgrade. Nothing was run.",
    );
  }
  const outside = planned.flatMap((p) => p.steps).find((step) => !step.revision.transactional);
  if (outside !== undefined) {
    throw new UsageError(
      `--single-transaction cannot include revision ${outside.revision.id} (${revisionFile(outside.revision) ?? ""}): ` +
        "it is marked `transactional = false` and must run outside a transaction. Nothing was run.",
    );
  }
}
