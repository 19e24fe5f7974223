/** Literal revisions for the graph tests: no files are read. */
import { expect } from "vitest";
import type { IdScheme, Revision } from "../../../src/graph/revision.js";
import { RevisionMap } from "../../../src/graph/revision-map.js";

export interface RevOptions {
  readonly dependsOn?: readonly string[];
  readonly labels?: readonly string[];
  readonly file?: string;
  readonly number?: number;
}

/** A plain revision whose file is `<id>.ts` unless given. */
export function rev(id: string, parents: string | readonly string[] | null = null, options: RevOptions = {}): Revision {
  return {
    id,
    parents: parents === null ? [] : typeof parents === "string" ? [parents] : parents,
    dependsOn: options.dependsOn ?? [],
    branchLabels: options.labels ?? [],
    message: `revision ${id}`,
    ...(options.number === undefined ? {} : { number: options.number }),
    bodies: { upgrade: true, downgrade: true, expand: false, migrate: false, contract: false },
    transactional: true,
    files: { main: options.file ?? `${id}.ts` },
  };
}

/** A chain: each id revises the one before it. */
export function chain(ids: readonly string[], first: string | null = null): Revision[] {
  return ids.map((id, i) => rev(id, i === 0 ? first : ids[i - 1]!));
}

/** Numbered revisions 1..n, files `NNN_vN.ts`. */
export function numbered(n: number): Revision[] {
  return Array.from({ length: n }, (_, i) => {
    const v = i + 1;
    return rev(String(v), v === 1 ? null : String(v - 1), { number: v, file: `${String(v).padStart(3, "0")}_v${v}.ts` });
  });
}

export function graphMap(revisions: readonly Revision[], scheme: IdScheme = "graph"): RevisionMap {
  return new RevisionMap(revisions, { scheme, repository: "core" });
}

/** Runs `build`, asserts it throws an instance of `type` with exit code 2, and returns the error. */
export function thrown<T extends Error>(build: () => unknown, type: abstract new (...args: never[]) => T): T {
  let caught: unknown;
  try {
    build();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(type);
  expect((caught as { exitCode?: number }).exitCode).toBe(2);
  return caught as T;
}
