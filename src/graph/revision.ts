/**
 * A revision as the graph sees it: plain values read from a script's header
 * without running the script. The graph code never touches the file system.
 */
import type { StampTuple } from "../util/stat-cache.js";

export type Phase = "expand" | "migrate" | "contract";
export const PHASES: readonly Phase[] = ["expand", "migrate", "contract"];

export type IdScheme = "numbered" | "graph";

/** Which bodies a script provides (known statically from its header). */
export interface Bodies {
  readonly upgrade: boolean;
  readonly downgrade: boolean;
  readonly expand: boolean;
  readonly migrate: boolean;
  readonly contract: boolean;
}

export const NO_BODIES: Bodies = { upgrade: false, downgrade: false, expand: false, migrate: false, contract: false };

export interface Revision {
  /** Graph scheme: the declared id. Numbered scheme: the version number as a decimal string ("3"). */
  readonly id: string;
  /** Parents (`revises`). Empty for a root. Numbered: the previous number. */
  readonly parents: readonly string[];
  /** Extra edges: these must be applied first, but they are not parents. */
  readonly dependsOn: readonly string[];
  readonly branchLabels: readonly string[];
  readonly message: string;
  /** Numbered scheme only. */
  readonly number?: number;
  readonly bodies: Bodies;
  /** False for scripts that must run outside a transaction. */
  readonly transactional: boolean;
  /**
   * The script file(s): one for a plain or single-file rolling revision;
   * for the keystone three-folder layout, one per phase.
   */
  readonly files: RevisionFiles;
  /** The main file's size, mtime and ctime when the scan read it: the script loader's cache key, without a second stat. */
  readonly stamp?: StampTuple;
}

export interface RevisionFiles {
  readonly main?: string;
  readonly expand?: string;
  readonly migrate?: string;
  readonly contract?: string;
}

export function isRolling(revision: Revision): boolean {
  const b = revision.bodies;
  return b.expand || b.migrate || b.contract || revision.files.expand !== undefined;
}

/** The file a revision is known by: its single script, else (keystone's three-folder layout) its first phase's script. */
export function revisionFile(revision: Revision): string | undefined {
  const f = revision.files;
  return f.main ?? f.expand ?? f.migrate ?? f.contract;
}

/** The file a step of `phase` runs ('' or a downgrade: the revision's own file). */
export function stepFile(revision: Revision, phase: string): string | undefined {
  if (phase === "expand" || phase === "migrate" || phase === "contract") {
    return revision.files[phase] ?? revision.files.main;
  }
  return revisionFile(revision);
}
