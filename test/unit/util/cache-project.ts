/** A throwaway project folder, the working directory of each test, whose caches the tests read. */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, vi } from "vitest";
import { closeFileCaches } from "../../../src/util/file-cache.js";
import { tempTree } from "../repo/temp-tree.js";

export interface CacheProject {
  /** The project folder (it has node_modules/, so the caches go to node_modules/.cache/tidemark). */
  readonly root: () => string;
  /** The cache files of `kind` ("modules", "sql-sqlite", …) written so far. */
  readonly files: (kind: string) => string[];
  /** Moves the clock a minute on: files written now are then old enough to be cached. */
  readonly aMinuteLater: () => void;
}

export function useCacheProject(): CacheProject {
  let root = "";
  let cwd = "";
  let chosen: string | undefined;
  beforeEach(() => {
    root = tempTree({ "node_modules/.keep": "" });
    cwd = process.cwd();
    process.chdir(root);
    // The run's own cache folder (test/helpers/global-setup.ts) would take precedence.
    chosen = process.env["TIDEMARK_CACHE_DIR"];
    delete process.env["TIDEMARK_CACHE_DIR"];
    closeFileCaches();
  });
  afterEach(() => {
    process.chdir(cwd);
    if (chosen !== undefined) process.env["TIDEMARK_CACHE_DIR"] = chosen;
    vi.useRealTimers();
    closeFileCaches();
  });
  const dir = () => join(root, "node_modules", ".cache", "tidemark");
  return {
    root: () => root,
    files: (kind) => (existsSync(dir()) ? readdirSync(dir()).filter((f) => f.startsWith(`${kind}-`)).map((f) => join(dir(), f)) : []),
    aMinuteLater: () => {
      vi.useFakeTimers({ toFake: ["Date"] });
      vi.setSystemTime(Date.now() + 60_000);
    },
  };
}
