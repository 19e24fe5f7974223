/**
 * One temp folder for the whole run, as TMPDIR of every test process and
 * CLI child: tidemark's caches (script headers, transformed modules, V8 code
 * cache) of the many throwaway projects land there and go with it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), "tidemark-test-run-"));
  process.env["TMPDIR"] = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
