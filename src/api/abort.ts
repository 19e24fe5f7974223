/**
 * `sync --abort`: undoes the expand steps of the open window (revisions
 * whose expand ran and whose contract did not), newest first, as pgroll's
 * rollback and Reshape's abort do. Each revision becomes one step (phase
 * `expand`, direction `down`) that drops what its expand added — triggers
 * first — and moves the expand row (and the migrate row, when migrate ran)
 * back to where contract is: the old release is the only one again.
 *
 * Everything is decided before anything runs: a repository with no open
 * window, a migrate step that changed data the old release reads, or an
 * expand step abort cannot invert refuse the whole command
 * (AbortRefusedError). The steps run through the runner like any other, so
 * they take the lock, are fenced on the version rows, are logged, and roll
 * back whole where DDL is transactional.
 */
import { AbortRefusedError, UsageError } from "../errors.js";
import { groupRows } from "../graph/phase-plan.js";
import { appliedClosure, headsAfter, planDowngrade } from "../graph/planner.js";
import type { ResolvedTarget } from "../graph/target.js";
import { loadSqlClassifier } from "../phases/sql-classifier.js";
import type { PlannedStep, RowChange, StepResult } from "../runtime/runner.js";
import type { RevisionMap } from "../graph/revision-map.js";
import type { Revision } from "../graph/revision.js";
import { abortStep, type AbortEnvironment } from "./abort-step.js";
import { onlineRunner } from "./online-runner.js";
import type { RepositoryHandle } from "./project.js";
import type { Session } from "./session.js";
import type { AbortOptions, RepositoryRun, RunResult } from "./types.js";
import type { Workspace } from "./workspace.js";

export interface PlannedAbort {
  readonly repository: RepositoryHandle;
  readonly before: RepositoryRun["before"];
  readonly steps: readonly PlannedStep[];
}

/** The repositories an abort looks at; throws UsageError for a plain one named, or none rolling under --all. */
export function abortSelection(workspace: Workspace, options: AbortOptions): RepositoryHandle[] {
  // With --all, the plain repositories have no window: only rolling ones are looked at.
  const selected = workspace.selectForChange(options);
  const repositories = options.all === true ? selected.filter((repository) => repository.rolling) : selected;
  if (repositories.length === 0) {
    throw new UsageError("sync --abort --all found no rolling repository: there is no window to undo.");
  }
  for (const repository of repositories) {
    if (!repository.rolling) {
      throw new UsageError(
        `sync --abort undoes the open window of a rolling repository; repository ${repository.config.name} is not rolling ` +
          "(use `tidemark downgrade` there).",
      );
    }
  }
  return repositories;
}

/** Every selected repository's abort steps, read from the database; throws AbortRefusedError when no window is open. */
export async function planAbortSteps(
  workspace: Workspace,
  session: Session,
  repositories: readonly RepositoryHandle[],
): Promise<PlannedAbort[]> {
  if (!session.databaseExists()) throw noWindow(repositories.map((r) => r.config.name));
  await loadSqlClassifier(session.dialect.name);
  const planned: PlannedAbort[] = [];
  for (const repository of repositories) planned.push(await planAbort(workspace, session, repository));
  if (planned.every((p) => p.steps.length === 0)) throw noWindow(repositories.map((r) => r.config.name));
  return planned;
}

