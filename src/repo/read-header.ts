/** Picks the header reader by extension, so callers need not know the script's language. */
import { statSync, type Stats } from "node:fs";
import { join } from "node:path";
import { ScriptError, messageOf } from "../errors.js";
import { readScriptText } from "./read-text.js";
import { openHeaderCache } from "./header-cache.js";
import { parseCodeHeader } from "./header-reader.js";
import { isSqlFile, type ScriptHeader } from "./script-header.js";
import { parseSqlHeader } from "./sql-script.js";

/** Reads a script's header from disk, choosing the reader by extension. */
export function readScriptHeader(file: string): ScriptHeader {
  const text = readScriptText(file);
  return isSqlFile(file) ? parseSqlHeader(text, file) : parseCodeHeader(text, file);
}

/**
 * Headers of the scripts `names` in `folder`, in order, through the header
 * cache (`cache`: its folder, or false for none; see header-cache.ts).
 */
export function readFolderHeaders(folder: string, names: readonly string[], cache?: string | false): ScriptHeader[] {
  const store = openHeaderCache(folder, cache);
  // join() once: the same paths as join(folder, name), without its cost per file.
  const prefix = join(folder, "/");
  const headers: ScriptHeader[] = [];
  try {
    for (const name of names) {
      const file = prefix + name;
      let stats: Stats;
      try {
        stats = statSync(file);
      } catch (error) {
        throw new ScriptError(file, undefined, `cannot read the script: ${messageOf(error)}`, { cause: error });
      }
      const cached = store.get(name, file, stats);
      if (cached !== undefined) {
        headers.push(cached);
        continue;
      }
      const header = { ...readScriptHeader(file), stamp: [stats.size, stats.mtimeMs, stats.ctimeMs] as const };
      store.set(name, stats, header);
      headers.push(header);
    }
  } finally {
    store.save(names);
  }
  return headers;
}
