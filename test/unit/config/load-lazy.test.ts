import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { tempDir } from "./temp-dir.js";

// `tidemark current` with a JSON config has a 60 ms budget: jiti must not be
// loaded unless a TypeScript config is actually loaded. The built code runs
// in a plain Node process, which then reports whether jiti is in its module cache.
const RESOLVE = fileURLToPath(new URL("../../../dist/config/resolve.js", import.meta.url));

function jitiLoadedAfter(dir: string, configFiles: readonly string[]): { url: string; jiti: boolean } {
  const script = `
    const { resolveConfig } = await import(${JSON.stringify(RESOLVE)});
    const { createRequire } = await import("node:module");
    const config = await resolveConfig({ cwd: ${JSON.stringify(dir)}, env: {}, configFiles: ${JSON.stringify(configFiles)} });
    const cache = createRequire(import.meta.url)("module")._cache;
    const jiti = Object.keys(cache).some((key) => key.includes("/node_modules/jiti/"));
    console.log(JSON.stringify({ url: config.url, jiti }));
  `;
  const output = execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: dir, encoding: "utf8" });
  return JSON.parse(output) as { url: string; jiti: boolean };
}

describe("config loading without jiti", () => {
  it("resolves JSON, ini and .mjs configs without loading jiti", () => {
    const dir = tempDir({
      "tidemark.config.json": JSON.stringify({ url: "sqlite:json.db" }),
      "app.conf": "[database]\nconnection = sqlite:ini.db\n",
      "extra.mjs": "export default { versionTable: 'from_mjs' };\n",
    });
    expect(jitiLoadedAfter(dir, [])).toEqual({ url: "sqlite:json.db", jiti: false });
    expect(jitiLoadedAfter(dir, ["app.conf", "extra.mjs"])).toEqual({ url: "sqlite:ini.db", jiti: false });
  });

  it("loads jiti for a TypeScript config (so the check above can fail)", () => {
    const dir = tempDir({ "tidemark.config.ts": 'export default { url: "sqlite:ts.db" as string };\n' });
    expect(jitiLoadedAfter(dir, [])).toEqual({ url: "sqlite:ts.db", jiti: true });
  });
});
