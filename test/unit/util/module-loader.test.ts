import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { defineConfig } from "../../../src/index.js";
import { ModuleSyntaxError, loadModule } from "../../../src/util/module-loader.js";
import { closeTransformCaches } from "../../../src/util/transform-cache.js";
import { tempTree } from "../repo/temp-tree.js";

/** Lets setImmediate-scheduled cache saves run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("loadModule", () => {
  it("strips types and turns import/export into a module's exports, keeping line numbers", async () => {
    const dir = tempTree({
      "x.ts": [
        'import type { Op } from "tidemark";',
        "interface Row { id: number }",
        "const rows: Row[] = [{ id: 1 }];",
        "export const count: number = rows.length;",
        "export default function where(): string { return new Error().stack!.split('\\n')[1]!; }",
        "export enum Kind { A = 'a' }",
      ].join("\n"),
    });
    const module = await loadModule(join(dir, "x.ts"));
    expect(module["count"]).toBe(1);
    expect(module["Kind"]).toEqual({ A: "a" });
    expect((module["default"] as () => string)()).toContain(`${join(dir, "x.ts")}:5:`);
  });

  it("runs top-level await and gives import.meta the file's url, filename and dirname", async () => {
    const dir = tempTree({
      "meta.mts": "const wait = await Promise.resolve(7);\nexport const value = wait;\nexport const meta = { url: import.meta.url, dir: import.meta.dirname, file: import.meta.filename };\n",
    });
    const file = join(dir, "meta.mts");
    const module = await loadModule(file);
    expect(module["value"]).toBe(7);
    expect(module["meta"]).toEqual({ url: pathToFileURL(file).href, dir, file });
  });

  it("imports relative helpers through itself, including `./x.js` naming x.ts, and packages through Node", async () => {
    const dir = tempTree({
      "lib/names.ts": "export const table = (n: number): string => `t${n}`;\n",
      "lib/index.ts": "export { table } from './names.js';\nexport * as path from 'node:path';\n",
      "lib/data.json": '{ "rows": 3 }',
      "main.ts": "import { table, path } from './lib';\nimport data from './lib/data.json';\nexport const name = table(data.rows);\nexport const sep = path.sep;\n",
    });
    const module = await loadModule(join(dir, "main.ts"));
    expect(module).toMatchObject({ name: "t3", sep: "/" });
  });

  it("lets helpers import each other in a cycle, as Node's modules do", async () => {
    const dir = tempTree({
      "a.ts": "import { b } from './b';\nexport const a = 'a';\nexport const both = () => a + b;\n",
      "b.ts": "import * as A from './a';\nexport const b = 'b';\nexport const seen = () => A.a;\n",
      "main.ts": "import { both } from './a';\nimport { seen } from './b';\nexport const value = both() + seen();\n",
    });
    expect((await loadModule(join(dir, "main.ts")))["value"]).toBe("aba");
  });

  it("resolves `tidemark` to the running tidemark", async () => {
    const dir = tempTree({ "config.ts": "import { defineConfig } from 'tidemark';\nexport const same = defineConfig;\n" });
    expect((await loadModule(join(dir, "config.ts")))["same"]).toBe(defineConfig);
  });

  it("runs CommonJS .js modules as they are", async () => {
    const dir = tempTree({ "old.js": "exports.upgrade = function upgrade() { return 'cjs'; };\n" });
    const module = await loadModule(join(dir, "old.js"));
    expect((module["upgrade"] as () => string)()).toBe("cjs");
  });

  it("reports a syntax error with the file, line and column", async () => {
    const dir = tempTree({ "bad.ts": "export const a = 1;\n\nexport const b: number = ;\n" });
    const error = await loadModule(join(dir, "bad.ts")).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ModuleSyntaxError);
    expect(error).toMatchObject({ file: join(dir, "bad.ts"), line: 3, column: 26, reason: "Unexpected token" });
    expect((error as Error).message).toBe(`${join(dir, "bad.ts")}:3:26: Unexpected token`);
  });

  it("loads a file afresh on every call", async () => {
    const dir = tempTree({ "v.ts": "export const version: number = 1;\n" });
    const file = join(dir, "v.ts");
    expect((await loadModule(file))["version"]).toBe(1);
    writeFileSync(file, "export const version: number = 2;\n");
    expect((await loadModule(file))["version"]).toBe(2);
  });
});

describe("the transform cache", () => {
  let cacheRoot: string;
  let cwd: string;

  beforeEach(() => {
    // The cache folder is node_modules/.cache/tidemark found upwards from the working directory.
    cacheRoot = tempTree({ "node_modules/.keep": "" });
    cwd = process.cwd();
    process.chdir(cacheRoot);
  });
  afterEach(() => process.chdir(cwd));

  const cacheFiles = () => readdirSync(join(cacheRoot, "node_modules", ".cache", "tidemark")).filter((f) => f.startsWith("transforms-"));

  it("keeps each file's transformed code keyed by its exact text, and forgets files that are gone", async () => {
    const dir = tempTree({ "a.ts": "export const a: number = 1;\n", "b.ts": "export const b: number = 2;\n" });
    const a = join(dir, "a.ts");
    await loadModule(a);
    await loadModule(join(dir, "b.ts"));
    await settle();
    const [name, ...more] = cacheFiles();
    expect(more).toEqual([]);
    const cacheFile = join(cacheRoot, "node_modules", ".cache", "tidemark", name as string);
    const read = () => JSON.parse(readFileSync(cacheFile, "utf8")) as { entries: Record<string, [string, string]> };
    expect(Object.keys(read().entries).sort()).toEqual(["a.ts", "b.ts"]);
    expect(read().entries["a.ts"]?.[0]).toBe("export const a: number = 1;\n");

    // A cached entry is used as it is (planted code proves it)…
    const planted = read();
    planted.entries["a.ts"] = ["export const a: number = 1;\n", "exports.a = 'from the cache';"];
    writeFileSync(cacheFile, JSON.stringify(planted));
    closeTransformCaches();
    expect((await loadModule(a))["a"]).toBe("from the cache");
    // …but only while the file's text is the same.
    writeFileSync(a, "export const a: number = 10;\n");
    expect((await loadModule(a))["a"]).toBe(10);

    rmSync(join(dir, "b.ts"));
    await settle();
    expect(Object.keys(read().entries)).toEqual(["a.ts"]);
  });

  it("is not used with TIDEMARK_NO_CACHE=1", async () => {
    const dir = tempTree({ "c.ts": "export const c: number = 3;\n" });
    process.env["TIDEMARK_NO_CACHE"] = "1";
    try {
      expect((await loadModule(join(dir, "c.ts")))["c"]).toBe(3);
      await settle();
    } finally {
      delete process.env["TIDEMARK_NO_CACHE"];
    }
    expect(existsSync(join(cacheRoot, "node_modules", ".cache"))).toBe(false);
  });
});
