/**
 * What `npm pack` would publish (issue 17): the CLI bundle and the library
 * with its declarations, no source maps, no unbundled CLI, a LICENSE and the
 * repository fields; the libraries inside the bundle are not dependencies;
 * better-sqlite3 is optional and a missing one says how to install it. The
 * bounds fail when the package grows: raise them only knowingly.
 */
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runCli } from "../helpers/cli.js";
import { makeProject } from "../helpers/project.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
// The bundle plus the library (one .js and one .d.ts per module): 447 files and 2.75 MB
// with autogenerate, fleets and the rolling rules of issue 13 (lint, abort, safe ops);
// 483 once the runner's transactions and steps sent ahead had modules of their own (issue 19).
// A jump past these means something unintended is packed.
const MAX_FILES = 500;
const MAX_UNPACKED_BYTES = 3_000_000;

interface Packed {
  readonly entryCount: number;
  readonly unpackedSize: number;
  readonly files: readonly { readonly path: string; readonly size: number }[];
}

function dryRunPack(): Packed {
  const output = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
    cwd: ROOT,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  });
  return (JSON.parse(output) as Packed[])[0] as Packed;
}

const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  license: string;
  repository?: { url: string };
  homepage?: string;
  bugs?: { url: string };
  dependencies: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  bin: Record<string, string>;
};

describe("npm pack", () => {
  const packed = dryRunPack();
  const paths = packed.files.map((file) => file.path).sort();

  it(`stays under ${MAX_FILES} files and ${MAX_UNPACKED_BYTES} bytes unpacked`, () => {
    expect(packed.entryCount).toBeLessThanOrEqual(MAX_FILES);
    expect(packed.unpackedSize).toBeLessThanOrEqual(MAX_UNPACKED_BYTES);
  });

  it("holds the bundle, the library with a declaration beside each module, no source maps, README and LICENSE", () => {
    expect(paths.filter((path) => path.endsWith(".map"))).toEqual([]);
    expect(paths.filter((path) => path.startsWith("dist/cli/"))).toEqual(["dist/cli/tidemark-main.cjs", "dist/cli/tidemark.cjs"]);
    const library = paths.filter((path) => path.startsWith("dist/") && !path.startsWith("dist/cli/"));
    const modules = library.filter((path) => path.endsWith(".js"));
    expect(modules).toContain("dist/index.js");
    expect(library.filter((path) => path.endsWith(".d.ts")).sort()).toEqual(
      modules.map((path) => path.replace(/\.js$/, ".d.ts")),
    );
    expect(library.filter((path) => !path.endsWith(".js") && !path.endsWith(".d.ts"))).toEqual([]);
    expect(paths.filter((path) => !path.startsWith("dist/"))).toEqual(["LICENSE", "README.md", "package.json"]);
    expect(`${pkg.bin.tidemark}`).toBe("dist/cli/tidemark.cjs");
  });

  it("has an Apache-2.0 LICENSE and repository, homepage and bugs fields", () => {
    expect(pkg.license).toBe("Apache-2.0");
    expect(readFileSync(join(ROOT, "LICENSE"), "utf8")).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004/);
    expect(pkg.repository?.url).toMatch(/^git\+https:\/\/github\.com\/.+\.git$/);
    expect(pkg.homepage).toMatch(/^https:\/\//);
    expect(pkg.bugs?.url).toMatch(/^https:\/\/.+\/issues$/);
  });

  it("does not depend on what the CLI bundle carries; better-sqlite3 is optional", () => {
    const map = JSON.parse(readFileSync(join(ROOT, "dist/cli/tidemark-main.cjs.map"), "utf8")) as { sources: string[] };
    const bundled = new Set(
      map.sources
        .filter((source) => source.includes("node_modules/"))
        .map((source) => {
          const parts = (source.split("node_modules/").pop() as string).split("/");
          return parts[0]?.startsWith("@") === true ? `${parts[0]}/${parts[1]}` : (parts[0] as string);
        }),
    );
    expect([...bundled]).toEqual(expect.arrayContaining(["commander", "cli-progress", "picocolors"]));
    // sucrase is in the bundle and also loaded by the library (TypeScript scripts through the API).
    expect(Object.keys(pkg.dependencies).filter((name) => bundled.has(name))).toEqual(["sucrase"]);
    expect(readFileSync(join(ROOT, "dist/util/module-loader.js"), "utf8")).toContain('import("sucrase")');
    expect(pkg.dependencies).not.toHaveProperty("better-sqlite3");
    expect(pkg.optionalDependencies).toHaveProperty("better-sqlite3");
  });
});

describe("without better-sqlite3", () => {
  it("a sqlite: URL is exit 2 saying `npm install better-sqlite3`; commands without a database work", async () => {
    // The bundle alone, where no node_modules can be found: as installed with --omit=optional.
    const dir = makeProject({
      "tidemark.config.json": JSON.stringify({ url: "sqlite:app.db" }),
      "migrations/a1a1a1a1a1a1_t.sql": "-- revision: a1a1a1a1a1a1\n-- +upgrade\nCREATE TABLE t (id INTEGER);\n",
    });
    mkdirSync(join(dir, "bin"));
    for (const file of ["tidemark.cjs", "tidemark-main.cjs"]) copyFileSync(join(ROOT, "dist/cli", file), join(dir, "bin", file));
    const bin = join(dir, "bin", "tidemark.cjs");
    const upgrade = await runCli(["upgrade"], { cwd: dir, bin });
    expect(upgrade.code).toBe(2);
    expect(upgrade.stderr).toContain(
      'A sqlite: URL needs the "better-sqlite3" package, which is not installed. Run: npm install better-sqlite3',
    );
    const heads = await runCli(["heads"], { cwd: dir, bin });
    expect(heads.code, heads.stderr).toBe(0);
    expect(heads.stdout).toContain("a1a1a1a1a1a1");
  });
});
