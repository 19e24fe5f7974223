import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { makeProject, removeProjects } from "../../helpers/project.js";

afterAll(removeProjects);

// `tidemark current` with a JSON config has a 60 ms budget: the TypeScript
// transform (sucrase) must not be loaded unless a TypeScript config is
// actually loaded. The built code runs in a plain Node process, which then
// reports whether sucrase is in its module cache.
const RESOLVE = fileURLToPath(new URL("../../../dist/config/resolve.js", import.meta.url));

function transformLoadedAfter(dir: string, configFiles: readonly string[]): { url: string; sucrase: boolean } {
  const script = `
    const { resolveConfig } = await import(${JSON.stringify(RESOLVE)});
    const { createRequire } = await import("node:module");
    const config = await resolveConfig({ cwd: ${JSON.stringify(dir)}, env: {}, configFiles: ${JSON.stringify(configFiles)} });
    const cache = createRequire(import.meta.url)("module")._cache;
    const sucrase = Object.keys(cache).some((key) => key.includes("/node_modules/sucrase/"));
    console.log(JSON.stringify({ url: config.url, sucrase }));
  `;
  const output = execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: dir, encoding: "utf8" });
  return JSON.parse(output) as { url: string; sucrase: boolean };
}

describe("config loading without the TypeScript transform", () => {
  it("resolves JSON, ini and .mjs configs without loading sucrase", () => {
    const dir = makeProject({
      "tidemark.config.json": JSON.stringify({ url: "sqlite:json.db" }),
      "app.conf": "[database]\nconnection = sqlite:ini.db\n",
      "extra.mjs": "export default { versionTable: 'from_mjs' };\n",
    });
    expect(transformLoadedAfter(dir, [])).toEqual({ url: "sqlite:json.db", sucrase: false });
    expect(transformLoadedAfter(dir, ["app.conf", "extra.mjs"])).toEqual({ url: "sqlite:ini.db", sucrase: false });
  });

  it("loads sucrase for a TypeScript config (so the check above can fail)", () => {
    const dir = makeProject({ "tidemark.config.ts": 'export default { url: "sqlite:ts.db" as string };\n' });
    expect(transformLoadedAfter(dir, [])).toEqual({ url: "sqlite:ts.db", sucrase: true });
  });
});
