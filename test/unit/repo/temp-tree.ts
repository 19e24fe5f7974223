/** Builds throwaway repository folders for the repo tests. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll } from "vitest";

/** A fresh temp folder holding `files` (relative path → content), removed after the test file. */
export function tempTree(files: Readonly<Record<string, string>> = {}): string {
  const root = mkdtempSync(join(tmpdir(), "tidemark-repo-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  writeTree(root, files);
  return root;
}

export function writeTree(root: string, files: Readonly<Record<string, string>>): void {
  for (const [path, content] of Object.entries(files)) {
    const file = join(root, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
}

/** A graph-scheme TypeScript script. */
export function graphTs(id: string, revises: string | readonly string[] | null, bodies = "upgrade"): string {
  const parents = revises === null ? "null" : JSON.stringify(revises);
  const fns = bodies.split(",").map((name) => `export async function ${name.trim()}(op: unknown) {}`).join("\n");
  return `export const revision = "${id}";\nexport const revises = ${parents};\n${fns}\n`;
}

/** A numbered-scheme TypeScript script with the given bodies. */
export function numberedTs(bodies = "upgrade", message?: string): string {
  const header = message === undefined ? "" : `export const message = ${JSON.stringify(message)};\n`;
  return header + bodies.split(",").map((name) => `export function ${name.trim()}(op: unknown) {}`).join("\n") + "\n";
}

/** Revisions without the scan's file stamps (stat results, which differ from run to run), for comparing. */
export function withoutStamps<T extends { readonly stamp?: unknown }>(revisions: readonly T[]): Omit<T, "stamp">[] {
  return revisions.map(({ stamp: _stamp, ...rest }) => rest);
}

export function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error");
}
