/**
 * Script headers cached by each file's size, mtime and ctime (see
 * util/stat-cache.ts), so that `heads`/`history`/`check` on thousands of
 * scripts cost one stat per file instead of open + read + close + parse.
 */
import type { Stats } from "node:fs";
import { cachingDisabled, defaultCacheDir } from "../util/cache-dir.js";
import { StatCache, type StampTuple } from "../util/stat-cache.js";
import type { ScriptHeader } from "./script-header.js";

/** Bump when the header reader's output changes, so old caches are ignored. */
const FORMAT = "3";

/** [revision, revises, message, dependsOn, branchLabels, transactional, bodies bitmask] */
type Entry = [string | null, string[] | null, string | null, string[], string[], 0 | 1, number];

const BODY_BITS = ["upgrade", "downgrade", "expand", "migrate", "contract"] as const;

export interface HeaderCache {
  /** The cached header when the file is unchanged since it was cached. */
  get(name: string, file: string, stats: Stats): ScriptHeader | undefined;
  set(name: string, stats: Stats, header: ScriptHeader): void;
  /** Writes the cache when it changed; drops entries of files not in `present` (the folder's scripts). */
  save(present: Iterable<string>): void;
}

const NO_CACHE: HeaderCache = { get: () => undefined, set: () => undefined, save: () => undefined };

export interface HeaderCacheOptions {
  /** Files whose ctime is this close to now are not cached (tests set a negative window). */
  readonly racyWindowMs?: number;
}

/**
 * The cache for one script folder. `location` is the cache folder, or false
 * for none; by default the one util/cache-dir.ts picks.
 */
export function openHeaderCache(folder: string, location?: string | false, options: HeaderCacheOptions = {}): HeaderCache {
  if (location === false || cachingDisabled()) return NO_CACHE;
  const cacheDir = location ?? defaultCacheDir();
  if (cacheDir === undefined) return NO_CACHE;
  const cache = new StatCache<Entry>(folder, cacheDir, {
    kind: "headers",
    version: FORMAT,
    ...(options.racyWindowMs === undefined ? {} : { racyWindowMs: options.racyWindowMs }),
  });
  // Files whose entry is known current: when that is every entry, none belongs to a file that is gone.
  let current = 0;
  return {
    get(name, file, stats) {
      const entry = cache.entry(name, stats);
      if (entry === undefined) return undefined;
      current++;
      // The entry doubles as the file's stamp: the scan's stat, kept without allocating anything.
      return fromEntry(entry[3], file, entry);
    },
    set(name, stats, header) {
      if (cache.set(name, stats, toEntry(header))) current++;
    },
    save(present) {
      if (cache.size > current) {
        const names = new Set(present);
        cache.keepOnly((name) => names.has(name));
      }
      cache.save();
    },
  };
}

function toEntry(h: ScriptHeader): Entry {
  let bits = 0;
  BODY_BITS.forEach((name, i) => {
    if (h.bodies[name]) bits |= 1 << i;
  });
  return [
    h.revision ?? null,
    h.revises === undefined ? null : [...h.revises],
    h.message ?? null,
    [...h.dependsOn],
    [...h.branchLabels],
    h.transactional ? 1 : 0,
    bits,
  ];
}

function fromEntry(e: Entry, file: string, stamp: StampTuple): ScriptHeader {
  const bits = e[6];
  const header: { -readonly [K in keyof ScriptHeader]: ScriptHeader[K] } = {
    file,
    stamp,
    dependsOn: e[3],
    branchLabels: e[4],
    transactional: e[5] === 1,
    bodies: {
      upgrade: (bits & 1) !== 0,
      downgrade: (bits & 2) !== 0,
      expand: (bits & 4) !== 0,
      migrate: (bits & 8) !== 0,
      contract: (bits & 16) !== 0,
    },
  };
  if (e[0] !== null) header.revision = e[0];
  if (e[1] !== null) header.revises = e[1];
  if (e[2] !== null) header.message = e[2];
  return header;
}
