/**
 * V8's code cache for the scripts the module loader compiles. Compiling a
 * small module and, later, the body functions it exports costs ~50 µs;
 * from V8's cached code ~15 µs — the difference between ~250 ms and ~75 ms
 * for 5,000 `.ts` revisions in `upgrade --sql`.
 *
 * The data is made at process exit, after the bodies ran, so that the
 * functions they compiled lazily are in it too. Each folder's data is one
 * binary file — an index, then the blobs — read as one buffer that never
 * enters the JavaScript heap. V8 refuses data made by another V8, but it
 * tells sources apart only by their length, so each blob is also keyed by
 * the caller's key for the exact source (a checksum): an edited script
 * never runs old code. The script is then compiled as usual and new data
 * is made at exit.
 */
import { mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { Script } from "node:vm";
import { cachingDisabled, defaultCacheDir, fnv1a } from "./cache-dir.js";

/** Data for one file: where it is in `buffer`, and the key of the source it was made from. */
type IndexEntry = [offset: number, length: number, key: string];

interface FolderCodeCache {
  readonly file: string;
  readonly folder: string;
  readonly buffer: Buffer;
  readonly index: Record<string, IndexEntry>;
  /** Scripts compiled without usable data, with their keys: theirs is made at exit. */
  readonly pending: Map<string, { readonly script: Script; readonly key: string }>;
}

/** Data made by another Node (another V8) is not even offered to V8. */
const VERSION = `2 ${process.version} ${process.arch}`;
const HEADER_BYTES = 4;

const folders = new Map<string, FolderCodeCache | null>();
let exitHooked = false;

function folderCache(folder: string): FolderCodeCache | null {
  let cache = folders.get(folder);
  if (cache === undefined) {
    const cacheDir = defaultCacheDir();
    cache = cacheDir === undefined ? null : readFolder(join(cacheDir, `v8-${fnv1a(folder)}.bin`), folder);
    folders.set(folder, cache);
  }
  return cache;
}

/** The file: a 4-byte length, a JSON header { version, folder, index }, then the blobs the index points into. */
function readFolder(file: string, folder: string): FolderCodeCache {
  const empty: FolderCodeCache = { file, folder, buffer: Buffer.alloc(0), index: {}, pending: new Map() };
  try {
    const buffer = readFileSync(file);
    const headerLength = buffer.readUInt32LE(0);
    const header = JSON.parse(buffer.toString("utf8", HEADER_BYTES, HEADER_BYTES + headerLength)) as {
      version: string;
      folder: string;
      index: Record<string, IndexEntry>;
    };
    if (header.version !== VERSION || header.folder !== folder) return empty;
    const blobs = buffer.subarray(HEADER_BYTES + headerLength);
    return { ...empty, buffer: blobs, index: header.index };
  } catch {
    return empty;
  }
}

function writeFolder(cache: FolderCodeCache): void {
  let present: Set<string>;
  try {
    present = new Set(readdirSync(cache.folder));
  } catch {
    return;
  }
  const blobs: Buffer[] = [];
  const index: Record<string, IndexEntry> = {};
  let offset = 0;
  const add = (name: string, data: Buffer, key: string) => {
    index[name] = [offset, data.length, key];
    blobs.push(data);
    offset += data.length;
  };
  for (const [name, { script, key }] of cache.pending) {
    try {
      add(name, script.createCachedData(), key);
    } catch {
      // Only costs speed next time.
    }
  }
  for (const [name, [start, length, key]] of Object.entries(cache.index)) {
    if (!cache.pending.has(name) && present.has(name)) add(name, cache.buffer.subarray(start, start + length), key);
  }
  const header = Buffer.from(JSON.stringify({ version: VERSION, folder: cache.folder, index }), "utf8");
  const size = Buffer.alloc(HEADER_BYTES);
  size.writeUInt32LE(header.length, 0);
  try {
    mkdirSync(dirname(cache.file), { recursive: true });
    const temp = `${cache.file}.${process.pid}.tmp`;
    writeFileSync(temp, Buffer.concat([size, header, ...blobs]));
    renameSync(temp, cache.file);
  } catch {
    // A read-only cache folder only costs speed.
  }
}

function writeAtExit(): void {
  for (const cache of folders.values()) {
    if (cache !== null && cache.pending.size > 0) writeFolder(cache);
  }
}

/**
 * Compiles `source` as `filename`, from the cached code V8 made for it last
 * time when V8 takes it; otherwise new data is made at exit. `key` must
 * change whenever `source` does (a checksum of what it was made from).
 */
export function compileCached(source: string, filename: string, key: string): Script {
  const cache = cachingDisabled() ? null : folderCache(dirname(filename));
  if (cache === null) return new Script(source, { filename });
  const name = basename(filename);
  const at = cache.index[name];
  const cachedData = at === undefined || at[2] !== key ? undefined : cache.buffer.subarray(at[0], at[0] + at[1]);
  const script = new Script(source, cachedData === undefined ? { filename } : { filename, cachedData });
  if (cachedData === undefined || script.cachedDataRejected === true) {
    cache.pending.set(name, { script, key });
    if (!exitHooked) {
      exitHooked = true;
      process.once("exit", writeAtExit);
    }
  }
  return script;
}

/** Forgets the data read so far (tests). */
export function closeCodeCaches(): void {
  folders.clear();
}
