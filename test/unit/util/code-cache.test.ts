import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { makeProject, removeProjects } from "../../helpers/project.js";

afterAll(removeProjects);

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
  // Without the test run's TIDEMARK_CACHE_DIR: the cache is the project's node_modules/.cache/tidemark.
  const env = { ...process.env, TIDEMARK_CACHE_DIR: "" };
  return JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd, env, encoding: "utf8" }));
}

describe("the modules' code cache", () => {
  it("is made at exit, used next time, and replaced when V8 refuses it", () => {
    const root = makeProject({
      "node_modules/.keep": "",
      "m/001_a.ts": "export async function upgrade(): Promise<string[]> {\n  return ['ran', typeof Buffer];\n}\n",
    });
    const file = join(root, "m", "001_a.ts");
    const cacheDir = join(root, "node_modules", ".cache", "tidemark");
    const cacheFile = () => join(cacheDir, readdirSync(cacheDir).find((n) => n.startsWith("v8-")) as string);
    /** The index (name → [offset, length]) and the blobs after it. */
    const read = () => {
      const bytes = readFileSync(cacheFile());
      const headerLength = bytes.readUInt32LE(0);
      const header = JSON.parse(bytes.toString("utf8", 4, 4 + headerLength)) as { index: Record<string, [number, number]> };
      return { bytes, index: header.index, blobsAt: 4 + headerLength };
    };

    expect(loadInChild(root, file)).toEqual(["ran", "function"]);
    const made = read();
    expect(Object.keys(made.index)).toEqual(["001_a.ts"]);
    expect(made.index["001_a.ts"]![1]).toBeGreaterThan(100);

    // Accepted data is not made again.
    expect(loadInChild(root, file)).toEqual(["ran", "function"]);
    expect(read().bytes.equals(made.bytes)).toBe(true);

    // Data V8 refuses (another Node, or damage) only costs a compile; new data replaces it.
    const damaged = Buffer.from(made.bytes);
    damaged.fill(7, made.blobsAt + 16, made.blobsAt + 64);
    writeFileSync(cacheFile(), damaged);
    expect(loadInChild(root, file)).toEqual(["ran", "function"]);
    expect(read().bytes.equals(damaged)).toBe(false);
    expect(Object.keys(read().index)).toEqual(["001_a.ts"]);
  });

  it("never runs old code after an edit that keeps the length (V8 itself compares only lengths)", () => {
    const root = makeProject({
      "node_modules/.keep": "",
      "m/001_a.ts": "export async function upgrade(): Promise<string[]> {\n  return ['one', typeof Buffer];\n}\n",
    });
    const file = join(root, "m", "001_a.ts");
    expect(loadInChild(root, file)).toEqual(["one", "function"]);
    expect(loadInChild(root, file)).toEqual(["one", "function"]);
    writeFileSync(file, "export async function upgrade(): Promise<string[]> {\n  return ['two', typeof Buffer];\n}\n");
    expect(loadInChild(root, file)).toEqual(["two", "function"]);
    expect(loadInChild(root, file)).toEqual(["two", "function"]);
  });
});
