/**
 * The programmatic API (SPEC §10); the CLI is one client of it. A thin
 * facade: each method hands its work to the command module that owns it.
 * Every command checks its arguments, the configuration and the revision
 * graph before it opens the database, and changes the database only under
 * the migration lock.
 */
import { abortWindow } from "./abort.js";
import { renderAbortSql } from "./abort-offline.js";
import { runCheck, runValidate } from "./check.js";
import { runLint } from "./lint.js";
import { downgrade, sync, upgrade } from "./change.js";
import { Fleet } from "./fleet.js";
import { current, repair } from "./current.js";
import { branches, heads, history, show } from "./history.js";
import { dbVersion, syncCheck } from "./keystone-reports.js";
import { renderOfflineSql } from "./offline.js";
import { writeMerge, writeNewRevision } from "./scaffolding.js";
import { stamp } from "./stamp.js";
import { adoptAlembic } from "./adopt-alembic.js";
import { autogenerateRevision, diffDatabase } from "./autogenerate.js";
import { databaseTarget } from "./target.js";
import { status } from "./status.js";
import { dryRun } from "./dry-run.js";
import type {
  AbortOptions,
  AdoptAlembicOptions,
  AutogenerateOptions,
  AutogenerateResult,
  BranchesReport,
  CheckOptions,
  CheckResult,
  CurrentEntry,
  DiffOptions,
  DiffResult,
  DatabaseTarget,
  DowngradeOptions,
  DryRunReport,
  DryRunRequest,
  HeadsReport,
  HistoryOptions,
  HistoryReport,
  LintOptions,
  LintResult,
  MergeOptions,
  NewRevisionOptions,
  OfflineCommand,
  OfflineOptions,
  OpenOptions,
  RepairEntry,
  RevisionInfo,
  RunResult,
  SelectOptions,
  StampOptions,
  StatusReport,
  SyncCheckResult,
  SyncOptions,
  TidemarkEvent,
  UpgradeOptions,
  VersionEntry,
  WrittenRevision,
} from "./types.js";
import { Workspace } from "./workspace.js";

export class Tidemark {
  private constructor(private readonly workspace: Workspace) {}

  /** Resolves the configuration; no database is opened until a command needs one. */
  static async open(options: OpenOptions = {}): Promise<Tidemark> {
    return new Tidemark(await Workspace.open(options));
  }

  /** Subscribes to progress events (steps, backfill progress, statements); returns the unsubscribe function. */
  on(listener: (event: TidemarkEvent) => void): () => void {
    return this.workspace.listen(listener);
  }

  /** The database URL in use, with its password replaced by `***`. */
  get url(): string {
    return this.workspace.url.redacted;
  }

  /** The database in use and where its URL came from, to show before changing it. */
  get target(): DatabaseTarget {
    return databaseTarget(this.workspace);
  }

  upgrade(target = "head", options: UpgradeOptions = {}): Promise<RunResult> {
    return upgrade(this.workspace, target, options);
  }

  downgrade(target: string | undefined, options: DowngradeOptions = {}): Promise<RunResult> {
    return downgrade(this.workspace, target, options);
  }

  /**
   * What `upgrade`, `downgrade` or `sync` would do from where the database
   * is now: the steps and their SQL. Reads the database; changes nothing
   * (no lock, no table, no file).
   */
  dryRun(request: DryRunRequest): Promise<DryRunReport> {
    return dryRun(this.workspace, request);
  }

  /** keystone's db_sync: up or down to VERSION (default head); rolling repositories one phase at a time when `phase` is given. */
  sync(version = "head", options: SyncOptions = {}): Promise<RunResult> {
    return sync(this.workspace, version, options);
  }

  /**
   * `sync --abort`: undoes the expand steps of the open window (expanded,
   * not contracted), newest first — triggers first, then what expand added
   * in reverse — and moves the expand (and migrate) rows back to contract's.
   * Throws AbortRefusedError, before anything runs, when no window is open or
   * something cannot be undone.
   */
  abort(options: AbortOptions = {}): Promise<RunResult> {
    return abortWindow(this.workspace, options);
  }

  /** `sync --check`: keystone's exit codes for what is pending, without changing anything. */
  syncCheck(options: SelectOptions = {}): Promise<SyncCheckResult> {
    return syncCheck(this.workspace, options);
  }

  /** keystone's db_version: the applied version (number or id) per repository and phase. */
  version(options: SelectOptions = {}): Promise<VersionEntry[]> {
    return dbVersion(this.workspace, options);
  }

