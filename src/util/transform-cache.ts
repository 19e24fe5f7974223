/**
 * Transformed scripts kept between runs, so that `upgrade --sql` over
 * thousands of `.ts` revisions does not run sucrase on each of them every
 * time. An entry is keyed by the file's exact text — an edit always misses,
 * whatever the clocks say — and all files of one folder share one cache
 * file, so a run reads one file instead of one per script.
 *
 * Saved once the current burst of loads is over (setImmediate), keeping only
 * files that still exist. Any problem reading or writing it only costs speed.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { cachingDisabled, defaultCacheDir, fnv1a } from "./cache-dir.js";

/** Bump when the loader's transform options change, so old entries are ignored. */
const FORMAT = 1;

/** [source, transformed code] */
type Entry = [string, string];

interface CacheFile {
  readonly format: number;
  /** The transformer's version: a new sucrase may transform differently. */
  readonly transformer: string;
  readonly folder: string;
  readonly entries: Record<string, Entry>;
}

export interface TransformCache {
  /** The cached output for `file` when its text is still `source`. */
  get(file: string, source: string): string | undefined;
  set(file: string, source: string, code: string): void;
}

const NO_CACHE: TransformCache = { get: () => undefined, set: () => undefined };

/** One per folder and process: a long-lived process reads each cache file once. */
const open = new Map<string, TransformCache>();

/** The cache for scripts in `folder` (absolute), for output of transformer version `transformer`. */
export function transformCacheFor(folder: string, transformer: string): TransformCache {
  if (cachingDisabled()) return NO_CACHE;
  const key = `${transformer}\u0000${folder}`;
  let cache = open.get(key);
  if (cache === undefined) {
    const cacheDir = defaultCacheDir();
    cache = cacheDir === undefined ? NO_CACHE : folderCache(join(cacheDir, `transforms-${fnv1a(folder)}.json`), folder, transformer);
    open.set(key, cache);
  }
  return cache;
}

/** Drops the caches read so far; the next use reads them from disk again. */
export function closeTransformCaches(): void {
  open.clear();
}

function folderCache(cacheFile: string, folder: string, transformer: string): TransformCache {
  let entries: Record<string, Entry> = {};
  try {
    const parsed = JSON.parse(readFileSync(cacheFile, "utf8")) as CacheFile;
    if (parsed.format === FORMAT && parsed.transformer === transformer && parsed.folder === folder && typeof parsed.entries === "object") {
      entries = parsed.entries;
    }
  } catch {
    // No cache yet, or an unreadable one: start afresh.
  }
  let saveScheduled = false;
  const save = () => {
    saveScheduled = false;
    try {
      for (const name of Object.keys(entries)) if (!existsSync(join(folder, name))) delete entries[name];
      mkdirSync(dirname(cacheFile), { recursive: true });
      const temp = `${cacheFile}.${process.pid}.tmp`;
      writeFileSync(temp, JSON.stringify({ format: FORMAT, transformer, folder, entries } satisfies CacheFile));
      renameSync(temp, cacheFile);
    } catch {
      // A read-only cache folder only costs speed.
    }
  };
  return {
    get(file, source) {
      const entry = entries[basename(file)];
      return entry !== undefined && entry[0] === source ? entry[1] : undefined;
    },
    set(file, source, code) {
      entries[basename(file)] = [source, code];
      if (!saveScheduled) {
        saveScheduled = true;
        setImmediate(save);
      }
    },
  };
}
