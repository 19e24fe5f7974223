import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { tempTree } from "../repo/temp-tree.js";

// V8's code cache is made at process exit, so each step runs in a process of its own (the built loader).
const LOADER = fileURLToPath(new URL("../../../dist/util/module-loader.js", import.meta.url));

/** Loads `file` in a fresh Node process whose clock runs a minute ahead (so the file is old enough to cache). */
function loadInChild(cwd: string, file: string): unknown {
  const script = `
    const now = Date.now;
    Date.now = () => now() + 60_000;
    const { loadModule } = await import(${JSON.stringify(LOADER)});
    const module = await loadModule(${JSON.stringify(file)});
    console.log(JSON.stringify(await module.upgrade()));
  `;
  return JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd, encoding: "utf8" }));
}

describe("the modules' code cache", () => {
  it("is made at exit, used next time, and replaced when V8 refuses it", () => {
    const root = tempTree({
      "node_modules/.keep": "",
      "m/001_a.ts": "export async function upgrade(): Promise<string[]> {\n  return ['ran', typeof Buffer];\n}\n",
    });
    const file = join(root, "m", "001_a.ts");
    const cacheDir = join(root, "node_modules", ".cache", "tidemark");
    const cacheFile = () => join(cacheDir, readdirSync(cacheDir).find((n) => n.startsWith("modules-")) as string);
    type Entries = Record<string, [number, number, number, { code: string; v8?: string }]>;
    const entry = () => (JSON.parse(readFileSync(cacheFile(), "utf8")) as { entries: Entries }).entries["001_a.ts"]![3];

    expect(loadInChild(root, file)).toEqual(["ran", "function"]);
    const made = entry().v8;
    expect(made).toMatch(/^[A-Za-z0-9+/]{100,}={0,2}$/);

    expect(loadInChild(root, file)).toEqual(["ran", "function"]);
    expect(entry().v8).toBe(made);

    // Data V8 refuses (another Node, or damage) only costs a compile; new data replaces it.
    const data = JSON.parse(readFileSync(cacheFile(), "utf8")) as { entries: Entries };
    const refused = Buffer.from("not V8 code cache data").toString("base64");
    data.entries["001_a.ts"]![3].v8 = refused;
    writeFileSync(cacheFile(), JSON.stringify(data));
    expect(loadInChild(root, file)).toEqual(["ran", "function"]);
    expect(entry().v8).not.toBe(refused);
    expect(entry().v8).toMatch(/^[A-Za-z0-9+/]{100,}={0,2}$/);
  });
});
