import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";
import { loadScript } from "../../../src/repo/loader.js";
import { scanRepository } from "../../../src/repo/repository.js";
import { closeFileCaches, derivedFromFile } from "../../../src/util/file-cache.js";
import { makeProject, removeProjects, useCacheProject } from "../../helpers/project.js";

afterAll(removeProjects);

const settle = () => new Promise((resolve) => setImmediate(resolve));
const SPEC = { kind: "lengths", version: "1" };

describe("derivedFromFile", () => {
  const project = useCacheProject();
  // The cache never keeps files changed in the last seconds: a minute from now, these are old enough.
  beforeEach(() => project.aMinuteLater());
  const cacheFile = (kind: string) => project.files(kind)[0] as string;

  it("derives once per file version, across processes (a fresh cache read from disk)", async () => {
    const dir = makeProject({ "a.sql": "SELECT 1;\n" });
    const file = join(dir, "a.sql");
    const read = vi.fn((path: string) => readFileSync(path, "utf8"));
    const length = (text: string) => text.length;
    expect(derivedFromFile(file, SPEC, read, length)).toBe(10);
    await settle();
    closeFileCaches();
    expect(derivedFromFile(file, SPEC, read, length)).toBe(10);
    expect(read).toHaveBeenCalledTimes(1);

    writeFileSync(file, "SELECT 12;\n");
    expect(derivedFromFile(file, SPEC, read, length)).toBe(11);
    expect(read).toHaveBeenCalledTimes(2);
  });

  it("keeps only the entries of files still in the folder", async () => {
    const dir = makeProject({ "a.sql": "A", "b.sql": "BB" });
    const read = (path: string) => readFileSync(path, "utf8");
    derivedFromFile(join(dir, "a.sql"), SPEC, read, (t) => t.length);
    derivedFromFile(join(dir, "b.sql"), SPEC, read, (t) => t.length);
    await settle();
    rmSync(join(dir, "b.sql"));
    writeFileSync(join(dir, "c.sql"), "CCC");
    derivedFromFile(join(dir, "c.sql"), SPEC, read, (t) => t.length);
    await settle();
    const entries = (JSON.parse(readFileSync(cacheFile("lengths"), "utf8")) as { entries: object }).entries;
    expect(Object.keys(entries).sort()).toEqual(["a.sql", "c.sql"]);
  });

  it("lives in TIDEMARK_CACHE_DIR when that is set", async () => {
    const chosen = makeProject();
    const dir = makeProject({ "a.sql": "A" });
    process.env["TIDEMARK_CACHE_DIR"] = chosen;
    try {
      derivedFromFile(
        join(dir, "a.sql"),
        SPEC,
        (path) => readFileSync(path, "utf8"),
        (t) => t.length,
      );
      await settle();
    } finally {
      delete process.env["TIDEMARK_CACHE_DIR"];
    }
    expect(readdirSync(chosen).filter((f) => f.startsWith("lengths-"))).toHaveLength(1);
    expect(project.files("lengths")).toEqual([]);
  });

  it("is what loadScript reads SQL scripts through", async () => {
    const dir = makeProject({ "001_a.sql": "CREATE TABLE a (id INT);\n" });
    const [revision] = scanRepository(dir, { name: "core", cache: false }).revisions;
    expect((await loadScript(revision!, "sqlite")).bodies.upgrade).toMatchObject({
      statements: [{ sql: "CREATE TABLE a (id INT)" }],
    });
    await settle();
    // Planted text proves a later load does not read the unchanged file.
    const file = cacheFile("sql-sqlite");
    type Entry = [number, number, number, { sections: { upgrade: { sql: string; line: number }[] } }];
    const data = JSON.parse(readFileSync(file, "utf8")) as { entries: Record<string, Entry> };
    data.entries["001_a.sql"]![3].sections.upgrade = [{ sql: "CREATE TABLE planted (id INT)", line: 1 }];
    writeFileSync(file, JSON.stringify(data));
    closeFileCaches();
    expect((await loadScript(revision!, "sqlite")).bodies.upgrade).toMatchObject({
      statements: [{ sql: "CREATE TABLE planted (id INT)" }],
    });
  });
});
