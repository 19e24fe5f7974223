/** Typed results and events of the programmatic API (the CLI prints these). */
import type { TidemarkConfig, UrlSource } from "../config/types.js";
import type { Op } from "../ops/op.js";
import type { StepEvent, StepResult } from "../runtime/runner.js";
import type { IdScheme, Phase } from "../graph/revision.js";
import type { BackfillProgress } from "../runtime/backfill.js";
import type { ScriptLanguage } from "../repo/scaffold.js";
import type { DialectName } from "../vocabulary.js";
import type { LintFinding } from "./lint-types.js";

export type * from "./lint-types.js";

export type { BackfillProgress, IdScheme, Phase, ScriptLanguage, StepEvent, StepResult, UrlSource };

export interface OpenOptions {
  /** Working directory for config lookup and relative paths; default process.cwd(). */
  readonly cwd?: string;
  /** Config files (`--config`), later ones overriding earlier ones. */
  readonly configFiles?: readonly string[];
  /** An inline configuration instead of files (library users). */
  readonly config?: TidemarkConfig;
  /** Wins over every other source of the URL. */
  readonly url?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly lockTimeoutSeconds?: number;
  /** `--statement-timeout`: the server stops any one statement after this long (0: no limit); wins over config `statementTimeout`. */
  readonly statementTimeoutSeconds?: number;
  /** Run the whole command in one all-or-nothing transaction (PostgreSQL, SQLite). */
  readonly singleTransaction?: boolean;
  /** PostgreSQL schema for tidemark's tables and unqualified names (`--schema`); wins over config `dbSchema`. */
  readonly dbSchema?: string;
}

export interface SelectOptions {
  readonly repo?: string;
  readonly all?: boolean;
}

/** For commands that run steps: stop cleanly when the signal aborts (the CLI aborts it on Ctrl-C). */
export interface StoppableOptions {
  /**
   * Aborted: no further step starts, and a running backfill stops after its
   * current batch; its step stays open and the next run resumes it. The
   * result's steps end with the one that stopped (outcome `stopped`).
   */
  readonly signal?: AbortSignal;
}

export interface UpgradeOptions extends SelectOptions, StoppableOptions {
  /** `--delta N`: N more revisions (same as target `+N`). */
  readonly delta?: number;
}

export interface DowngradeOptions extends SelectOptions, StoppableOptions {
  /** `--delta N`: N revisions down (same as target `-N`). */
  readonly delta?: number;
}

export interface SyncOptions extends SelectOptions, StoppableOptions {
  /** Rolling repositories: run only this phase (`--expand`, `--migrate`, `--contract`). */
  readonly phase?: Phase;
  /** `--max-count N`: backfills of this command stop after N rows; the step resumes on the next run. */
  readonly maxCount?: number;
}

/** `sync --abort`: undo the open window's expand steps (README "Aborting a window"). */
export interface AbortOptions extends SelectOptions, StoppableOptions {}

export interface SyncCheckResult {
  /** keystone's codes: 0 nothing to do, 1 phases out of order, 2 expand, 3 migrate, 4 contract pending. */
  readonly code: 0 | 1 | 2 | 3 | 4;
  readonly repositories: readonly { readonly repository: string; readonly code: 0 | 1 | 2 | 3 | 4 }[];
}

export interface VersionEntry {
  readonly repository: string;
  readonly scheme: "numbered" | "graph";
  /** One entry for plain repositories (phase ''), three for rolling ones. `0`/`base` when nothing is applied. */
  readonly phases: readonly { readonly phase: string; readonly versions: readonly string[] }[];
}

export interface StampOptions extends SelectOptions {
  readonly purge?: boolean;
}

/** `stamp --from-alembic`. */
export interface AdoptAlembicOptions extends SelectOptions {
  /** `[SCHEMA.]TABLE` of Alembic's version table; default `alembic_version`. */
  readonly alembicTable?: string;
  /** Replace tidemark version rows the repository already has. */
  readonly purge?: boolean;
}

export interface RepositoryRun {
  readonly repository: string;
  readonly before: readonly AppliedRow[];
  readonly after: readonly AppliedRow[];
  readonly steps: readonly StepResult[];
}

export interface RunResult {
  readonly repositories: readonly RepositoryRun[];
}

export interface AppliedRow {
  readonly phase: string;
  readonly version: string;
}

export interface CurrentEntry {
  readonly repository: string;
  readonly id: string;
  readonly rolling: boolean;
  /**
   * The version rows, plus (with `carried: true`) each revision applied only
   * because a row depends on it, newest of its line: what Alembic's
   * `current` shows.
   */
  readonly rows: readonly (AppliedRow & { readonly message: string; readonly head: boolean; readonly carried?: true })[];
  /** Steps left running or failed (present only when there are some): a repository they block is not where `rows` say. */
  readonly unfinished?: readonly UnfinishedStep[];
}

