/**
 * The README's walkthroughs as steps a test can replay: in each walkthrough
 * section, a ```ts block whose first line is `// PATH` writes that file, and
 * each line of a ```sh block is a command, expected to exit 0 unless its
 * comment says `exit N`, and to print exactly X when it says `prints X`.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const README = fileURLToPath(new URL("../../README.md", import.meta.url));

/** The sections whose code blocks, in order, are a walkthrough that must run as written. */
export const WALKTHROUGHS = ["Quick start", "Extensions (keystone)", "Walkthrough: renaming a column without downtime"];

export type Step =
  | { readonly kind: "file"; readonly path: string; readonly text: string }
  | { readonly kind: "command"; readonly line: string; readonly exit: number; readonly prints?: string };

/** The steps of one walkthrough section (the text under its heading, up to the next heading). */
export function walkthrough(title: string, text = readFileSync(README, "utf8")): Step[] {
  const lines = text.split("\n");
  // A `# comment` inside a code block is not a heading.
  let fenced = false;
  const heading = lines.map((line) => {
    if (line.startsWith("```")) fenced = !fenced;
    return !fenced && /^#{1,3} /.test(line);
  });
  const start = lines.findIndex((line, i) => heading[i] === true && line.replace(/^#+ /, "") === title);
  if (start === -1) throw new Error(`README has no section "${title}"`);
  const end = heading.findIndex((isHeading, i) => i > start && isHeading);
  const body = lines.slice(start + 1, end === -1 ? undefined : end);
  const steps: Step[] = [];
  for (let i = 0; i < body.length; i++) {
    const fence = /^```(\w*)$/.exec(body[i] as string);
    if (fence === null) continue;
    const close = body.indexOf("```", i + 1);
    if (close === -1) throw new Error(`README section "${title}": a code block is not closed`);
    const block = body.slice(i + 1, close);
    i = close;
    if (fence[1] === "ts" || fence[1] === "js") {
      const path = /^\/\/ (\S+\.\w+)$/.exec(block[0] ?? "");
      if (path !== null) steps.push({ kind: "file", path: path[1] as string, text: `${block.join("\n")}\n` });
    } else if (fence[1] === "sh") {
      for (const line of block) {
        if (line.trim() === "" || line.trim().startsWith("#")) continue;
        const comment = line.includes("#") ? line.slice(line.indexOf("#")) : "";
        const exit = /\bexit (\d+)/.exec(comment);
        const prints = /\bprints (\S+)/.exec(comment);
        steps.push({
          kind: "command",
          line,
          exit: exit === null ? 0 : Number(exit[1]),
          ...(prints === null ? {} : { prints: prints[1] as string }),
        });
      }
    }
  }
  return steps;
}

export interface Replayed {
  readonly step: Step & { readonly kind: "command" };
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the steps in `dir` (bash for commands), after `rewrite` (e.g. to run the built bin for `npx tidemark`). */
export function replay(
  dir: string,
  steps: readonly Step[],
  options: { readonly rewrite?: (line: string) => string; readonly env?: NodeJS.ProcessEnv } = {},
): Replayed[] {
  const results: Replayed[] = [];
  for (const step of steps) {
    if (step.kind === "file") {
      mkdirSync(dirname(join(dir, step.path)), { recursive: true });
      writeFileSync(join(dir, step.path), step.text);
      continue;
    }
    const line = options.rewrite?.(step.line) ?? step.line;
    const run = spawnSync("bash", ["-c", line], {
      cwd: dir,
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1", ...options.env },
      timeout: 300_000,
    });
    results.push({ step, code: run.status ?? -1, stdout: run.stdout, stderr: run.stderr });
  }
  return results;
}
