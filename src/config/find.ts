import { statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/** Looked up in the working directory, then in each folder above it; in one folder the first found wins. */
export const CONFIG_FILE_NAMES = [
  "tidemark.config.ts",
  "tidemark.config.mts",
  "tidemark.config.js",
  "tidemark.config.mjs",
  "tidemark.config.json",
] as const;

function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
}

/**
 * The config files to read, absolute, in merge order: the `--config` list
 * when given (existence is checked when loading, to name the missing file),
 * else the first conventional file in `cwd` or the nearest folder above it
 * (as git, eslint and prettier look), so every subfolder of a project
 * reaches the same repositories and database; else none.
 */
export function findConfigFiles(cwd: string, configFiles: readonly string[] = []): string[] {
  if (configFiles.length > 0) return configFiles.map((file) => resolve(cwd, file));
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    for (const name of CONFIG_FILE_NAMES) {
      const path = join(dir, name);
      if (isFile(path)) return [path];
    }
    if (dirname(dir) === dir) return [];
  }
}
