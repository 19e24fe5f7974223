/**
 * Offline mode (`--sql`): the same plan, the same runner, the same ops —
 * only the sink differs: statements are rendered instead of executed, and no
 * connection is ever opened. The starting point is given (START of a range)
 * or base, since there is no database to read it from.
 */
import { parseDatabaseUrl } from "../config/database-url.js";
import { checkRequiredDbs } from "../config/migrate-cfg.js";
import type { Dialect } from "../dialects/dialect.js";
import { dialectName, loadDialect } from "../dialects/registry.js";
import { PHASES, type Phase } from "../graph/revision.js";
import { resolveTarget, targetIds } from "../graph/target.js";
import { UsageError } from "../errors.js";
import { LogStore } from "../runtime/log-store.js";
import { guardStatements } from "../runtime/offline-guard.js";
import { SchemaTracker } from "../dialects/schema-tracker.js";
import { OfflineSink } from "../runtime/sink.js";
import { VersionStore } from "../runtime/version-store.js";
import {
  assertDowngradable,
  placeholderRevision,
  sketchPlainDowngrade,
  sketchRollingDowngrade,
  sketchRollingUpgrade,
  sketchSync,
} from "../graph/phase-plan.js";
import { guardRollingStep } from "./rolling.js";
import { prepareSteps } from "./prepare.js";
import type { RepositoryHandle } from "./project.js";
import type { OfflineCommand, OfflineOptions } from "./types.js";
import type { Workspace } from "./workspace.js";
import { offlineRunner } from "./offline-runner.js";

interface Range {
  readonly start: string | undefined;
  readonly end: string;
}

function parseRange(command: OfflineCommand, target: string | undefined, delta: string | undefined): Range {
  if (command === "stamp") {
    if (target === undefined || target.includes(":")) throw new UsageError("stamp --sql takes one TARGET, not a range.");
    return { start: undefined, end: target };
  }
  if (delta !== undefined) {
    throw new UsageError(`--delta cannot be used with --sql: offline mode does not know where the database is; give START:END.`);
  }
  const parts = (target ?? (command === "upgrade" ? "head" : "")).split(":");
  if (parts.length > 2 || parts.some((part, index) => part === "" && !(index === 0 && parts.length === 2))) {
    throw new UsageError(`"${target}" is not a TARGET or START:END range.`);
  }
  if (command === "downgrade" && parts.length !== 2) {
    throw new UsageError(
      `downgrade --sql needs a range START:END (e.g. \`downgrade 3:1 --sql\`): offline mode cannot read where the database is.`,
    );
  }
  return parts.length === 2
    ? { start: parts[0] === "" ? undefined : parts[0], end: parts[1] as string }
    : { start: undefined, end: parts[0] as string };
}

export async function offlineDialect(workspace: Workspace, name: string | undefined): Promise<Dialect> {
  if (name !== undefined) return loadDialect(dialectName(name));
  return loadDialect(parseDatabaseUrl(workspace.config.url).dialect);
}

export async function renderOfflineSql(
  workspace: Workspace,
  command: OfflineCommand,
  target: string | undefined,
  options: OfflineOptions,
): Promise<string> {
  const range = parseRange(command, target, options.delta);
  const dialect = await offlineDialect(workspace, options.dialect);
  const repositories = workspace.project.select(options);
  for (const repository of repositories) checkRequiredDbs(repository.config, dialect.name);
  const schema = dialect.caps.schemas ? workspace.requestedSchema : undefined;
  const sink = new OfflineSink(dialect);
  // One tracker for all repositories: they share the database's tables.
  const tracker = new SchemaTracker(dialect);
  for (const line of dialect.transactions.offlinePrelude) sink.raw(line);
  if (schema !== undefined) {
    // As online: the schema exists, and unqualified names in scripts land in it.
    if (dialect.transactions.createSchema !== undefined) await sink.emit(dialect.transactions.createSchema(schema));
    if (dialect.transactions.useSchema !== undefined) await sink.emit(dialect.transactions.useSchema(schema));
  }
  for (const repository of repositories) {
    await renderRepository(sink, dialect, tracker, repository, command, range, schema, options.phase);
  }
  return sink.text();
}