export interface RevisionInfo {
  readonly repository: string;
  readonly id: string;
  readonly parents: readonly string[];
  readonly dependsOn: readonly string[];
  readonly branchLabels: readonly string[];
  readonly message: string;
  readonly file: string;
  readonly head: boolean;
  readonly branchPoint: boolean;
  readonly mergePoint: boolean;
  readonly children: readonly string[];
  readonly rolling: boolean;
  /** Phases applied in the database, when known (history with a database); '' for a plain revision. */
  readonly applied?: readonly string[];
  /** A version row names this revision. */
  readonly current?: boolean;
}

/** A revision as `history` lists it: with the database's position, and its `--graph` lanes when asked. */
export interface HistoryEntry extends RevisionInfo {
  readonly applied: readonly string[];
  readonly current: boolean;
  /** `--graph`: the lanes on the revision's own line, and the connector lines after it. */
  readonly graph?: { readonly node: string; readonly after: readonly string[] };
}

export interface HistoryOptions extends Pick<SelectOptions, "repo"> {
  /** Alembic's `-r START:END`: ids, prefixes, `base`, `head`, `current`; either side may be empty. */
  readonly range?: string;
  /** Lay the revisions out as a graph (`history --graph`). */
  readonly graph?: boolean;
}

export interface HistoryReport {
  readonly repository: string;
  /** Newest first. */
  readonly revisions: readonly HistoryEntry[];
  /** Set when the database could not be read, so positions are not shown. */
  readonly note?: string;
}

export interface HeadsReport {
  readonly repository: string;
  readonly heads: readonly RevisionInfo[];
}

export interface BranchesReport {
  readonly repository: string;
  readonly branchPoints: readonly RevisionInfo[];
}

export interface RepairEntry {
  readonly repository: string;
  /** How many `running`/`failed` steps were cleared. */
  readonly cleared: number;
}

export interface CheckProblem {
  readonly repository: string;
  /** `lint`: an error-severity finding of the lock and rewrite lint (`fields` is the finding). */
  readonly kind: "multiple-heads" | "checksum" | "phase-rule" | "graph" | "trigger-left" | "blocked" | "lint";
  readonly message: string;
  readonly fields?: Readonly<Record<string, unknown>>;
}

export interface CheckResult {
  readonly ok: boolean;
  readonly problems: readonly CheckProblem[];
  /** `unsafe` marks found in rolling scripts (not problems, but listed). */
  readonly unsafe: readonly {
    readonly repository: string;
    readonly file: string;
    /** The script line, for SQL scripts. */
    readonly line?: number;
    readonly phase: "expand" | "migrate" | "contract";
    readonly reason: string;
    readonly statement: string;
  }[];
  readonly notes: readonly string[];
  /** The lock and rewrite lint's findings over rolling repositories, warnings included (errors are problems too). */
  readonly lint?: readonly LintFinding[];
}

/** Another runner holds the migration lock; this one waits up to `timeoutSeconds` (sent once, after a second). */
export interface LockWaitEvent {
  readonly type: "lock-wait";
  readonly timeoutSeconds: number;
}

export type TidemarkEvent =
  | StepEvent
  | BackfillProgress
  | LockWaitEvent
  | { readonly type: "statement"; readonly sql: string }
  /** Why the run waits (e.g. for a dead runner's statement still running on the server). */
  | { readonly type: "notice"; readonly message: string };

export type OfflineCommand = "upgrade" | "downgrade" | "stamp";

export interface OfflineOptions {
  readonly repo?: string;
  readonly all?: boolean;
  /** Overrides the URL's dialect. */
  readonly dialect?: string;
  /** `--delta N`. */
  readonly delta?: string;
  readonly purge?: boolean;
  /** `sync --expand|--migrate|--contract --sql`: one phase of a rolling repository. */
  readonly phase?: Phase;
}

export interface NewRevisionOptions {
  readonly message: string;
  /** Build on this revision (`base` for a new root); default: the single head. */
  readonly head?: string;
  readonly branchLabel?: string;
  readonly dependsOn?: readonly string[];
  readonly language?: ScriptLanguage;
  readonly rolling?: boolean;
  readonly transactional?: boolean;
  readonly bodyText?: Readonly<Record<string, string>>;
}

export interface WrittenRevision {
  readonly repository: string;
  readonly id: string;
  readonly file: string;
  readonly parents: readonly string[];
}

export interface MergeOptions {
  readonly message: string;
  readonly language?: ScriptLanguage;
}

export interface CheckOptions {
  readonly repo?: string;
}

export interface DiffOptions {
  /** The repository whose schema is compared (default: the default repository). */
  readonly repo?: string;
  /** Also render the upgrade as the dialect's SQL (`result.sql`). */
  readonly sql?: boolean;
}

