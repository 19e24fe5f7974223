import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { resolveConfig } from "../../../src/config/resolve.js";
import { tempDir } from "./temp-dir.js";

// `tidemark current` with a JSON config has a 60 ms budget: jiti must not be
// imported unless a TypeScript config is actually loaded.
const jiti = vi.hoisted(() => ({ imports: 0 }));
vi.mock("jiti", () => {
  jiti.imports++;
  return {
    createJiti: () => {
      throw new Error("mocked jiti");
    },
  };
});

describe("config loading without jiti", () => {
  it("resolves JSON, ini and .mjs configs without importing jiti", async () => {
    const dir = tempDir({
      "tidemark.config.json": JSON.stringify({ url: "sqlite:json.db" }),
      "app.conf": "[database]\nconnection = sqlite:ini.db\n",
      "extra.mjs": "export default { versionTable: 'from_mjs' };\n",
    });
    expect((await resolveConfig({ cwd: dir, env: {} })).url).toBe("sqlite:json.db");
    const merged = await resolveConfig({ cwd: dir, env: {}, configFiles: ["app.conf", "extra.mjs"] });
    expect([merged.url, merged.versionTable]).toEqual(["sqlite:ini.db", "from_mjs"]);
    expect(jiti.imports).toBe(0);
  });

  it("imports jiti for a TypeScript config (so the check above can fail)", async () => {
    const dir = tempDir({ "tidemark.config.ts": "export default {};\n" });
    await expect(resolveConfig({ cwd: dir, env: {} })).rejects.toThrow(
      `${join(dir, "tidemark.config.ts")}: cannot load the config module: mocked jiti`,
    );
    expect(jiti.imports).toBe(1);
  });
});
