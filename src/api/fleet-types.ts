/** Typed options, results and events of fleet runs (`tidemark.fleet(name)`, `--fleet NAME`). */
import type { AppliedRow, TidemarkEvent } from "./types.js";
import type { DialectName } from "../vocabulary.js";

export interface FleetRunOptions {
  /** Databases worked on at once; default 4. */
  readonly concurrency?: number;
  /** Start no new target after the first failure (the running ones finish); default: go on and report. */
  readonly failFast?: boolean;
  /**
   * Commands that change the database: false drops each target's full
   * `result` (its step list) from the report, keeping positions, step count
   * and error, so that the memory a run holds stays small per target.
   * Default true.
   */
  readonly keepResults?: boolean;
}

export interface FleetSyncOptions extends FleetRunOptions {
  /** `sync --migrate` / `--contract` even while some targets have not finished the phase before. */
  readonly forcePartial?: boolean;
}

/** A target as resolved from the fleet's source, without its password. */
export interface FleetTargetInfo {
  /** Stable name: as given, else the URL without its password (and `#schema`). */
  readonly name: string;
  /** Where it was listed: `urls[2]`, `databases.txt:7`, `catalog row 3`. */
  readonly where: string;
  readonly dialect?: DialectName;
  readonly schema?: string;
}

/** A target as the run left it. `not-started`: `--fail-fast` stopped the run before it. */
export type FleetTargetStatus = "succeeded" | "failed" | "not-started";

export interface FleetTargetError {
  readonly code: string;
  /** What the same failure would exit with on a single database. */
  readonly exitCode: number;
  /** Never holds a password. */
  readonly message: string;
}

/** The version rows of one repository, at a moment of the run. */
export interface RepositoryPosition {
  readonly repository: string;
  readonly rows: readonly AppliedRow[];
}

export interface FleetTargetReport<T> extends FleetTargetInfo {
  readonly status: FleetTargetStatus;
  readonly ms: number;
  /** Commands that change the database: the version rows before the command, when they could be read. */
  readonly before?: readonly RepositoryPosition[];
  /** …and after it; for a failed target, where it stopped (when it could be read). */
  readonly after?: readonly RepositoryPosition[];
  /** Steps that ran (change commands). */
  readonly steps?: number;
  /** What the single-database command returns. */
  readonly result?: T;
  readonly error?: FleetTargetError;
}

export interface FleetReport<T> {
  readonly fleet: string;
  /** True when every target succeeded. */
  readonly ok: boolean;
  readonly ms: number;
  /** In the fleet's order (not the order they finished in). */
  readonly targets: readonly FleetTargetReport<T>[];
}

/** `sync --check` over a fleet: the most urgent code of any target (an unreadable target counts as 1). */
export interface FleetSyncCheckReport<T> extends FleetReport<T> {
  readonly code: 0 | 1 | 2 | 3 | 4;
}

export type FleetEvent =
  | { readonly type: "target-start"; readonly target: string; readonly index: number; readonly total: number }
  | {
      readonly type: "target-end";
      readonly target: string;
      readonly index: number;
      readonly total: number;
      readonly status: FleetTargetStatus;
      readonly ms: number;
      readonly error?: FleetTargetError;
    }
  /** An event of one target's command (steps, backfill progress, statements), with the target's name. */
  | { readonly type: "target-event"; readonly target: string; readonly event: TidemarkEvent };
