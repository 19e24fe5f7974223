/**
 * A cache of script headers keyed by each file's size, mtime and ctime, so
 * that `heads`/`history`/`check` on thousands of scripts cost one stat per
 * file instead of open + read + close + parse. The ctime is set by the kernel
 * on every write, rename or chmod and cannot be forged by tools that restore
 * mtimes (git, tar, touch), so a changed file always misses.
 *
 * File systems stamp times with a coarse clock (a few milliseconds), so two
 * same-size writes in one tick look identical; like git's "racily clean"
 * rule, a file changed in the last few seconds is never cached.
 *
 * The cache lives in the folder util/cache-dir.ts picks; it is only an
 * optimisation: any problem reading or writing it is ignored.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync, type Stats } from "node:fs";
import { join, resolve } from "node:path";
import { cachingDisabled, defaultCacheDir, fnv1a } from "../util/cache-dir.js";
import type { ScriptHeader } from "./script-header.js";

/** Bump when the header reader's output changes, so old caches are ignored. */
const FORMAT = 1;

/** [size, mtimeMs, ctimeMs, revision, revises, message, dependsOn, branchLabels, transactional, bodies bitmask] */
type Entry = [number, number, number, string | null, string[] | null, string | null, string[], string[], 0 | 1, number];

interface CacheFile {
  readonly format: number;
  readonly folder: string;
  readonly entries: Record<string, Entry>;
}

const BODY_BITS = ["upgrade", "downgrade", "expand", "migrate", "contract"] as const;

export interface HeaderCache {
  /** The cached header when the file is unchanged since it was cached. */
  get(name: string, file: string, stats: Stats): ScriptHeader | undefined;
  set(name: string, stats: Stats, header: ScriptHeader): void;
  /** Writes the cache when it changed; drops entries of files that are gone. */
  save(present: ReadonlySet<string>): void;
}

const NO_CACHE: HeaderCache = { get: () => undefined, set: () => undefined, save: () => undefined };

const RACY_WINDOW_MS = 3000;

export interface HeaderCacheOptions {
  /** Files whose ctime is this close to now are not cached (tests set 0). */
  readonly racyWindowMs?: number;
}

/**
 * The cache for one script folder. `location` is the cache folder, or false
 * for none; by default `node_modules/.cache/tidemark` found upwards from the
 * working directory, else the temp folder.
 */
export function openHeaderCache(folder: string, location?: string | false, options: HeaderCacheOptions = {}): HeaderCache {
  if (location === false || cachingDisabled()) return NO_CACHE;
  const absolute = resolve(folder);
  const cacheDir = location ?? defaultCacheDir();
  if (cacheDir === undefined) return NO_CACHE;
  // The file records its folder, so a collision of this cheap hash only costs a cache miss.
  const cacheFile = join(cacheDir, `headers-${fnv1a(absolute)}.json`);
  let entries: Record<string, Entry> = {};
  try {
    const parsed = JSON.parse(readFileSync(cacheFile, "utf8")) as CacheFile;
    if (parsed.format === FORMAT && parsed.folder === absolute && typeof parsed.entries === "object") entries = parsed.entries;
  } catch {
    // No cache yet, or an unreadable one: start afresh.
  }
  let dirty = false;
  const racyAfter = Date.now() - (options.racyWindowMs ?? RACY_WINDOW_MS);
  return {
    get(name, file, stats) {
      const e = entries[name];
      if (e === undefined || e[0] !== stats.size || e[1] !== stats.mtimeMs || e[2] !== stats.ctimeMs) return undefined;
      return fromEntry(e, file);
    },
    set(name, stats, header) {
      if (stats.ctimeMs >= racyAfter || stats.mtimeMs >= racyAfter) return;
      entries[name] = toEntry(stats, header);
      dirty = true;
    },
    save(present) {
      for (const name of Object.keys(entries)) {
        if (!present.has(name)) {
          delete entries[name];
          dirty = true;
        }
      }
      if (!dirty) return;
      try {
        mkdirSync(cacheDir, { recursive: true });
        const temp = `${cacheFile}.${process.pid}.tmp`;
        writeFileSync(temp, JSON.stringify({ format: FORMAT, folder: absolute, entries } satisfies CacheFile));
        renameSync(temp, cacheFile);
        dirty = false;
      } catch {
        // A read-only project or temp folder only costs speed.
      }
    },
  };
}

function toEntry(stats: Stats, h: ScriptHeader): Entry {
  let bits = 0;
  BODY_BITS.forEach((name, i) => {
    if (h.bodies[name]) bits |= 1 << i;
  });
  return [
    stats.size, stats.mtimeMs, stats.ctimeMs, h.revision ?? null, h.revises === undefined ? null : [...h.revises],
    h.message ?? null, [...h.dependsOn], [...h.branchLabels], h.transactional ? 1 : 0, bits,
  ];
}

function fromEntry(e: Entry, file: string): ScriptHeader {
  const bits = e[9];
  const header: { -readonly [K in keyof ScriptHeader]: ScriptHeader[K] } = {
    file,
    dependsOn: e[6],
    branchLabels: e[7],
    transactional: e[8] === 1,
    bodies: {
      upgrade: (bits & 1) !== 0,
      downgrade: (bits & 2) !== 0,
      expand: (bits & 4) !== 0,
      migrate: (bits & 8) !== 0,
      contract: (bits & 16) !== 0,
    },
  };
  if (e[3] !== null) header.revision = e[3];
  if (e[4] !== null) header.revises = e[4];
  if (e[5] !== null) header.message = e[5];
  return header;
}
