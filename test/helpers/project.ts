/**
 * Throwaway projects: a temp folder holding the given files (relative path →
 * text), and the script texts tests put in them. Every test file that makes
 * one removes them with `afterAll(removeProjects)`.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, vi } from "vitest";
import { closeFileCaches } from "../../src/util/file-cache.js";

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
  extra: {
    readonly message?: string;
    readonly branchLabels?: readonly string[];
    readonly dependsOn?: readonly string[];
    readonly transactional?: boolean;
  } = {},
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

/** A graph-scheme TypeScript script with empty bodies (`bodies`: comma-separated names). */
export function graphTs(id: string, revises: string | readonly string[] | null, bodies = "upgrade"): string {
  const parents = revises === null ? "null" : JSON.stringify(revises);
  const fns = bodies
    .split(",")
    .map((name) => `export async function ${name.trim()}(op: unknown) {}`)
    .join("\n");
  return `export const revision = "${id}";\nexport const revises = ${parents};\n${fns}\n`;
}

/** A numbered-scheme TypeScript script with empty bodies. */
export function numberedTs(bodies = "upgrade", message?: string): string {
  const header = message === undefined ? "" : `export const message = ${JSON.stringify(message)};\n`;
  const fns = bodies
    .split(",")
    .map((name) => `export function ${name.trim()}(op: unknown) {}`)
    .join("\n");
  return `${header}${fns}\n`;
}

/** Scanned revisions without their file stamps (stat results, which differ from run to run), for comparing. */
export function withoutStamps<T extends { readonly stamp?: unknown }>(revisions: readonly T[]): Omit<T, "stamp">[] {
  return revisions.map(({ stamp: _stamp, ...rest }) => rest);
}

export interface CacheProject {
  /** The project folder (it has node_modules/, so the caches go to node_modules/.cache/tidemark). */
  readonly root: () => string;
  /** The cache files of `kind` ("modules", "sql-sqlite", …) written so far. */
  readonly files: (kind: string) => string[];
  /** Moves the clock a minute on: files written now are then old enough to be cached. */
  readonly aMinuteLater: () => void;
}

/**
 * Each test of the calling suite runs in a fresh project, its working
 * directory, with a fresh cache of its own (not the run's shared one) that
 * the test can read.
 */
export function useCacheProject(): CacheProject {
  let root = "";
  let cwd = "";
  let chosen: string | undefined;
  beforeEach(() => {
    root = makeProject({ "node_modules/.keep": "" });
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
    files: (kind) =>
      existsSync(dir())
        ? readdirSync(dir())
            .filter((f) => f.startsWith(`${kind}-`))
            .map((f) => join(dir(), f))
        : [],
    aMinuteLater: () => {
      vi.useFakeTimers({ toFake: ["Date"] });
      vi.setSystemTime(Date.now() + 60_000);
    },
  };
}
