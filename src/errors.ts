/**
 * Every failure tidemark reports is a TidemarkError carrying the exit code of
 * SPEC §6, so the CLI never has to guess: 1 migration/database, 2 usage,
 * configuration or script graph, 3 a problem found by check/validate/diff.
 */
export type ExitCode = 0 | 1 | 2 | 3 | 4;

/** What kind of failure, as `--json` reports it in `error.code`. */
export type ErrorCode =
  | "usage"
  | "config"
  | "graph"
  | "target"
  | "script"
  | "migration"
  | "database"
  | "lock-timeout"
  | "lock-lost"
  | "fence"
  | "interrupted"
  | "blocked"
  | "driver-missing"
  | "phase-rule"
  | "phase-order"
  | "abort-refused"
  | "dependency"
  | "offline"
  | "schema"
  // Raised by the dialects for an op or value they cannot turn into SQL, or a missing privilege.
  | "unsupported-op"
  | "invalid-op"
  | "invalid-value"
  | "invalid-identifier"
  | "table-model-missing"
  | "trigger-privilege";

export interface ErrorDetails {
  readonly cause?: unknown;
  /** Extra machine-readable fields shown by `--json`. */
  readonly fields?: Readonly<Record<string, unknown>>;
}

export class TidemarkError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: ExitCode;
  readonly fields: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, exitCode: ExitCode, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = exitCode;
    this.fields = details.fields ?? {};
  }
}

/** A bad flag, argument or combination of them. */
export class UsageError extends TidemarkError {
  constructor(message: string, details?: ErrorDetails) {
    super("usage", 2, message, details);
  }
}

/** A config file that is missing, unreadable or inconsistent; an unknown URL scheme. */
export class ConfigError extends TidemarkError {
  constructor(message: string, details?: ErrorDetails) {
    super("config", 2, message, details);
  }
}

/** The revision graph is broken: cycle, duplicate id, unknown parent, gap, mixed schemes. */
export class GraphError extends TidemarkError {
  constructor(message: string, details?: ErrorDetails) {
    super("graph", 2, message, details);
  }
}

/** A target that is unknown, ambiguous or out of range. */
export class TargetError extends TidemarkError {
  constructor(message: string, details?: ErrorDetails) {
    super("target", 2, message, details);
  }
}

/** A script that cannot be read, parsed or imported. Names the file and, when known, the line. */
export class ScriptError extends TidemarkError {
  readonly file: string;
  readonly line: number | undefined;

  constructor(file: string, line: number | undefined, message: string, details?: ErrorDetails) {
    super("script", 2, `${file}${line === undefined ? "" : `:${line}`}: ${message}`, details);
    this.file = file;
    this.line = line;
  }
}

/** A step failed while running: names the revision (and statement when one failed). */
export class MigrationError extends TidemarkError {
  readonly revision: string;
  readonly statement: string | undefined;

  constructor(revision: string, statement: string | undefined, message: string, details?: ErrorDetails) {
    super("migration", 1, message, details);
    this.revision = revision;
    this.statement = statement;
  }
}

/** The database cannot be reached, refused the login, or answered with an error outside a step. */
export class DatabaseError extends TidemarkError {
  constructor(message: string, details?: ErrorDetails) {
    super("database", 1, message, details);
  }
}

/** Another runner held the migration lock for longer than --lock-timeout. */
export class LockTimeoutError extends TidemarkError {
  constructor(message: string, details?: ErrorDetails) {
    super("lock-timeout", 1, message, details);
  }
}

/** The migration lock's session died while the command ran: the run stops before its next step. */
export class LockLostError extends TidemarkError {
  constructor(message: string, details?: ErrorDetails) {
    super("lock-lost", 1, message, details);
  }
}

/** A step's fence failed: the version rows are no longer what the step was planned from (another runner moved them). */
export class FenceError extends TidemarkError {
  constructor(message: string, details?: ErrorDetails) {
    super("fence", 1, message, details);
  }
}

/** SIGINT or SIGTERM stopped the run: the statement running was cancelled on the server, no further step starts. */
export class InterruptedError extends TidemarkError {
  constructor(message: string, details?: ErrorDetails) {
    super("interrupted", 1, message, details);
  }
}

/** A step left `running` or `failed` in tidemark_log blocks the repository until `repair`. */
export class BlockedError extends TidemarkError {
  constructor(message: string, details?: ErrorDetails) {
    super("blocked", 1, message, details);
  }
}

/** A driver package (pg, mysql2) that the URL needs is not installed. */
export class DriverMissingError extends TidemarkError {
  constructor(message: string, details?: ErrorDetails) {
    super("driver-missing", 2, message, details);
  }
}

/** One statement or op call that breaks a rolling-upgrade phase rule. */
export interface PhaseViolation {
  readonly file: string;
  readonly line?: number;
  readonly revision: string;
  readonly phase: "expand" | "migrate" | "contract";
  /** The statement or op call, shortened for display. */
  readonly statement: string;
  /** What the classifier found it to be (`additive`, `data`, …), when it could tell. */
  readonly category?: string;
  /** The broken rule in plain words. */
  readonly rule: string;
}

/** A rolling-upgrade phase rule was broken; raised before any statement of the step runs. */
export class PhaseRuleError extends TidemarkError {
  /** Every violation of the refused step; the message spells out the first. */
  readonly violations: readonly PhaseViolation[];

  constructor(message: string, violations: readonly PhaseViolation[], details?: ErrorDetails) {
    super("phase-rule", 1, message, details);
    this.violations = violations;
  }
}

/** A rolling phase was asked to pass the phase before it (migrate before expand, contract before migrate). */
export class PhaseOrderError extends TidemarkError {
  constructor(message: string, details?: ErrorDetails) {
    super("phase-order", 1, message, details);
  }
}

/**
 * `sync --abort` cannot undo the open window: none is open, migrate changed
 * data the old release reads, or expand did something abort cannot invert.
 * Raised before anything runs.
 */
export class AbortRefusedError extends TidemarkError {
  constructor(message: string, details?: ErrorDetails) {
    super("abort-refused", 1, message, details);
  }
}

/** A revision needs another repository's revision that is not applied (and is not applied first by this command). */
export class DependencyError extends TidemarkError {
  constructor(message: string, details?: ErrorDetails) {
    super("dependency", 2, message, details);
  }
}

/** Offline mode met something that needs a live database (a read, an unknown table shape). */
export class OfflineError extends TidemarkError {
  constructor(message: string, details?: ErrorDetails) {
    super("offline", 2, message, details);
  }
}

/**
 * A declared schema that cannot be used (`diff`, autogenerate): it does not
 * load, it is malformed, or the dialect cannot create what it declares.
 * Nothing is written or changed.
 */
export class SchemaError extends TidemarkError {
  constructor(message: string, details?: ErrorDetails) {
    super("schema", 2, message, details);
  }
}

/** The message of any thrown value, for wrapping foreign errors. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
