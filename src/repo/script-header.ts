/**
 * What a script declares about itself, read statically (never by running it),
 * whatever the script's language. The repository scan turns this into a
 * Revision once it knows the id scheme.
 */
import type { StampTuple } from "../util/stat-cache.js";
import type { Bodies } from "../graph/revision.js";

export type BodyName = keyof Bodies;
export const BODY_NAMES: readonly BodyName[] = ["upgrade", "downgrade", "expand", "migrate", "contract"];

export interface ScriptHeader {
  readonly file: string;
  readonly revision?: string;
  /** Undefined when the script does not say; empty for `null` / `none` (a root). */
  readonly revises?: readonly string[];
  readonly message?: string;
  readonly dependsOn: readonly string[];
  readonly branchLabels: readonly string[];
  /** Defaults to true. */
  readonly transactional: boolean;
  readonly bodies: Bodies;
  /** The file's size, mtime and ctime when the header was read (the script loader's cache key). */
  readonly stamp?: StampTuple;
}

const SCRIPT_FILE = /\.(?:ts|mts|cts|js|mjs|cjs|sql)$/;
const DECLARATION_FILE = /\.d\.[mc]?ts$/;

/** A file the repository scan should read: a supported extension, not hidden, not `_private`, not a `.d.ts`. */
export function isScriptFileName(name: string): boolean {
  const first = name.charCodeAt(0);
  if (first === 95 /* _ */ || first === 46 /* . */) return false;
  return SCRIPT_FILE.test(name) && !DECLARATION_FILE.test(name);
}

export function isSqlFile(file: string): boolean {
  return file.endsWith(".sql");
}

/** 1-based line of a character offset (only computed for error messages). */
export function lineAt(text: string, index: number): number {
  let line = 1;
  for (let p = text.indexOf("\n"); p >= 0 && p < index; p = text.indexOf("\n", p + 1)) line++;
  return line;
}
