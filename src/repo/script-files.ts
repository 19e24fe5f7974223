/** Finding script files in a folder, shared by the single-folder and the keystone layouts. */
import { readdirSync, statSync, type Dirent } from "node:fs";
import { join } from "node:path";
import { ConfigError, messageOf } from "../errors.js";
import { revisionFile, type Revision } from "../graph/revision.js";
import { isScriptFileName } from "./script-header.js";

/** `NNN_slug.ext`: the version is the leading integer. */
const NUMBERED_NAME = /^(\d+)(?:_(.*?))?\.(?:ts|mts|cts|js|mjs|cjs|sql)$/;

export interface NumberedName {
  readonly number: number;
  /** The digits as written (`003`), to name sibling files the same way. */
  readonly digits: string;
  readonly slug: string;
}

export function parseNumberedName(name: string): NumberedName | undefined {
  const m = NUMBERED_NAME.exec(name);
  if (m === null) return undefined;
  const digits = m[1] as string;
  return { number: Number.parseInt(digits, 10), digits, slug: m[2] ?? "" };
}

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Scripts live in `versions/` when the repository has one (the sqlalchemy-migrate/alembic layout). */
export function scriptsFolderOf(dir: string): string {
  const versions = join(dir, "versions");
  return isDirectory(versions) ? versions : dir;
}

/** Script file names in `folder`, sorted; hidden, `_private`, `.d.ts` and non-script files are skipped. */
export function listScriptFiles(folder: string): string[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(folder, { withFileTypes: true });
  } catch (error) {
    throw new ConfigError(`cannot list the scripts in ${folder}: ${messageOf(error)}`, { cause: error });
  }
  const names: string[] = [];
  for (const entry of entries) {
    if (!isScriptFileName(entry.name)) continue;
    if (entry.isFile() || (entry.isSymbolicLink() && !isDirectory(join(folder, entry.name)))) names.push(entry.name);
  }
  return names.sort();
}

/** Numbered scheme: version N revises N-1; version 1 is a root. */
export function numberedParents(n: number): readonly string[] {
  return n <= 1 ? [] : [String(n - 1)];
}

export function slugToMessage(slug: string): string {
  return slug.replace(/_/g, " ").trim();
}

/** Revisions ordered by number (numbered) and then by file, for stable output. */
export function compareRevisions(a: Revision, b: Revision): number {
  if (a.number !== undefined && b.number !== undefined && a.number !== b.number) return a.number - b.number;
  const fa = revisionFile(a) ?? "";
  const fb = revisionFile(b) ?? "";
  return fa < fb ? -1 : fa > fb ? 1 : 0;
}
