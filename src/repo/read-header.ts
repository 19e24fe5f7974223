/** Picks the header reader by extension, so callers need not know the script's language. */
import { closeSync, openSync, readSync, statSync, type Stats } from "node:fs";
import { join } from "node:path";
import { ScriptError, messageOf } from "../errors.js";
import { openHeaderCache } from "./header-cache.js";
import { parseCodeHeader } from "./header-reader.js";
import { isSqlFile, type ScriptHeader } from "./script-header.js";
import { parseSqlHeader } from "./sql-script.js";

/**
 * One buffer reused for every file: scanning thousands of scripts is bound by
 * system calls, and open/read/close into a shared buffer is the cheapest way.
 */
let buffer = Buffer.allocUnsafe(64 * 1024);

export function readScriptText(file: string): string {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (error) {
    throw new ScriptError(file, undefined, `cannot read the script: ${messageOf(error)}`, { cause: error });
  }
  try {
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        const bigger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(bigger, 0, 0, length);
        buffer = bigger;
      }
      const room = buffer.length - length;
      const read = readSync(fd, buffer, length, room, null);
      length += read;
      // A short read of a regular file is its end: saves a second system call per script.
      if (read < room) break;
    }
    return buffer.toString("utf8", 0, length);
  } catch (error) {
    throw new ScriptError(file, undefined, `cannot read the script: ${messageOf(error)}`, { cause: error });
  } finally {
    closeSync(fd);
  }
}

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
      const header = readScriptHeader(file);
      store.set(name, stats, header);
      headers.push(header);
    }
  } finally {
    store.save(new Set(names));
  }
  return headers;
}
