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

/** A graph-scheme TypeScript revision; `up`/`down` are statements of the body (`op` is in scope). */
export function tsRevision(
  id: string,
  parent: string | readonly string[] | null,
  up: string,
  down?: string,
  extra: { readonly message?: string; readonly branchLabels?: readonly string[]; readonly dependsOn?: readonly string[]; readonly transactional?: boolean } = {},
): string {
  const revises = parent === null ? "null" : JSON.stringify(parent);
  return [
    'import type { Op } from "tidemark";',
    `export const revision = ${JSON.stringify(id)};`,
    `export const revises = ${revises};`,
    `export const message = ${JSON.stringify(extra.message ?? `revision ${id}`)};`,
    ...(extra.branchLabels === undefined ? [] : [`export const branchLabels = ${JSON.stringify(extra.branchLabels)};`]),
    ...(extra.dependsOn === undefined ? [] : [`export const dependsOn = ${JSON.stringify(extra.dependsOn)};`]),
    ...(extra.transactional === undefined ? [] : [`export const transactional = ${String(extra.transactional)};`]),
    "export async function upgrade(op: Op) {",
    up,
    "}",
    ...(down === undefined ? [] : ["export async function downgrade(op: Op) {", down, "}"]),
    "",
  ].join("\n");
}

/** A numbered-scheme SQL script body (the number comes from the file name). */
export function numberedSql(up: string, down?: string): string {
  return ["-- +upgrade", up, ...(down === undefined ? [] : ["-- +downgrade", down]), ""].join("\n");
}
