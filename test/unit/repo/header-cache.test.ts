import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { openHeaderCache } from "../../../src/repo/header-cache.js";
import { readScriptHeader } from "../../../src/repo/read-header.js";
import { scanRepository, type RepositoryScan } from "../../../src/repo/repository.js";
import { graphTs, makeProject, removeProjects, withoutStamps } from "../../helpers/project.js";

afterAll(removeProjects);

function cacheFileIn(dir: string): string {
  const [name] = readdirSync(dir).filter((n) => n.startsWith("headers-"));
  if (name === undefined) throw new Error(`no cache file in ${dir}`);
  return join(dir, name);
}

const comparable = (scan: RepositoryScan) => ({ ...scan, revisions: withoutStamps(scan.revisions) });

describe("header cache", () => {
  it("serves an unchanged file from the cache and misses once the file changes", () => {
    const root = makeProject({ "s/aaaaaaaaaaaa_a.ts": graphTs("aaaaaaaaaaaa", null) });
    const folder = join(root, "s");
    const file = join(folder, "aaaaaaaaaaaa_a.ts");
    const cacheDir = join(root, "cache");
    const first = openHeaderCache(folder, cacheDir, { racyWindowMs: -60_000 });
    const header = readScriptHeader(file);
    first.set("aaaaaaaaaaaa_a.ts", statSync(file), header);
    first.save(new Set(["aaaaaaaaaaaa_a.ts"]));

    // Tamper with the cached message: a hit must return it, proving the file was not read.
    const cacheFile = cacheFileIn(cacheDir);
    const data = JSON.parse(readFileSync(cacheFile, "utf8")) as { entries: Record<string, [number, number, number, unknown[]]> };
    data.entries["aaaaaaaaaaaa_a.ts"]![3][2] = "from the cache";
    writeFileSync(cacheFile, JSON.stringify(data));
    const hit = openHeaderCache(folder, cacheDir).get("aaaaaaaaaaaa_a.ts", file, statSync(file));
    const { stamp, ...rest } = hit!;
    expect(rest).toEqual({ ...header, message: "from the cache" });
    // The entry is the hit's stamp too: the file's size, mtime and ctime.
    const { size, mtimeMs, ctimeMs } = statSync(file);
    expect(stamp?.slice(0, 3)).toEqual([size, mtimeMs, ctimeMs]);

    writeFileSync(file, graphTs("aaaaaaaaaaaa", "bbbbbbbbbbbb"));
    expect(openHeaderCache(folder, cacheDir).get("aaaaaaaaaaaa_a.ts", file, statSync(file))).toBeUndefined();
  });

  it("never caches a file changed within the racy window, and drops entries of deleted files", () => {
    const root = makeProject({ "s/x.ts": graphTs("x", null), "s/y.ts": graphTs("y", null) });
    const folder = join(root, "s");
    const cacheDir = join(root, "cache");
    const cache = openHeaderCache(folder, cacheDir);
    cache.set("x.ts", statSync(join(folder, "x.ts")), readScriptHeader(join(folder, "x.ts")));
    cache.save(new Set(["x.ts"]));
    expect(existsSync(cacheDir) ? readdirSync(cacheDir).filter((n) => n.startsWith("headers-")) : []).toEqual([]);

    const old = openHeaderCache(folder, cacheDir, { racyWindowMs: -60_000 });
    for (const name of ["x.ts", "y.ts"]) old.set(name, statSync(join(folder, name)), readScriptHeader(join(folder, name)));
    old.save(new Set(["x.ts", "y.ts"]));
    openHeaderCache(folder, cacheDir).save(new Set(["y.ts"]));
    const data = JSON.parse(readFileSync(cacheFileIn(cacheDir), "utf8")) as { entries: Record<string, unknown> };
    expect(Object.keys(data.entries)).toEqual(["y.ts"]);
  });

  it("ignores a corrupt cache file and can be switched off", () => {
    const root = makeProject({ "s/aaaaaaaaaaaa_a.ts": graphTs("aaaaaaaaaaaa", null) });
    const cacheDir = join(root, "cache");
    const folder = join(root, "s");
    const seed = openHeaderCache(folder, cacheDir, { racyWindowMs: -60_000 });
    const file = join(folder, "aaaaaaaaaaaa_a.ts");
    seed.set("aaaaaaaaaaaa_a.ts", statSync(file), readScriptHeader(file));
    seed.save(new Set(["aaaaaaaaaaaa_a.ts"]));
    writeFileSync(cacheFileIn(cacheDir), "{ not json");
    expect(scanRepository(folder, { name: "core", cache: cacheDir }).revisions.map((r) => r.id)).toEqual(["aaaaaaaaaaaa"]);
    expect(openHeaderCache(folder, false).get("aaaaaaaaaaaa_a.ts", file, statSync(file))).toBeUndefined();
  });

  it("gives scanRepository the same result with and without the cache", () => {
    const root = makeProject({
      "m/001_a.sql": "-- message: first\nCREATE TABLE a (id INT);\n",
      "m/002_b.ts": 'export const message = "second";\nexport const transactional = false;\nexport function upgrade() {}\n',
    });
    const folder = join(root, "m");
    const fresh = scanRepository(folder, { name: "core", cache: false });
    const cacheDir = join(root, "cache");
    // A minute from now, the files are old enough to be cached.
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(Date.now() + 60_000);
      expect(comparable(scanRepository(folder, { name: "core", cache: cacheDir }))).toEqual(comparable(fresh));
      const data = JSON.parse(readFileSync(cacheFileIn(cacheDir), "utf8")) as { entries: Record<string, unknown> };
      expect(Object.keys(data.entries).sort()).toEqual(["001_a.sql", "002_b.ts"]);
      expect(comparable(scanRepository(folder, { name: "core", cache: cacheDir }))).toEqual(comparable(fresh));
    } finally {
      vi.useRealTimers();
    }
  });
});
