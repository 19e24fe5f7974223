/** Typed results and events of the programmatic API (the CLI prints these). */
import type { TidemarkConfig } from "../config/types.js";
import type { StepEvent, StepResult } from "../runtime/runner.js";
import type { IdScheme, Phase } from "../graph/revision.js";
import type { BackfillProgress } from "../runtime/backfill.js";
import type { ScriptLanguage } from "../repo/scaffold.js";

export type { BackfillProgress, IdScheme, Phase, ScriptLanguage, StepEvent, StepResult };

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

export interface UpgradeOptions extends SelectOptions {
  /** `--delta N`: N more revisions (same as target `+N`). */
  readonly delta?: number;
}

export interface DowngradeOptions extends SelectOptions {
  /** `--delta N`: N revisions down (same as target `-N`). */
  readonly delta?: number;
}

export interface SyncOptions extends SelectOptions {
  /** Rolling repositories: run only this phase (`--expand`, `--migrate`, `--contract`). */
  readonly phase?: Phase;
  /** `--max-count N`: backfills of this command stop after N rows; the step resumes on the next run. */
  readonly maxCount?: number;
}

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
  readonly rows: readonly (AppliedRow & { readonly message: string; readonly head: boolean })[];
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
  readonly kind: "multiple-heads" | "checksum" | "phase-rule" | "graph" | "trigger-left";
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
    readonly reason: string;
    readonly statement: string;
  }[];
  readonly notes: readonly string[];
}

export type TidemarkEvent =
  | StepEvent
  | BackfillProgress
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
