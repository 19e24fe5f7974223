/**
 * `sync --abort --sql START:END`: the SQL of an abort, without a database.
 * START is where contract is (the old release's position; empty for base),
 * END where expand is. The script first checks that the database is there
 * (expand rows at END, contract rows at START; it stops at the first error
 * otherwise), then undoes each revision's expand, newest first, exactly as
 * online. Offline nothing says whether migrate ran, so migrate must have
 * only filled what expand added, and the migrate row is moved back only
 * where it stands on the revision undone (the statement matches no row
 * otherwise); a half-done backfill's `running` row is forgotten if there is
 * one.
 */
import { checkRequiredDbs } from "../config/migrate-cfg.js";
import { SchemaTracker } from "../dialects/schema-tracker.js";
import { UsageError } from "../errors.js";
import { sketchRollingUpgrade, sketchSync } from "../graph/phase-plan.js";
import { PHASES } from "../graph/revision.js";
import { resolveTarget, targetIds } from "../graph/target.js";
import { loadSqlClassifier } from "../phases/sql-classifier.js";
import { LogStore } from "../runtime/log-store.js";
import { guardStatements } from "../runtime/offline-guard.js";
import { OfflineSink } from "../runtime/sink.js";
import { VersionStore } from "../runtime/version-store.js";
import type { Dialect } from "../dialects/dialect.js";
import { abortStep, type AbortEnvironment } from "./abort-step.js";
import { windowSteps } from "./abort.js";
import { offlineDialect } from "./offline.js";
import type { RepositoryHandle } from "./project.js";
import type { OfflineOptions } from "./types.js";
import type { Workspace } from "./workspace.js";
import { offlineRunner } from "./offline-runner.js";

function parseWindow(target: string | undefined): { readonly start: string | undefined; readonly end: string } {
  const parts = (target ?? "").split(":");
  if (parts.length !== 2 || parts[1] === "") {
    throw new UsageError(
      "sync --abort --sql needs a range START:END (e.g. `sync --abort --sql 1:3`): START where contract is, END where " +
        "expand is (`:3` for a window that starts at base); offline mode cannot read the version rows.",
    );
  }
  return { start: parts[0] === "" ? undefined : parts[0], end: parts[1] as string };
}

export async function renderAbortSql(workspace: Workspace, target: string | undefined, options: OfflineOptions): Promise<string> {
  const range = parseWindow(target);
  const dialect = await offlineDialect(workspace, options.dialect);
  const repositories = workspace.project.select(options);
  for (const repository of repositories) {
    checkRequiredDbs(repository.config, dialect.name);
    if (!repository.rolling) {
      throw new UsageError(
        `sync --abort undoes the open window of a rolling repository; ${repository.config.name} is not rolling.`,
      );
    }
  }
  await loadSqlClassifier(dialect.name);
  const schema = dialect.caps.schemas ? workspace.requestedSchema : undefined;
  const sink = new OfflineSink(dialect);
  for (const line of dialect.transactions.offlinePrelude) sink.raw(line);
  if (schema !== undefined && dialect.transactions.useSchema !== undefined)
    await sink.emit(dialect.transactions.useSchema(schema));
  for (const repository of repositories) await renderRepository(workspace, sink, dialect, repository, range, schema);
  return sink.text();
}

async function renderRepository(
  workspace: Workspace,
  sink: OfflineSink,
  dialect: Dialect,
  repository: RepositoryHandle,
  range: { readonly start: string | undefined; readonly end: string },
  schema: string | undefined,
): Promise<void> {
  const { map, config, scheme } = repository;
  const startIds = range.start === undefined ? [] : targetIds(resolveTarget(map, range.start, [], scheme));
  const endIds = targetIds(resolveTarget(map, range.end, startIds, scheme, "any"));
  const ancestors = map.ancestors(endIds, { inclusive: true });
  if (endIds.length === 0 || !startIds.every((id) => ancestors.has(id)) || startIds.join() === endIds.join()) {
    throw new UsageError(
      `${range.start ?? "base"}:${range.end} is not an open window of repository ${config.name}: END (where expand is) must ` +
        "be above START (where contract is).",
    );
  }
  const store = new VersionStore(dialect, config.versionTable, schema);
  const logStore = new LogStore(dialect, schema);
  sink.comment(
    `tidemark: repository ${config.name}, abort the window ${range.start ?? "base"} -> ${range.end} (${dialect.name})`,
  );
  const expected = (phases: readonly string[], versions: readonly string[]) =>
    guardStatements(dialect, { versionTable: config.versionTable, repositoryId: config.id, phases, versions }, schema);
  for (const statement of [...expected(["expand"], endIds), ...expected(["contract"], startIds)]) await sink.emit(statement);

  const env: AbortEnvironment = { dialect, store, logStore, load: workspace.scripts };
  const steps = [];
  for (const step of windowSteps(map, { expand: endIds, migrate: endIds, contract: startIds })) {
    steps.push(await abortStep(env, repository, step.revision, { checkMigrate: true, forgetBackfill: true }, step.changes));
  }

  // Table shapes (a SQLite rebuild needs them): everything up to START, then the expand steps of the window.
  const atStart = new Map(PHASES.map((phase) => [phase, startIds]));
  const runner = offlineRunner({
    dialect,
    sink,
    logStore,
    store,
    schema,
    tracker: new SchemaTracker(dialect),
    repository,
    earlier: () => [
      ...(range.start === undefined
        ? []
        : sketchSync(map, true, new Map(), resolveTarget(map, range.start, [], scheme), undefined)),
      ...sketchRollingUpgrade(map, atStart, { kind: "revisions", ids: endIds }, ["expand"]),
    ],
    unknownTable: (table, failed, running) =>
      `${running}: offline SQL for ${dialect.name} needs the shape of table ${table} to undo this change, and rendering ` +
      `the revisions up to ${range.end} offline ${failed === undefined ? "did not create it" : `failed: ${failed}`}.`,
  });
  await runner.run(steps);
}
