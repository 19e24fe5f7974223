/**
 * One `sync --abort` step: a revision's expand undone (abort-plan.ts says
 * how), as a planned step of phase `expand`, direction `down`, that the
 * runner runs like any other — online, or rendered by `--sql`.
 */
import type { Dialect } from "../dialects/dialect.js";
import { appliedClosure } from "../graph/planner.js";
import { stepFile, type Revision } from "../graph/revision.js";
import type { Op } from "../ops/op.js";
import type { GuardStatement } from "../phases/guard.js";
import { fileChecksum } from "../repo/checksum.js";
import type { LoadedBody } from "../repo/loader.js";
import type { LogStore } from "../runtime/log-store.js";
import { recordBody } from "../runtime/record.js";
import type { PlannedStep } from "../runtime/runner.js";
import type { VersionStore } from "../runtime/version-store.js";
import { assertMigrateUndoable, undoExpand, type AbortContext, type MigrateCall } from "./abort-plan.js";
import type { RepositoryHandle } from "./project.js";
import type { ScriptLoader } from "./script-cache.js";

/** What building an abort step needs, online or offline. */
export interface AbortEnvironment {
  readonly dialect: Dialect;
  readonly store: VersionStore;
  readonly logStore: LogStore;
  readonly load: ScriptLoader;
}

export interface AbortStepOptions {
  /** Migrate ran (or may have run, offline): it must have filled only what expand added. */
  readonly checkMigrate: boolean;
  /** Forget the `running` row of a backfill that stopped half way. */
  readonly forgetBackfill: boolean;
}

/** The step that undoes `revision`'s expand and applies `changes` to the version rows; throws AbortRefusedError. */
export async function abortStep(
  env: AbortEnvironment,
  repository: RepositoryHandle,
  revision: Revision,
  options: AbortStepOptions,
  changes: PlannedStep["changes"],
): Promise<PlannedStep> {
  const { dialect } = env;
  const loaded = await env.load(revision, dialect.name);
  const expandBody = loaded.bodies.expand;
  const file = expandBody?.file ?? stepFile(revision, "expand") ?? "";
  const ctx: AbortContext = {
    dialect: dialect.name,
    revision: revision.id,
    repository: repository.config.name,
    file,
    ...(dialect.caps.concurrentIndex && !revision.transactional ? { concurrentDrops: true } : {}),
  };
  const undo = undoExpand(await expandContent(expandBody, env, file), ctx);
  if (options.checkMigrate) {
    const migrateBody = loaded.bodies.migrate;
    const migrateFile = migrateBody?.file ?? stepFile(revision, "migrate") ?? file;
    assertMigrateUndoable(await migrateContent(migrateBody, dialect.name), undo.added, { ...ctx, file: migrateFile });
  }
  return {
    repository: repository.config.name,
    repositoryId: repository.config.id,
    store: env.store,
    revision,
    phase: "expand",
    direction: "down",
    body: {
      kind: "function",
      file,
      run: async (op) => {
        await runUndo(op as UndoBuilder, undo.ops);
        if (options.forgetBackfill) {
          const forget = env.logStore.abandonStatement({
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
  env: AbortEnvironment,
  file: string,
): Promise<{ readonly ops?: readonly Op[]; readonly statements?: readonly GuardStatement[] }> {
  if (body === undefined) return {};
  if (body.kind === "sql") return { statements: body.statements as readonly GuardStatement[] };
  // Recording reads no rows (runtime/record.ts): the ops an expand body builds must not depend on them.
  const who = `${file} (expand, for abort)`;
  return { ops: await recordBody(body, { dialect: env.dialect, who }) };
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
  dropIndex(table: string, name: string, options?: { concurrently?: boolean }): Promise<void>;
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
        await op.dropIndex(undo.table, undo.name, undo.concurrently === true ? { concurrently: true } : {});
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
