/**
 * The README's walkthroughs run as written (issue 17): every command of the
 * quick start, the extensions walkthrough and the rolling-upgrade
 * walkthrough, in a fresh folder, with `npx tidemark` being the built CLI
 * (test/package/quick-start.test.ts replays the quick start with the packed
 * tarball and real npx). Each exits as its comment says, and prints what it
 * says it prints.
 */
import { afterAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { BIN } from "../helpers/cli.js";
import { makeProject, removeProjects } from "../helpers/project.js";
import { README, replay, WALKTHROUGHS, walkthrough } from "../helpers/readme.js";

afterAll(removeProjects);

const builtBin = (line: string): string =>
  line.replace(/^npx tidemark\b/, `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)}`);

describe("the README", () => {
  it("reads right on the package page: npx in every command, no clone of this repository in the opening", () => {
    const text = readFileSync(README, "utf8");
    const opening = text.slice(0, text.indexOf("## Scripts"));
    expect(opening).not.toMatch(/clone/i);
    for (const title of WALKTHROUGHS) {
      for (const step of walkthrough(title)) {
        if (step.kind === "command") expect(step.line, title).toMatch(/^(npx tidemark |mkdir |cat )/);
      }
    }
    // No command block anywhere runs a bare `tidemark`, which a local install does not put on the PATH.
    for (const block of text.matchAll(/```sh\n([\s\S]*?)```/g)) {
      for (const line of (block[1] as string).split("\n")) expect(line).not.toMatch(/^tidemark /);
    }
  });

  it.each(WALKTHROUGHS)("%s runs as written", (title) => {
    const steps = walkthrough(title);
    expect(steps.filter((step) => step.kind === "command").length).toBeGreaterThan(2);
    const dir = makeProject();
    for (const result of replay(dir, steps, { rewrite: builtBin })) {
      const what = `${result.step.line}\n${result.stdout}${result.stderr}`;
      expect(result.code, what).toBe(result.step.exit);
      if (result.step.prints !== undefined) expect(result.stdout.trim(), what).toBe(result.step.prints);
    }
  });
});
