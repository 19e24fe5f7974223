/**
 * A failing script names its own line without --verbose (issue 17): a
 * runtime error in a body, and an op whose statement the database refused
 * (its call, though ops run queued after the script's call returned).
 */
import { afterAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { runCli } from "../helpers/cli.js";
import { makeProject, removeProjects } from "../helpers/project.js";

afterAll(removeProjects);

const HEADER = 'import type { Op } from "tidemark";\nexport const revision = "a1a1a1a1a1a1";\nexport const revises = null;\n';

describe("errors in code scripts", () => {
  it("a runtime error names the script's line", async () => {
    const dir = makeProject({
      "migrations/a1a1a1a1a1a1_x.ts": `${HEADER}\nexport async function upgrade(op: Op) {\n  await op.createTable("t", { id: { type: "integer" } });\n  const missing: { boom(): void } | undefined = undefined;\n  missing!.boom();\n}\n`,
    });
    const result = await runCli(["upgrade"], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `error: Repository core, revision a1a1a1a1a1a1 (${join(dir, "migrations", "a1a1a1a1a1a1_x.ts")}), upgrade failed at line 8: ` +
        "Cannot read properties of undefined (reading 'boom'). The step was rolled back",
    );
  });

  it("a refused statement names the line of the op call, awaited or not", async () => {
    for (const awaited of ["await ", ""]) {
      const dir = makeProject({
        "migrations/a1a1a1a1a1a1_x.ts": `${HEADER}\nexport async function upgrade(op: Op) {\n  ${awaited}op.createTable("t", { id: { type: "integer" } });\n  ${awaited}op.execute("INSERT INTO nowhere VALUES (1)");\n}\n`,
      });
      const result = await runCli(["upgrade"], { cwd: dir });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        "upgrade failed at statement (line 7): INSERT INTO nowhere VALUES (1) — no such table: nowhere.",
      );
    }
  });
});
