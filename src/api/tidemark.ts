/**
 * The programmatic API; the CLI is one client of it. Every command checks
 * its arguments, the configuration and the revision graph before it opens
 * the database, and does its database work under the migration lock.
 */
import { resolveConfig } from "../config/resolve.js";
import { parseDatabaseUrl } from "../config/database-url.js";
import { checkRequiredDbs } from "../config/migrate-cfg.js";
import type { ResolvedConfig } from "../config/types.js";
import type { Connection, DatabaseUrl } from "../dialects/dialect.js";
import { loadDialect } from "../dialects/registry.js";
import { resolveTarget, type ResolvedTarget } from "../graph/target.js";
import { stampRows } from "../graph/planner.js";
import { splitSql } from "../repo/sql-splitter.js";
import { UsageError } from "../errors.js";
import { Runner, type PlannedStep, type RunnerOptions, type StepResult } from "../runtime/runner.js";
import { ConnectionSink } from "../runtime/sink.js";
import { Project, type RepositoryHandle } from "./project.js";
import { Session } from "./session.js";
import {
  assertDowngradable,
  groupRows,
  placeholderRevision,
  sketchPlainDowngrade,
  sketchPlainUpgrade,
  sketchRollingDowngrade,
  sketchRollingUpgrade,
  sketchSync,
  type StepSketch,
} from "./plan.js";
import { prepareSteps } from "./prepare.js";
import { guardRollingStep } from "./rolling.js";
import { assertDependencies } from "./dependencies.js";
import { dbVersion, syncCheck } from "./keystone-reports.js";
import { headRowsPhase, isRelativeTarget } from "./targets.js";
import type {
  AppliedRow,
  CurrentEntry,
  DowngradeOptions,
  OpenOptions,
  RepositoryRun,
  RunResult,
  SelectOptions,
  StampOptions,
  SyncCheckResult,
  SyncOptions,
  TidemarkEvent,
  VersionEntry,
  UpgradeOptions,
} from "./types.js";
import { renderOfflineSql, type OfflineCommand, type OfflineOptions } from "./offline.js";
import { runCheck, runValidate, type CheckOptions } from "./check.js";
import type { CheckResult } from "./types.js";
import {
  autogenerateRevision,
  diffDatabase,
  type AutogenerateOptions,
  type AutogenerateResult,
  type DiffOptions,
  type DiffResult,
} from "./autogenerate.js";

type Listener = (event: TidemarkEvent) => void;

interface Planned {
  readonly repository: RepositoryHandle;
  readonly before: readonly AppliedRow[];
  readonly steps: readonly PlannedStep[];
}

export class Tidemark {
  private sessionPromise: Promise<Session> | undefined;
  private readonly listeners = new Set<Listener>();
  readonly project: Project;
  readonly url: DatabaseUrl;

  private constructor(
    readonly config: ResolvedConfig,
    private readonly options: OpenOptions,
  ) {
    this.project = new Project(config);
    this.url = parseDatabaseUrl(config.url);
  }