export interface SchemaChanges {
  readonly repository: string;
  /** The declared schema's path. */
  readonly schema: string;
  /** The ops that turn the database into the declared schema, in order. */
  readonly changes: readonly Op[];
  /** Their inverse, in order. */
  readonly downgrade: readonly Op[];
  readonly warnings: readonly string[];
  /** What the destructive changes destroy, in words. */
  readonly destructive: readonly string[];
  /** There are changes, or differences no op fixes (see warnings). */
  readonly differs: boolean;
  /** The upgrade as TypeScript op calls. */
  readonly script: string;
}

export interface DiffResult extends SchemaChanges {
  /** The upgrade as SQL, when `sql` was asked for. */
  readonly sql?: string;
}

export interface AutogenerateOptions {
  readonly repo?: string;
  /** Write a `.sql` script (default: `.sql` in a repository of SQL scripts, else the config's language, else `.ts`). */
  readonly sql?: boolean;
  /** Write expand/migrate/contract bodies (default: the repository's kind). */
  readonly rolling?: boolean;
  /** Write a revision even when nothing differs. */
  readonly allowEmpty?: boolean;
  readonly head?: string;
  readonly branchLabel?: string;
  readonly dependsOn?: readonly string[];
}

export interface AutogenerateResult extends SchemaChanges {
  /** The script written; undefined when nothing differed ("no changes detected"). */
  readonly written?: WrittenRevision;
}

/** The database a command acts on, as it is shown before anything changes (never the password). */
export interface DatabaseTarget {
  readonly dialect: DialectName;
  /** The URL with its password replaced by `***`. */
  readonly url: string;
  /** SQLite: the absolute file path, or `:memory:`. */
  readonly path?: string;
  readonly host?: string;
  readonly port?: number;
  readonly socket?: string;
  readonly database?: string;
  readonly user?: string;
  readonly source: UrlSource;
  /** The config file (source `config`) or `.env` file (source `env-file`) the URL came from. */
  readonly sourceFile?: string;
}

/** A step left `running` or `failed` in tidemark_log. */
export interface UnfinishedStep {
  readonly revision: string;
  readonly phase: string;
  readonly direction: "up" | "down" | "stamp";
  readonly status: "running" | "failed";
  readonly startedAt: string;
  readonly error: string | null;
  /** A migrate step whose backfill recorded how far it got: the next run resumes it (it does not block). */
  readonly resumable: boolean;
  /** What to do about it (blocking steps). */
  readonly message: string;
}

/** A revision not (fully) applied yet: the phases still to run ('' for a plain revision). */
export interface PendingRevision {
  readonly id: string;
  readonly message: string;
  readonly phases: readonly string[];
}

/** An applied script that changed on disk since it ran. */
export interface DriftedScript {
  readonly revision: string;
  readonly phase: string;
  readonly file: string;
  readonly appliedAt: string;
  readonly message: string;
}

export type RepositoryState = "up-to-date" | "pending" | "drifted" | "blocked";

export interface RepositoryStatus {
  readonly repository: string;
  readonly id: string;
  readonly rolling: boolean;
  readonly scheme: IdScheme;
  /** The most serious of: blocked (a step left running/failed), drifted (an applied script changed), pending. */
  readonly state: RepositoryState;
  /** The version rows: one per applied head, per phase for rolling repositories. */
  readonly applied: readonly (AppliedRow & { readonly message: string })[];
  /** Oldest first: what `upgrade heads` (rolling: `sync`) would run. */
  readonly pending: readonly PendingRevision[];
  readonly unfinished: readonly UnfinishedStep[];
  readonly drifted: readonly DriftedScript[];
}

export interface StatusReport {
  /** 0 up to date; 3 something pending or drifted; 1 a repository is blocked. */
  readonly code: 0 | 1 | 3;
  readonly repositories: readonly RepositoryStatus[];
  readonly notes: readonly string[];
}

/** One repository of a dry run: where it is, and the steps the command would run from there. */
export interface DryRunRepository {
  readonly repository: string;
  readonly before: readonly AppliedRow[];
  readonly steps: readonly {
    readonly revision: string;
    readonly message: string;
    readonly phase: string;
    readonly direction: "up" | "down" | "stamp";
  }[];
}

/** `--dry-run`: the plan from the database's current position and the SQL it would run; nothing was changed. */
export interface DryRunReport {
  readonly repositories: readonly DryRunRepository[];
  /** The statements, rendered as `--sql` renders them, from where the database is. */
  readonly sql: string;
}

/** The command a dry run plans, with its target and options as the command itself takes them. */
export type DryRunRequest =
  | { readonly command: "upgrade"; readonly target: string; readonly options?: UpgradeOptions }
  | { readonly command: "downgrade"; readonly target: string | undefined; readonly options?: DowngradeOptions }
  | { readonly command: "sync"; readonly target: string; readonly options?: SyncOptions }
  | { readonly command: "abort"; readonly options?: AbortOptions };
