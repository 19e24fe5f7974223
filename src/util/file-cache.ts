/**
 * What the loaders derive from a script's text — a SQL script's statements
 * split for one dialect, a module's transformed code, checksums — kept
 * between runs and valid while the file's size, mtime and ctime stay the
 * same (util/stat-cache.ts).
 * A run over thousands of scripts (`upgrade --sql` on 20,000 revisions) then
 * stats each file instead of reading, hashing and transforming it.
 *
 * One cache per folder and kind, read once per process; saved once the
 * current burst of loads is over (setImmediate), keeping only the entries of
 * files still in the folder.
 */
import { readdirSync, statSync } from "node:fs";
import { basename, dirname } from "node:path";
import { cachingDisabled, defaultCacheDir } from "./cache-dir.js";
import { StatCache, type FileStamp, type StampTuple } from "./stat-cache.js";

export interface DerivedKind {
  /** Names the cache file: "sql-postgres", "modules", "checksums". */
  readonly kind: string;
  /** Entries made by another version of the derivation are ignored. */
  readonly version: string;
}

interface OpenCache {
  readonly cache: StatCache<unknown>;
  saveScheduled: boolean;
}

const open = new Map<string, OpenCache | null>();

/** The last cache looked up: a run loads thousands of scripts from one folder in a row. */
let last:
  | { readonly folder: string; readonly kind: string; readonly version: string; readonly entry: OpenCache | null }
  | undefined;

function cacheOf(folder: string, spec: DerivedKind): OpenCache | null {
  if (last !== undefined && last.folder === folder && last.kind === spec.kind && last.version === spec.version) return last.entry;
  const key = `${spec.kind}\u0000${spec.version}\u0000${folder}`;
  let entry = open.get(key);
  if (entry === undefined) {
    const cacheDir = defaultCacheDir();
    entry = cacheDir === undefined ? null : { cache: new StatCache<unknown>(folder, cacheDir, spec), saveScheduled: false };
    open.set(key, entry);
  }
  last = { folder, kind: spec.kind, version: spec.version, entry };
  return entry;
}

/**
 * `derive(read(file))`, from the cache when the file is unchanged since it
 * was cached. `read` reports unreadable files in its own words. `known`:
 * the file's stamp from a stat made moments ago (the repository scan's).
 */
export function derivedFromFile<T>(
  file: string,
  spec: DerivedKind,
  read: (file: string) => string,
  derive: (text: string) => T,
  known?: StampTuple,
): T {
  if (cachingDisabled()) return derive(read(file));
  const stamp: FileStamp | undefined =
    known === undefined ? statSync(file, { throwIfNoEntry: false }) : { size: known[0], mtimeMs: known[1], ctimeMs: known[2] };
  const folder = dirname(file);
  const entry = stamp === undefined ? null : cacheOf(folder, spec);
  if (entry === null || stamp === undefined) return derive(read(file));
  const name = basename(file);
  const cached = entry.cache.get(name, stamp) as T | undefined;
  if (cached !== undefined) return cached;
  const value = derive(read(file));
  if (entry.cache.set(name, stamp, value)) scheduleSave(folder, entry);
  return value;
}

function scheduleSave(folder: string, entry: OpenCache): void {
  if (entry.saveScheduled) return;
  entry.saveScheduled = true;
  setImmediate(() => {
    entry.saveScheduled = false;
    try {
      const present = new Set(readdirSync(folder));
      entry.cache.keepOnly((n) => present.has(n));
    } catch {
      // The folder is gone: the entries are simply kept until next time.
    }
    entry.cache.save();
  });
}

/** Drops the caches read so far; the next use reads them from disk again (tests, long-lived processes). */
export function closeFileCaches(): void {
  open.clear();
  last = undefined;
}
