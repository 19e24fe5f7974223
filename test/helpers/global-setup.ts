/**
 * One temp folder for the whole run, as TMPDIR and TIDEMARK_CACHE_DIR of
 * every test process and CLI child: tidemark's caches (script headers,
 * transformed modules, V8 code cache) of the many throwaway projects land
 * there, not in this repository's node_modules, and go with it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), "tidemark-test-run-"));
  process.env["TMPDIR"] = dir;
  process.env["TIDEMARK_CACHE_DIR"] = join(dir, "tidemark-cache");
  return () => rmSync(dir, { recursive: true, force: true });
}
