/** Temp-dir projects: a folder with the given files, removed after the test file. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const made: string[] = [];

export function makeProject(files: Readonly<Record<string, string>> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "tidemark-test-"));
  made.push(dir);
  writeFiles(dir, files);
  return dir;
}

export function writeFiles(dir: string, files: Readonly<Record<string, string>>): void {
  for (const [name, text] of Object.entries(files)) {
    const file = join(dir, name);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
}

export function removeProjects(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A plain graph-scheme SQL revision. */
export function sqlRevision(id: string, parent: string | null, up: string, down?: string, message = `revision ${id}`): string {
  return [
    `-- revision: ${id}`,
    ...(parent === null ? [] : [`-- revises: ${parent}`]),
    `-- message: ${message}`,
    "-- +upgrade",
    up,
    ...(down === undefined ? [] : ["-- +downgrade", down]),
    "",
  ].join("\n");
}