async function renderRepository(
  sink: OfflineSink,
  dialect: Dialect,
  tracker: SchemaTracker,
  repository: RepositoryHandle,
  command: OfflineCommand,
  range: Range,
  schema: string | undefined,
  phase: Phase | undefined,
): Promise<void> {
  const { map, config } = repository;
  const startIds = range.start === undefined ? [] : targetIds(resolveTarget(map, range.start, [], repository.scheme));
  const end = resolveTarget(map, range.end, startIds, repository.scheme, command === "stamp" ? "any" : command);
  const endIds = targetIds(end);
  const phases = repository.rolling ? [...PHASES] : [""];
  const store = new VersionStore(dialect, config.versionTable, schema);
  const logStore = new LogStore(dialect, schema);
  const fromBase = startIds.length === 0;
  const startText = range.start === undefined ? "base" : range.start;
  sink.comment(
    `tidemark: repository ${config.name}, ${command} ${command === "stamp" ? range.end : `${startText} -> ${range.end}`} (${dialect.name})`,
  );

  const below = (lower: readonly string[], upper: readonly string[]) => {
    if (lower.length === 0) return true;
    const ancestors = map.ancestors(upper, { inclusive: true });
    return lower.every((id) => ancestors.has(id));
  };
  if (command === "upgrade" && !below(startIds, endIds)) {
    throw new UsageError(
      `${range.start} is not an ancestor of ${range.end} in repository ${config.name}; an upgrade range must go up.`,
    );
  }
  if (command === "downgrade" && !below(endIds, startIds)) {
    throw new UsageError(
      `${range.end} is not an ancestor of ${range.start} in repository ${config.name}; a downgrade range must go down.`,
    );
  }

  const ensure = fromBase || command === "stamp" ? [...store.createStatements(), ...logStore.createStatements()] : [];
  // Above base, the tables made below START are learnt by replaying those revisions, once and only when needed.
  const runner = offlineRunner({
    dialect,
    sink,
    logStore,
    store,
    schema,
    tracker,
    repository,
    earlier:
      fromBase || command === "stamp"
        ? undefined
        : () =>
            sketchSync(map, repository.rolling, new Map(), resolveTarget(map, range.start!, [], repository.scheme), undefined),
    unknownTable: (table, failed, running) => {
      const why =
        failed === undefined
          ? `${tracker.explainUnknown(table)}.`
          : `The range starts at ${range.start}, so the tables created below it are known only by rendering the ` +
            `revisions from base to ${range.start} offline, and that failed: ${failed}`;
      return (
        `${running}: offline SQL for ${dialect.name} needs the current shape of table ${table} to render this change (a table ` +
        `rebuild or a full column redefinition), and there is no database to read it from: ${why}`
      );
    },
  });
  for (const statement of ensure) await sink.emit(statement);
  if (range.start !== undefined) {
    for (const statement of guardStatements(
      dialect,
      { versionTable: config.versionTable, repositoryId: config.id, phases, versions: startIds },
      schema,
    )) {
      await sink.emit(statement);
    }
  }

  if (command === "stamp") {
    const changes = phases.map((phase) => ({ phase, before: [] as string[], after: endIds }));
    const revision = map.get(endIds[0] ?? "");
    await runner.stamp(
      {
        repository: config.name,
        repositoryId: config.id,
        store,
        revision: revision ?? placeholderRevision("base"),
        phase: "",
        direction: "stamp",
        checksum: null,
        changes,
      },
      [store.purgeStatement(config.id)],
    );
    return;
  }

  const rows = new Map(phases.map((phase) => [phase, startIds]));
  const sketches =
    command === "upgrade"
      ? repository.rolling
        ? sketchRollingUpgrade(map, rows, end, phase === undefined ? undefined : [phase])
        : sketchSync(map, false, rows, end, phase)
      : repository.rolling
        ? sketchRollingDowngrade(map, rows, end)
        : sketchPlainDowngrade(map, rows, end);
  if (command === "downgrade") assertDowngradable(sketches, config.name);
  const steps = await prepareSteps(
    repository,
    sketches,
    { dialect, versionStore: () => store },
    repository.rolling ? { decorate: (step, loaded) => guardRollingStep(step, loaded, dialect, undefined) } : {},
  );
  await runner.run(steps);
}
