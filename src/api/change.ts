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
import { isRelativeTarget, resolveTarget, type ResolvedTarget, type TargetPurpose } from "../graph/target.js";
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

/** What a changing command will do, decided before the database is read: which repositories, to where, how. */
export interface ChangePlan {
  readonly repositories: readonly RepositoryHandle[];
  readonly target: string;
  /** Which way the command goes: relative targets that go the other way are refused. */
  readonly purpose: TargetPurpose;
  readonly sketch: Sketcher;
  readonly maxCount?: number;
  readonly signal?: AbortSignal;
}

interface Planned {
  readonly repository: RepositoryHandle;
  readonly before: RepositoryRun["before"];
  readonly steps: readonly PlannedStep[];
}

export function planUpgrade(workspace: Workspace, target: string, options: UpgradeOptions): ChangePlan {
  const effective = options.delta === undefined ? target : `+${positive(options.delta)}`;
  const repositories = workspace.selectForChange(options);
  checkTargetEarly(repositories, effective, "upgrade");
  return {
    repositories,
    target: effective,
    purpose: "upgrade",
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    sketch: (repository, rows, resolved) =>
      repository.rolling
        ? sketchRollingUpgrade(repository.map, rows, resolved)
        : sketchPlainUpgrade(repository.map, rows, resolved),
  };
}

export function planDowngrade(workspace: Workspace, target: string | undefined, options: DowngradeOptions): ChangePlan {
  if (target === undefined && options.delta === undefined) {
    throw new UsageError("downgrade needs a TARGET or --delta N (e.g. `tidemark downgrade -1` or `downgrade base`).");
  }
  const effective = options.delta === undefined ? (target as string) : `-${positive(options.delta)}`;
  const repositories = workspace.selectForChange(options);
  checkTargetEarly(repositories, effective, "downgrade");
  return {
    repositories,
    target: effective,
    purpose: "downgrade",
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    sketch: (repository, rows, resolved) => {
      const sketches = repository.rolling
        ? sketchRollingDowngrade(repository.map, rows, resolved)
        : sketchPlainDowngrade(repository.map, rows, resolved);
      assertDowngradable(sketches, repository.config.name);
      return sketches;
    },
  };
}

/** keystone's db_sync: up or down to VERSION; for rolling repositories one phase at a time when `phase` is given. */
export function planSync(workspace: Workspace, version: string, options: SyncOptions): ChangePlan {
  const repositories = workspace.selectForChange(options);
  checkTargetEarly(repositories, version, "any");
  return {
    repositories,
    target: version,
    purpose: "any",
    sketch: (repository, rows, resolved) => {
      const sketches = sketchSync(repository.map, repository.rolling, rows, resolved, options.phase);
      assertDowngradable(sketches, repository.config.name);
      return sketches;
    },
    ...(options.maxCount === undefined ? {} : { maxCount: options.maxCount }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };
}

export function upgrade(workspace: Workspace, target: string, options: UpgradeOptions): Promise<RunResult> {
  return change(workspace, planUpgrade(workspace, target, options));
}

export function downgrade(workspace: Workspace, target: string | undefined, options: DowngradeOptions): Promise<RunResult> {
  return change(workspace, planDowngrade(workspace, target, options));
}

export function sync(workspace: Workspace, version: string, options: SyncOptions): Promise<RunResult> {
  return change(workspace, planSync(workspace, version, options));
}

/** One repository's steps from where the database is: its rows, the sketches, and backfills that resume. */
export async function sketchFromDatabase(
  session: Session,
  repository: RepositoryHandle,
  plan: ChangePlan,
): Promise<{ rowList: RepositoryRun["before"]; sketches: StepSketch[]; resumable: Map<string, string> }> {
  const resumable = await session.assertNotBlocked(repository.config.name, repository.config.id);
  const rowList = await session.versionRows(repository.config.versionTable, repository.config.id);
  const rows = groupRows(rowList);
  const resolved = resolveTarget(
    repository.map,
    plan.target,
    rows.get(headRowsPhase(repository)) ?? [],
    repository.scheme,
    plan.purpose,
  );
  return { rowList, sketches: plan.sketch(repository, rows, resolved), resumable };
}

/** Absolute targets are checked before the database is opened; relative ones need the applied state. */
export function checkTargetEarly(repositories: readonly RepositoryHandle[], target: string, purpose: TargetPurpose): void {
  if (target.includes(":")) {
    throw new UsageError(`A range like "${target}" is only valid with --sql (offline mode); online, give one TARGET.`);
  }
  if (isRelativeTarget(target, purpose)) return;
  for (const repository of repositories) resolveTarget(repository.map, target, [], repository.scheme, purpose);
}

/** Plans every selected repository under the lock, then runs all steps through one runner. */
async function change(workspace: Workspace, plan: ChangePlan): Promise<RunResult> {
  const session = await workspace.session();
  // A SQLite file that does not exist yet is planned against empty version
  // rows and created only when there is a step to run, so that a refused
  // command (bad relative target, broken script) leaves no file behind.
  const exists = session.databaseExists();
  const lock = exists ? await lockSaying(workspace, session) : undefined;
  try {
    const planned: Planned[] = [];
    for (const repository of plan.repositories) {
      const { rowList, sketches, resumable } = await sketchFromDatabase(session, repository, plan);
      const connection = exists ? await session.connect() : undefined;
      const prepared = await prepareSteps(repository, sketches, session, {
        load: workspace.scripts,
        ...(repository.rolling
          ? { decorate: (step, loaded) => guardRollingStep(step, loaded, session.dialect, connection) }
          : {}),
      });
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
    return await run(workspace, session, planned, { singleTransaction, maxCount: plan.maxCount, signal: plan.signal, lock });
  } finally {
    await lock?.release();
  }
}

async function run(
  workspace: Workspace,
  session: Session,
  planned: readonly Planned[],
  options: {
    singleTransaction: boolean;
    maxCount: number | undefined;
    signal: AbortSignal | undefined;
    lock: MigrationLock | undefined;
  },
): Promise<RunResult> {
  const { singleTransaction, maxCount, signal, lock } = options;
  const ensureTables = await session.missingTableStatements(planned.map((p) => p.repository.config.versionTable));
  const connection = await session.connect();
  const runner = onlineRunner(workspace, session, connection, {
    singleTransaction,
    ensureTables: planned.some((p) => p.steps.length > 0) ? ensureTables : [],
    ...(maxCount === undefined ? {} : { maxCount }),
    ...(signal === undefined ? {} : { signal }),
    ...(lock === undefined ? {} : { verifyLock: (fresh) => lock.verify(fresh) }),
    ...(lock?.heldCondition === undefined ? {} : { lockHeldCondition: lock.heldCondition }),
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

/** Takes the migration lock; when that takes more than a second, says so (another runner holds it). */
async function lockSaying(workspace: Workspace, session: Session): Promise<MigrationLock> {
  const timer = setTimeout(
    () => workspace.notify({ type: "lock-wait", timeoutSeconds: session.options.lockTimeoutSeconds }),
    LOCK_WAIT_NOTICE_MS,
  );
  try {
    return await session.lock();
  } finally {
    clearTimeout(timer);
  }
}

const LOCK_WAIT_NOTICE_MS = 1000;

export function positive(delta: number): number {
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