  /** Sets the version rows to TARGET without running scripts. */
  stamp(target: string, options: StampOptions = {}): Promise<RunResult> {
    return stamp(this.workspace, target, options);
  }

  /** `stamp --from-alembic`: version rows equal to an Alembic-managed database's `alembic_version` (which stays as it is). */
  adoptAlembic(options: AdoptAlembicOptions = {}): Promise<RunResult> {
    return adoptAlembic(this.workspace, options);
  }

  /** The applied revision(s) of each repository (and each phase of rolling ones). */
  current(options: SelectOptions = {}): Promise<CurrentEntry[]> {
    return current(this.workspace, options);
  }

  /**
   * Per repository: applied, pending (with messages), steps left running or
   * failed, and applied scripts changed since; `code` is the CLI's exit code.
   */
  status(options: SelectOptions = {}): Promise<StatusReport> {
    return status(this.workspace, options);
  }

  /** Clears `running`/`failed` steps after the database was fixed by hand. */
  repair(options: SelectOptions = {}): Promise<RepairEntry[]> {
    return repair(this.workspace, options);
  }

  /** Revisions newest first per repository (`-r START:END`, `--graph`), with positions when the database answers. */
  history(options: HistoryOptions = {}): Promise<HistoryReport[]> {
    return history(this.workspace, options);
  }

  heads(options: SelectOptions = {}): HeadsReport[] {
    return heads(this.workspace, options);
  }

  branches(options: SelectOptions = {}): BranchesReport[] {
    return branches(this.workspace, options);
  }

  show(revision: string, options: Pick<SelectOptions, "repo"> = {}): RevisionInfo {
    return show(this.workspace, revision, options);
  }

  /** Writes a new blank revision script on top of the single head (or `head`). */
  revision(options: NewRevisionOptions & Pick<SelectOptions, "repo">): WrittenRevision {
    const { repo, ...rest } = options;
    return writeNewRevision(this.workspace.repository(repo), { language: this.workspace.config.language ?? "ts", ...rest });
  }

  /** Writes a merge revision over the given revisions (default: every head). */
  merge(revisions: readonly string[], options: MergeOptions & Pick<SelectOptions, "repo">): WrittenRevision {
    const { repo, ...rest } = options;
    return writeMerge(this.workspace.repository(repo), revisions, { language: this.workspace.config.language ?? "ts", ...rest });
  }

  /**
   * Offline mode: the SQL of an upgrade, downgrade or stamp, without
   * connecting; `abort` renders `sync --abort` for the window `START:END`
   * (START where contract is, END where expand is).
   */
  renderSql(command: OfflineCommand | "abort", target: string | undefined, options: OfflineOptions = {}): Promise<string> {
    if (command === "abort") return renderAbortSql(this.workspace, target, options);
    return renderOfflineSql(this.workspace, command, target, options);
  }

  check(options: CheckOptions = {}): Promise<CheckResult> {
    return runCheck(this.workspace, options);
  }

  /**
   * The phase rules and the lock and rewrite lint over the scripts, without
   * a database: every finding with file, line, rule id and severity; `ok` is
   * false when one is an error.
   */
  lint(options: LintOptions = {}): Promise<LintResult> {
    return runLint(this.workspace, options);
  }

  /** Compares the declared schema with the database (SPEC §11); changes nothing. */
  diff(options: DiffOptions = {}): Promise<DiffResult> {
    return diffDatabase(this.workspace, options);
  }

  /** `revision --autogenerate`: a revision that brings the database (at head) to the declared schema. */
  autogenerate(message: string, options: AutogenerateOptions = {}): Promise<AutogenerateResult> {
    return autogenerateRevision(this.workspace, message, options);
  }

  /** Compares the checksums of applied scripts with the scripts on disk. */
  validate(options: CheckOptions = {}): Promise<CheckResult> {
    return runValidate(this.workspace, options);
  }

  /**
   * The database commands over every target of the fleet NAME (config
   * `fleets`): `fleet("tenants").upgrade()`. Throws a ConfigError for an
   * unknown fleet; targets are read when a command runs.
   */
  fleet(name: string): Fleet {
    return new Fleet(this.workspace, name);
  }

  /**
   * Asks a running upgrade/downgrade/sync to stop (the CLI's SIGINT/SIGTERM):
   * the statement running is cancelled on the server and no further one
   * starts; the command then rejects with an `interrupted` error. Returns
   * false when no step is running (nothing to stop: the caller may just exit).
   */
  interrupt(signal = "SIGINT"): boolean {
    return this.workspace.interrupt(signal);
  }

  close(): Promise<void> {
    return this.workspace.close();
  }
}