  /** Resolves the configuration; no database is opened until a command needs one. */
  static async open(options: OpenOptions = {}): Promise<Tidemark> {
    const config = await resolveConfig({
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      ...(options.configFiles === undefined ? {} : { configFiles: options.configFiles }),
      ...(options.url === undefined ? {} : { url: options.url }),
      ...(options.env === undefined ? {} : { env: options.env }),
      ...(options.config === undefined ? {} : { config: options.config }),
    });
    return new Tidemark(config, options);
  }

  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(event: TidemarkEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  /** The PostgreSQL schema in use (`--schema`, else config `dbSchema`); undefined elsewhere. */
  get dbSchema(): string | undefined {
    return this.url.dialect === "postgres" ? this.requestedSchema : undefined;
  }

  /** `--schema`, else config `dbSchema`, whatever the dialect (offline mode may render for another one). */
  get requestedSchema(): string | undefined {
    return this.options.dbSchema ?? this.config.dbSchema;
  }

  /** The database session, created on first use (the dialect module loads then). */
  session(): Promise<Session> {
    const dbSchema = this.dbSchema;
    // Unqualified names in scripts land in the schema too: the session's search path is set to it.
    const url = dbSchema === undefined ? this.url : { ...this.url, params: { schema: dbSchema, ...this.url.params } };
    this.sessionPromise ??= loadDialect(this.url.dialect).then(
      (dialect) =>
        new Session(dialect, url, {
          ...(dbSchema === undefined ? {} : { dbSchema }),
          lockTimeoutSeconds: this.options.lockTimeoutSeconds ?? this.config.lockTimeoutSeconds,
        }),
    );
    return this.sessionPromise;
  }

  async close(): Promise<void> {
    const session = this.sessionPromise;
    this.sessionPromise = undefined;
    if (session !== undefined) await (await session).close();
  }

  /** Repositories a changing command acts on, with their graphs checked and their dialect allowed. */
  selectForChange(options: SelectOptions): RepositoryHandle[] {
    const repositories = this.project.select(options);
    for (const repository of repositories) checkRequiredDbs(repository.config, this.url.dialect);
    return repositories;
  }

  /** Absolute targets are checked before the database is opened; relative ones need the applied state. */
  private checkTargetEarly(repositories: readonly RepositoryHandle[], target: string): void {
    if (target.includes(":")) {
      throw new UsageError(`A range like "${target}" is only valid with --sql (offline mode); online, give one TARGET.`);
    }
    if (isRelativeTarget(target)) return;
    for (const repository of repositories) resolveTarget(repository.map, target, [], repository.scheme);
  }

  async upgrade(target = "head", options: UpgradeOptions = {}): Promise<RunResult> {
    const effective = options.delta === undefined ? target : `+${positive(options.delta)}`;
    const repositories = this.selectForChange(options);
    this.checkTargetEarly(repositories, effective);
    return this.change(repositories, (repository, rows, resolved) =>
      repository.rolling
        ? sketchRollingUpgrade(repository.map, rows, resolved)
        : sketchPlainUpgrade(repository.map, rows, resolved),
    effective);
  }

  async downgrade(target: string | undefined, options: DowngradeOptions = {}): Promise<RunResult> {
    if (target === undefined && options.delta === undefined) {
      throw new UsageError("downgrade needs a TARGET or --delta N (e.g. `tidemark downgrade -1` or `downgrade base`).");
    }
    const effective = options.delta === undefined ? (target as string) : `-${positive(options.delta)}`;
    const repositories = this.selectForChange(options);
    this.checkTargetEarly(repositories, effective);
    return this.change(repositories, (repository, rows, resolved) => {
      const sketches = repository.rolling
        ? sketchRollingDowngrade(repository.map, rows, resolved)
        : sketchPlainDowngrade(repository.map, rows, resolved);
      assertDowngradable(sketches, repository.config.name);
      return sketches;
    }, effective);
  }

  /**
   * keystone's db_sync: up or down to VERSION (default head); for rolling
   * repositories one phase at a time when `phase` is given.
   */
  async sync(version = "head", options: SyncOptions = {}): Promise<RunResult> {
    const repositories = this.selectForChange(options);
    this.checkTargetEarly(repositories, version);
    return this.change(
      repositories,
      (repository, rows, resolved) => {
        const sketches = sketchSync(repository.map, repository.rolling, rows, resolved, options.phase);
        assertDowngradable(sketches, repository.config.name);
        return sketches;
      },
      version,
      options.maxCount,
    );
  }

  /** `sync --check`: keystone's exit codes for what is pending, without changing anything. */
  syncCheck(options: SelectOptions = {}): Promise<SyncCheckResult> {
    return syncCheck(this, options);
  }

  /** keystone's db_version: the applied version (number or id) per repository and phase. */
  version(options: SelectOptions = {}): Promise<VersionEntry[]> {
    return dbVersion(this, options);
  }

  /** Plans every selected repository under the lock, then runs all steps through one runner. */
  private async change(
    repositories: readonly RepositoryHandle[],
    sketch: (repository: RepositoryHandle, rows: ReadonlyMap<string, readonly string[]>, target: ResolvedTarget) => StepSketch[],
    target: string,
    maxCount?: number,
  ): Promise<RunResult> {
    const session = await this.session();
    // A SQLite file that does not exist yet is planned against empty version
    // rows and created only when there is a step to run, so that a refused
    // command (bad relative target, broken script) leaves no file behind.
    const exists = session.databaseExists();
    const release = exists ? await session.lock() : async () => undefined;
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
      await assertDependencies(this.project, session, planned);
      if (this.options.singleTransaction === true) assertSingleTransactionPossible(session, planned);
      if (!exists && planned.every((p) => p.steps.length === 0)) {
        return { repositories: planned.map((p) => ({ repository: p.repository.config.name, before: [], after: [], steps: [] })) };
      }
      return await this.run(session, planned, maxCount);
    } finally {
      await release();
    }
  }

  /** A runner executing on the session's connection, reporting statements and steps as events. */
  private onlineRunner(
    session: Session,
    connection: Connection,
    options: Pick<RunnerOptions, "singleTransaction" | "ensureTables" | "maxCount">,
  ): Runner {
    return new Runner({
      dialect: session.dialect,
      sink: new ConnectionSink(connection, (statement) => this.notify({ type: "statement", sql: statement.sql })),
      connection,
      logStore: session.logStore,
      ...(this.dbSchema === undefined ? {} : { dbSchema: this.dbSchema }),
      tableModel: (table) => session.tableModel(table),
      split: (sql) => splitSql(sql, session.dialect.name),
      onEvent: (event) => this.notify(event),
      ...options,
    });
  }

