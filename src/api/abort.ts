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
import { stepFile, type Revision } from "../graph/revision.js";
import type { ResolvedTarget } from "../graph/target.js";
import type { Op } from "../ops/op.js";
import type { GuardStatement } from "../phases/guard.js";
import { loadSqlClassifier } from "../phases/sql-classifier.js";
import { fileChecksum } from "../repo/checksum.js";
import type { LoadedBody } from "../repo/loader.js";
import { recordBody } from "../runtime/record.js";
import type { PlannedStep, StepResult } from "../runtime/runner.js";
import { assertMigrateUndoable, undoExpand, type AbortContext, type MigrateCall } from "./abort-plan.js";
import { onlineRunner } from "./online-runner.js";
import type { RepositoryHandle } from "./project.js";
import type { Session } from "./session.js";
import type { AbortOptions, RepositoryRun, RunResult } from "./types.js";
import type { Workspace } from "./workspace.js";

interface Planned {
  readonly repository: RepositoryHandle;
  readonly before: RepositoryRun["before"];
  readonly steps: readonly PlannedStep[];
}

export async function abortWindow(workspace: Workspace, options: AbortOptions): Promise<RunResult> {
  const repositories = workspace.selectForChange(options);
  for (const repository of repositories) {
    if (!repository.rolling) {
      throw new UsageError(
        `sync --abort undoes the open window of a rolling repository; repository ${repository.config.name} is not rolling ` +
          "(use `tidemark downgrade` there).",
      );
    }
  }
  const session = await workspace.session();
  if (!session.databaseExists()) throw noWindow(repositories.map((r) => r.config.name));
  const lock = await session.lock();
  try {
    await loadSqlClassifier(session.dialect.name);
    const planned: Planned[] = [];
    for (const repository of repositories) planned.push(await planAbort(workspace, session, repository));
    if (planned.every((p) => p.steps.length === 0)) throw noWindow(repositories.map((r) => r.config.name));
    const connection = await session.connect();
    const runner = onlineRunner(workspace, session, connection, {
      singleTransaction: false,
      ensureTables: [],
      verifyLock: () => lock.verify(),
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
async function planAbort(workspace: Workspace, session: Session, repository: RepositoryHandle): Promise<Planned> {
  const { config, map } = repository;
  // A backfill stopped half way (--max-count, Ctrl-C) leaves its step `running` but not blocking: it wrote rows.
  const halfDone = await session.assertNotBlocked(config.name, config.id);
  const rowList = await session.versionRows(config.versionTable, config.id);
  const rows = groupRows(rowList);
  const expand = rows.get("expand") ?? [];
  let migrate: readonly string[] = rows.get("migrate") ?? [];
  const contract = rows.get("contract") ?? [];
  if (contract.length > 1) {
    throw new AbortRefusedError(
      `Repository ${config.name} has ${contract.length} contracted heads (${contract.join(", ")}); abort needs one line ` +
        "of history to go back to. Nothing was changed.",
    );
  }
  const target: ResolvedTarget = contract.length === 0 ? { kind: "base" } : { kind: "revisions", ids: contract };
  const contracted = appliedClosure(map, contract);
  const order = planDowngrade(map, expand, target).filter((step) => !contracted.has(step.revision));
  const steps: PlannedStep[] = [];
  let expandHeads: readonly string[] = expand;
  for (const { revision: id } of order) {
    const revision = map.require(id);
    const changes = [];
    const expandAfter = headsAfter(map, expandHeads, { revision: id, direction: "down" });
    changes.push({ phase: "expand", before: expandHeads, after: expandAfter });
    expandHeads = expandAfter;
    const migrated = appliedClosure(map, migrate).has(id);
    if (migrated) {
      const migrateAfter = headsAfter(map, migrate, { revision: id, direction: "down" });
      changes.push({ phase: "migrate", before: migrate, after: migrateAfter });
      migrate = migrateAfter;
    }
    steps.push(await abortStep(workspace, session, repository, revision, { migrated, halfDone: halfDone.has(id) }, changes));
  }
  return { repository, before: rowList, steps };
}

async function abortStep(
  workspace: Workspace,
  session: Session,
  repository: RepositoryHandle,
  revision: Revision,
  migrate: { readonly migrated: boolean; readonly halfDone: boolean },
  changes: PlannedStep["changes"],
): Promise<PlannedStep> {
  const { dialect } = session;
  const loaded = await workspace.scripts(revision, dialect.name);
  const expandBody = loaded.bodies.expand;
  const file = expandBody?.file ?? stepFile(revision, "expand") ?? "";
  const ctx: AbortContext = { dialect: dialect.name, revision: revision.id, repository: repository.config.name, file };
  const connection = await session.connect();
  const read = (sql: string, params: readonly unknown[]) => connection.query(sql, params);
  const undo = undoExpand(await expandContent(expandBody, session, file, read), ctx);
  if (migrate.migrated || migrate.halfDone) {
    const migrateBody = loaded.bodies.migrate;
    const migrateFile = migrateBody?.file ?? stepFile(revision, "migrate") ?? file;
    assertMigrateUndoable(await migrateContent(migrateBody, dialect.name), undo.added, { ...ctx, file: migrateFile });
  }
  return {
    repository: repository.config.name,
    repositoryId: repository.config.id,
    store: session.versionStore(repository.config.versionTable),
    revision,
    phase: "expand",
    direction: "down",
    body: {
      kind: "function",
      file,
      run: async (op) => {
        await runUndo(op as UndoBuilder, undo.ops);
        if (migrate.halfDone) {
          const forget = session.logStore.abandonStatement({
            repository: repository.config.id,
            revision: revision.id,
            phase: "migrate",
            direction: "up",
          });
          await (op as UndoBuilder).execute(forget.sql, forget.params ?? []);
        }
      },
    },
    checksum: file === "" ? null : (loaded.checksums.get(file) ?? fileChecksum(file)),
    changes,
    alreadyDone: (rows) => {
      const heads = rows.filter((row) => row.phase === "expand").map((row) => row.version);
      return !appliedClosure(
        repository.map,
        heads.filter((id) => repository.map.has(id)),
      ).has(revision.id);
    },
  };
}

async function expandContent(
  body: LoadedBody | undefined,
  session: Session,
  file: string,
  read: (sql: string, params: readonly unknown[]) => Promise<Record<string, unknown>[]>,
): Promise<{ readonly ops?: readonly Op[]; readonly statements?: readonly GuardStatement[] }> {
  if (body === undefined) return {};
  if (body.kind === "sql") return { statements: body.statements as readonly GuardStatement[] };
  return { ops: await recordBody(body, { dialect: session.dialect, who: `${file} (expand, for abort)`, query: read }) };
}

/** What a migrate body calls, seen by a stand-in `op` that runs nothing (reads return no rows). */
async function migrateContent(
  body: LoadedBody | undefined,
  dialect: string,
): Promise<{ readonly calls?: readonly MigrateCall[]; readonly statements?: readonly GuardStatement[] }> {
  if (body === undefined) return {};
  if (body.kind === "sql") return { statements: body.statements as readonly GuardStatement[] };
  const calls: MigrateCall[] = [];
  const standIn = new Proxy(
    {},
    {
      get(_target, property) {
        if (property === "then") return undefined;
        if (property === "offline") return false;
        if (property === "dialect") return dialect;
        if (property === "sql") return (sql: string) => ({ kind: "sql", sql });
        if (property === "drain") return () => Promise.resolve();
        return (...args: unknown[]) => {
          calls.push({ method: String(property), args });
          if (property === "query") return Promise.resolve([]);
          if (property === "backfill") return Promise.resolve({ rows: 0, batches: 0, stopped: false });
          return Promise.resolve();
        };
      },
    },
  );
  await body.run(standIn);
  return { calls };
}

/** The builder methods the undo uses. */
interface UndoBuilder {
  dropSync(options: { table: string; name: string }): Promise<void>;
  allowWrites(table: string): Promise<void>;
  dropTable(table: string): Promise<void>;
  dropColumn(table: string, column: string): Promise<void>;
  dropIndex(table: string, name: string): Promise<void>;
  dropConstraint(
    table: string,
    name: string,
    options?: { type?: "foreignKey" | "unique" | "check" | "primaryKey" },
  ): Promise<void>;
  dropView(name: string): Promise<void>;
  execute(sql: string, params?: readonly unknown[]): Promise<void>;
}

async function runUndo(op: UndoBuilder, ops: readonly Op[]): Promise<void> {
  for (const undo of ops) {
    switch (undo.kind) {
      case "dropSync":
        await op.dropSync({ table: undo.table, name: undo.name });
        break;
      case "allowWrites":
        await op.allowWrites(undo.table);
        break;
      case "dropTable":
        await op.dropTable(undo.table);
        break;
      case "dropColumn":
        await op.dropColumn(undo.table, undo.column);
        break;
      case "dropIndex":
        await op.dropIndex(undo.table, undo.name);
        break;
      case "dropConstraint":
        await op.dropConstraint(undo.table, undo.name, undo.type === undefined ? {} : { type: undo.type });
        break;
      case "dropView":
        await op.dropView(undo.name);
        break;
      case "execute":
        await op.execute(undo.sql);
        break;
      default:
        throw new Error(`abort has no undo for ${undo.kind}`);
    }
  }
}
