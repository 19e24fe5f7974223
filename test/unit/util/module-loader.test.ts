import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { defineConfig } from "../../../src/index.js";
import { ModuleSyntaxError, loadModule, loadModuleFile } from "../../../src/util/module-loader.js";
import { closeFileCaches } from "../../../src/util/file-cache.js";
import { textChecksum } from "../../../src/util/checksum.js";
import { makeProject, removeProjects, useCacheProject } from "../../helpers/project.js";

afterAll(removeProjects);

/** Lets setImmediate-scheduled cache saves run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("loadModule", () => {
  it("strips types and turns import/export into a module's exports, keeping line numbers", async () => {
    const dir = makeProject({
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
    const dir = makeProject({
      "meta.mts":
        "const wait = await Promise.resolve(7);\nexport const value = wait;\nexport const meta = { url: import.meta.url, dir: import.meta.dirname, file: import.meta.filename };\n",
    });
    const file = join(dir, "meta.mts");
    const module = await loadModule(file);
    expect(module["value"]).toBe(7);
    expect(module["meta"]).toEqual({ url: pathToFileURL(file).href, dir, file });
  });

  it("imports relative helpers through itself, including `./x.js` naming x.ts, and packages through Node", async () => {
    const dir = makeProject({
      "lib/names.ts": "export const table = (n: number): string => `t${n}`;\n",
      "lib/index.ts": "export { table } from './names.js';\nexport * as path from 'node:path';\n",
      "lib/data.json": '{ "rows": 3 }',
      "main.ts":
        "import { table, path } from './lib';\nimport data from './lib/data.json';\nexport const name = table(data.rows);\nexport const sep = path.sep;\n",
    });
    const module = await loadModule(join(dir, "main.ts"));
    expect(module).toMatchObject({ name: "t3", sep: "/" });
  });

  it("lets helpers import each other in a cycle, as Node's modules do", async () => {
    const dir = makeProject({
      "a.ts": "import { b } from './b';\nexport const a = 'a';\nexport const both = () => a + b;\n",
      "b.ts": "import * as A from './a';\nexport const b = 'b';\nexport const seen = () => A.a;\n",
      "main.ts": "import { both } from './a';\nimport { seen } from './b';\nexport const value = both() + seen();\n",
    });
    expect((await loadModule(join(dir, "main.ts")))["value"]).toBe("aba");
  });

  it("resolves `tidemark` to the running tidemark", async () => {
    const dir = makeProject({ "config.ts": "import { defineConfig } from 'tidemark';\nexport const same = defineConfig;\n" });
    expect((await loadModule(join(dir, "config.ts")))["same"]).toBe(defineConfig);
  });

  it("runs CommonJS .js modules as they are", async () => {
    const dir = makeProject({ "old.js": "exports.upgrade = function upgrade() { return 'cjs'; };\n" });
    const module = await loadModule(join(dir, "old.js"));
    expect((module["upgrade"] as () => string)()).toBe("cjs");
  });

  it("reports a syntax error with the file, line and column", async () => {
    const dir = makeProject({ "bad.ts": "export const a = 1;\n\nexport const b: number = ;\n" });
    const error = await loadModule(join(dir, "bad.ts")).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ModuleSyntaxError);
    expect(error).toMatchObject({ file: join(dir, "bad.ts"), line: 3, column: 26, reason: "Unexpected token" });
    expect((error as Error).message).toBe(`${join(dir, "bad.ts")}:3:26: Unexpected token`);
  });

  it("loads a file afresh on every call", async () => {
    const dir = makeProject({ "v.ts": "export const version: number = 1;\n" });
    const file = join(dir, "v.ts");
    expect((await loadModule(file))["version"]).toBe(1);
    writeFileSync(file, "export const version: number = 2;\n");
    expect((await loadModule(file))["version"]).toBe(2);
  });
});

describe("the file cache of transformed modules", () => {
  const project = useCacheProject();
  const cacheFiles = () => project.files("modules");
  const aMinuteLater = project.aMinuteLater;
  type Entries = Record<string, [number, number, number, { code: string; checksum: string }]>;
  const entriesOf = (file: string) => (JSON.parse(readFileSync(file, "utf8")) as { entries: Entries }).entries;

  it("keeps each file's transformed code and checksum while the file is unchanged, and forgets files that are gone", async () => {
    const dir = makeProject({ "a.ts": "export const a: number = 1;\n", "b.ts": "export const b: number = 2;\n" });
    const a = join(dir, "a.ts");
    aMinuteLater();
    expect(await loadModuleFile(a)).toEqual({ exports: { a: 1 }, checksum: textChecksum("export const a: number = 1;\n") });
    await loadModule(join(dir, "b.ts"));
    await settle();
    const [name, ...more] = cacheFiles();
    expect(more).toEqual([]);
    const cacheFile = name as string;
    expect(Object.keys(entriesOf(cacheFile)).sort()).toEqual(["a.ts", "b.ts"]);

    // A cached entry is used as it is (planted code proves the file was not read)…
    const data = JSON.parse(readFileSync(cacheFile, "utf8")) as { entries: Entries };
    data.entries["a.ts"]![3].code = "exports.a = 'from the cache';";
    writeFileSync(cacheFile, JSON.stringify(data));
    closeFileCaches();
    expect((await loadModule(a))["a"]).toBe("from the cache");
    // …until the file changes.
    writeFileSync(a, "export const a: number = 10;\n");
    expect((await loadModule(a))["a"]).toBe(10);

    rmSync(join(dir, "b.ts"));
    await settle();
    expect(Object.keys(entriesOf(cacheFile))).toEqual(["a.ts"]);
  });

  it("never caches a file changed in the last seconds, nor anything with TIDEMARK_NO_CACHE=1", async () => {
    const dir = makeProject({ "c.ts": "export const c: number = 3;\n" });
    expect((await loadModule(join(dir, "c.ts")))["c"]).toBe(3);
    await settle();
    expect(cacheFiles()).toEqual([]);

    aMinuteLater();
    process.env["TIDEMARK_NO_CACHE"] = "1";
    try {
      expect((await loadModule(join(dir, "c.ts")))["c"]).toBe(3);
      await settle();
    } finally {
      delete process.env["TIDEMARK_NO_CACHE"];
    }
    expect(cacheFiles()).toEqual([]);
  });
});