  private async run(session: Session, planned: readonly Planned[], maxCount?: number): Promise<RunResult> {
    const singleTransaction = this.options.singleTransaction === true;
    const ensureTables = await session.missingTableStatements(planned.map((p) => p.repository.config.versionTable));
    const connection = await session.connect();
    const runner = this.onlineRunner(session, connection, {
      singleTransaction,
      ensureTables: planned.some((p) => p.steps.length > 0) ? ensureTables : [],
      ...(maxCount === undefined ? {} : { maxCount }),
    });
    const allSteps = planned.flatMap((p) => p.steps);
    let results: StepResult[];
    try {
      results = await runner.run(allSteps);
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

  async stamp(target: string, options: StampOptions = {}): Promise<RunResult> {
    const repositories = this.selectForChange(options);
    this.checkTargetEarly(repositories, target);
    const session = await this.session();
    const connection = await session.connect();
    const release = await session.lock();
    try {
      const results: RepositoryRun[] = [];
      for (const repository of repositories) {
        const { config, map } = repository;
        const before = await session.versionRows(config.versionTable, config.id);
        const rows = groupRows(before);
        const resolved = resolveTarget(map, target, rows.get(headRowsPhase(repository)) ?? [], repository.scheme);
        const store = session.versionStore(config.versionTable);
        const phases = repository.rolling ? ["expand", "migrate", "contract"] : [""];
        const ids = resolved.kind === "base" ? [] : [...resolved.ids];
        const purge = options.purge === true;
        const changes = phases.map((phase) => {
          const current = purge ? [] : (rows.get(phase) ?? []);
          return { phase, before: current, after: stampRows(map, current, resolved, purge) };
        });
        const runner = this.onlineRunner(session, connection, {
          singleTransaction: false,
          ensureTables: await session.missingTableStatements([config.versionTable]),
        });
        const revision = map.get(ids[0] ?? "") ?? placeholderRevision(ids[0] ?? "base");
        await runner.stamp(
          { repository: config.name, repositoryId: config.id, store, revision, phase: "", direction: "stamp", checksum: null, changes },
          options.purge === true ? [store.purgeStatement(config.id)] : [],
        );
        session.forgetTables();
        const after = await session.versionRows(config.versionTable, config.id);
        results.push({ repository: config.name, before, after, steps: [] });
      }
      return { repositories: results };
    } finally {
      await release();
    }
  }

  /** The applied revision(s) of each repository (and each phase of rolling ones). */
  async current(options: SelectOptions = {}): Promise<CurrentEntry[]> {
    const repositories = this.project.selectForReport(options);
    const session = await this.session();
    const entries: CurrentEntry[] = [];
    for (const repository of repositories) {
      const rows = await session.versionRows(repository.config.versionTable, repository.config.id);
      const heads = new Set(repository.map.heads());
      entries.push({
        repository: repository.config.name,
        id: repository.config.id,
        rolling: repository.rolling,
        rows: rows.map((row) => ({
          ...row,
          message: repository.map.get(row.version)?.message ?? "(unknown revision)",
          head: heads.has(row.version),
        })),
      });
    }
    return entries;
  }

  /** Clears `running`/`failed` steps after the database was fixed by hand. Returns how many were cleared. */
  async repair(options: SelectOptions = {}): Promise<{ readonly repository: string; readonly cleared: number }[]> {
    const repositories = this.project.select(options);
    const session = await this.session();
    const connection = await session.connectIfExists();
    const results = [];
    for (const repository of repositories) {
      let cleared = 0;
      if (connection !== undefined && (await session.logStore.exists(connection))) {
        const statement = session.logStore.repairStatement(repository.config.id);
        cleared = (await connection.execute(statement.sql, statement.params)).affectedRows;
      }
      results.push({ repository: repository.config.name, cleared });
    }
    return results;
  }

  /** Offline mode: the SQL of an upgrade, downgrade or stamp, without connecting. */
  async renderSql(command: OfflineCommand, target: string | undefined, options: OfflineOptions = {}): Promise<string> {
    return renderOfflineSql(this, command, target, options);
  }

  async check(options: CheckOptions = {}): Promise<CheckResult> {
    return runCheck(this, options);
  }

  /** Compares the declared schema with the database (SPEC §11); changes nothing. */
  diff(options: DiffOptions = {}): Promise<DiffResult> {
    return diffDatabase(this, options);
  }

  /** `revision --autogenerate`: a revision that brings the database (at head) to the declared schema. */
  autogenerate(message: string, options: AutogenerateOptions = {}): Promise<AutogenerateResult> {
    return autogenerateRevision(this, message, options);
  }

  /** Compares the checksums of applied scripts with the scripts on disk. */
  async validate(options: CheckOptions = {}): Promise<CheckResult> {
    return runValidate(this, options);
  }
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
      `--single-transaction cannot include revision ${outside.revision.id} (${outside.revision.files.main ?? ""}): ` +
        "it is marked `transactional = false` and must run outside a transaction. Nothing was run.",
    );
  }
}

