/**
 * Where tidemark keeps its caches (script headers, transformed scripts):
 * `TIDEMARK_CACHE_DIR` when set, else `node_modules/.cache/tidemark/` next
 * to the project, as babel's and eslint's are, else a folder of this user's
 * in the temp folder. Caches are only an optimisation: any problem reading
 * or writing them is ignored.
 */
import { mkdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";

/** The cache folder, or undefined when there is none that is safe to use. */
export function defaultCacheDir(): string | undefined {
  const chosen = process.env["TIDEMARK_CACHE_DIR"];
  if (chosen !== undefined && chosen !== "") return resolve(chosen);
  for (let dir = process.cwd(); ; dir = dirname(dir)) {
    try {
      if (statSync(join(dir, "node_modules")).isDirectory()) return join(dir, "node_modules", ".cache", "tidemark");
    } catch {
      // keep looking upwards
    }
    if (dirname(dir) === dir) break;
  }
  const uid = typeof process.getuid === "function" ? process.getuid() : undefined;
  const dir = join(tmpdir(), `tidemark-cache-${uid ?? "user"}`);
  // A shared temp folder: use it only when this user owns the directory and nobody else may
  // write to it, or another user could plant entries and change what tidemark sees or runs.
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const owner = statSync(dir);
    if (uid !== undefined && (owner.uid !== uid || (owner.mode & 0o022) !== 0)) return undefined;
    return dir;
  } catch {
    return undefined;
  }
}

/** Caching is off for the whole process (tests and benchmarks of the uncached path). */
export function cachingDisabled(): boolean {
  return process.env["TIDEMARK_NO_CACHE"] === "1";
}

/** 32-bit FNV-1a, hex: names cache files without loading node:crypto (~6 ms) at every start. */
export function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}