export async function abortWindow(workspace: Workspace, options: AbortOptions): Promise<RunResult> {
  const repositories = abortSelection(workspace, options);
  const session = await workspace.session();
  if (!session.databaseExists()) throw noWindow(repositories.map((r) => r.config.name));
  const lock = await session.lock();
  try {
    const planned = await planAbortSteps(workspace, session, repositories);
    const connection = await session.connect();
    const runner = onlineRunner(workspace, session, connection, {
      singleTransaction: false,
      ensureTables: [],
      verifyLock: (fresh) => lock.verify(fresh),
      ...(lock.heldCondition === undefined ? {} : { lockHeldCondition: lock.heldCondition }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    let results: StepResult[];
    try {
      results = await workspace.whileRunning(() => runner.run(planned.flatMap((p) => p.steps)));
    } finally {
      session.forgetTables();
    }
    const out: RepositoryRun[] = [];
    for (const p of planned) {
      out.push({
        repository: p.repository.config.name,
        before: p.before,
        after: await session.versionRows(p.repository.config.versionTable, p.repository.config.id),
        steps: results.filter((result) => result.repository === p.repository.config.name),
      });
    }
    return { repositories: out };
  } finally {
    await lock.release();
  }
}

function noWindow(names: readonly string[]): AbortRefusedError {
  return new AbortRefusedError(
    `Nothing to abort in repository ${names.join(", ")}: no expand step is waiting for its contract (the window is ` +
      "closed, or already contracted). To go back past a contracted revision, use `tidemark downgrade`.",
    { fields: { repositories: [...names] } },
  );
}

/** The abort steps of one repository, newest revision first; [] when its window is closed. */
async function planAbort(workspace: Workspace, session: Session, repository: RepositoryHandle): Promise<PlannedAbort> {
  const { config, map } = repository;
  // A backfill stopped half way (--max-count, Ctrl-C) leaves its step `running` but not blocking: it wrote rows.
  const halfDone = await session.assertNotBlocked(config.name, config.id);
  const rowList = await session.versionRows(config.versionTable, config.id);
  const rows = groupRows(rowList);
  const expand = rows.get("expand") ?? [];
  const migrate = rows.get("migrate") ?? [];
  const contract = rows.get("contract") ?? [];
  if (contract.length > 1) {
    throw new AbortRefusedError(
      `Repository ${config.name} has ${contract.length} contracted heads (${contract.join(", ")}); abort needs one line ` +
        "of history to go back to. Nothing was changed.",
    );
  }
  const steps: PlannedStep[] = [];
  const env: AbortEnvironment = {
    dialect: session.dialect,
    store: session.versionStore(config.versionTable),
    logStore: session.logStore,
    load: workspace.scripts,
  };
  for (const step of windowSteps(map, { expand, migrate, contract })) {
    const half = halfDone.has(step.revision.id);
    const options = { checkMigrate: step.migrated || half, forgetBackfill: half };
    steps.push(await abortStep(env, repository, step.revision, options, step.changes));
  }
  return { repository, before: rowList, steps };
}

export interface WindowStep {
  readonly revision: Revision;
  /** Did migrate run for it (its row is moved back too)? */
  readonly migrated: boolean;
  readonly changes: PlannedStep["changes"];
}

/**
 * The revisions of the open window, newest first — expanded, not contracted
 * — each with the version-row changes that undo it: the expand row, and the
 * migrate row where migrate ran, moved back one revision.
 */
export function windowSteps(
  map: RevisionMap,
  heads: { readonly expand: readonly string[]; readonly migrate: readonly string[]; readonly contract: readonly string[] },
): WindowStep[] {
  const target: ResolvedTarget = heads.contract.length === 0 ? { kind: "base" } : { kind: "revisions", ids: heads.contract };
  const contracted = appliedClosure(map, heads.contract);
  const order = planDowngrade(map, heads.expand, target).filter((step) => !contracted.has(step.revision));
  let expand = heads.expand;
  let migrate = heads.migrate;
  return order.map(({ revision: id }) => {
    const changes: RowChange[] = [];
    const expandAfter = headsAfter(map, expand, { revision: id, direction: "down" });
    changes.push({ phase: "expand", before: expand, after: expandAfter });
    expand = expandAfter;
    const migrated = appliedClosure(map, migrate).has(id);
    if (migrated) {
      const migrateAfter = headsAfter(map, migrate, { revision: id, direction: "down" });
      changes.push({ phase: "migrate", before: migrate, after: migrateAfter });
      migrate = migrateAfter;
    }
    return { revision: map.require(id), migrated, changes };
  });
}
