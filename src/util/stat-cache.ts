/**
 * A cache of what tidemark derives from the files of one folder — script
 * headers, SQL text, transformed code — valid while a file's size, mtime and
 * ctime stay the same, so that work over thousands of scripts costs one stat
 * per file instead of open + read + close + parse. The ctime is set by the
 * kernel on every write, rename or chmod and cannot be forged by tools that
 * restore mtimes (git, tar, touch), so a changed file always misses.
 *
 * File systems stamp times with a coarse clock (a few milliseconds), so two
 * same-size writes in one tick look identical; like git's "racily clean"
 * rule, a file changed in the last few seconds is never cached.
 *
 * One JSON file per folder and kind, in the folder util/cache-dir.ts picks.
 * It is only an optimisation: any problem reading or writing it is ignored.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fnv1a } from "./cache-dir.js";

/** The parts of fs.Stats a cache entry is keyed by. */
export interface FileStamp {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
}

/** [size, mtimeMs, ctimeMs, value] */
type Entry<T> = [number, number, number, T];

/** A file's size, mtime and ctime as the first three items of an array (a cache entry is one). */
export type StampTuple = readonly [number, number, number, ...unknown[]];

interface CacheFile<T> {
  readonly version: string;
  readonly folder: string;
  /** How many entries there are, so a reader need not count them. */
  readonly count?: number;
  readonly entries: Record<string, Entry<T>>;
}

const RACY_WINDOW_MS = 3000;

export interface StatCacheOptions {
  /** What the entries are (part of the file name): "headers", "sql", "modules". */
  readonly kind: string;
  /** Entries written by another version of their producer are ignored. */
  readonly version: string;
  /** Files whose ctime or mtime is this close to now are not cached (tests set a negative window). */
  readonly racyWindowMs?: number;
}

export class StatCache<T> {
  private entries: Record<string, Entry<T>> = {};
  private count = 0;
  private dirty = false;
  private readonly racyAfter: number;
  private readonly file: string;
  private readonly folder: string;

  /** The cache of `folder`'s files, kept in `cacheDir`. */
  constructor(
    folder: string,
    private readonly cacheDir: string,
    private readonly options: StatCacheOptions,
  ) {
    this.folder = resolve(folder);
    // The file records its folder, so a collision of this cheap hash only costs a cache miss.
    this.file = join(cacheDir, `${options.kind}-${fnv1a(this.folder)}.json`);
    this.racyAfter = Date.now() - (options.racyWindowMs ?? RACY_WINDOW_MS);
    try {
      const parsed = JSON.parse(readFileSync(this.file, "utf8")) as CacheFile<T>;
      if (parsed.version === options.version && parsed.folder === this.folder && typeof parsed.entries === "object") {
        this.entries = parsed.entries;
        this.count = parsed.count ?? Object.keys(parsed.entries).length;
      }
    } catch {
      // No cache yet, or an unreadable one: start afresh.
    }
  }

  /** How many files have an entry. */
  get size(): number {
    return this.count;
  }

  /** The cached value when the file `name` is unchanged since it was cached. */
  get(name: string, stamp: FileStamp): T | undefined {
    return this.entry(name, stamp)?.[3];
  }

  /** The whole entry (its first three items are the stamp) when the file `name` is unchanged. */
  entry(name: string, stamp: FileStamp): Readonly<Entry<T>> | undefined {
    const e = this.entries[name];
    if (e === undefined || e[0] !== stamp.size || e[1] !== stamp.mtimeMs || e[2] !== stamp.ctimeMs) return undefined;
    return e;
  }

  /** Records `value` for the file `name`, unless the file changed too recently to be told apart. */
  set(name: string, stamp: FileStamp, value: T): boolean {
    if (stamp.ctimeMs >= this.racyAfter || stamp.mtimeMs >= this.racyAfter) return false;
    if (this.entries[name] === undefined) this.count++;
    this.entries[name] = [stamp.size, stamp.mtimeMs, stamp.ctimeMs, value];
    this.dirty = true;
    return true;
  }

  /** Drops the entries of files not in `present` (the folder's current files). */
  keepOnly(present: (name: string) => boolean): void {
    for (const name of Object.keys(this.entries)) {
      if (!present(name)) {
        delete this.entries[name];
        this.count--;
        this.dirty = true;
      }
    }
  }

  /** Writes the cache file when something changed. */
  save(): void {
    if (!this.dirty) return;
    try {
      mkdirSync(this.cacheDir, { recursive: true });
      const temp = `${this.file}.${process.pid}.tmp`;
      const data: CacheFile<T> = { version: this.options.version, folder: this.folder, count: this.count, entries: this.entries };
      writeFileSync(temp, JSON.stringify(data));
      renameSync(temp, this.file);
      this.dirty = false;
    } catch {
      // A read-only project or temp folder only costs speed.
    }
  }
}
