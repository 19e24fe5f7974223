/** The `fleets` setting: validation, the fleet-file format, `${ENV}` expansion, and resolution from JSON and ini configs. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { expandEnv, parseFleetFile, validateFleets } from "../../../src/config/fleets.js";
import { resolveConfig } from "../../../src/config/resolve.js";
import { ConfigError } from "../../../src/errors.js";
import { makeProject, removeProjects } from "../../helpers/project.js";

afterAll(removeProjects);

function refusal(value: unknown): string {
  try {
    validateFleets(value, "tidemark.config.json");
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error("the fleets were accepted");
}

describe("validateFleets", () => {
  it("accepts the three sources, and target objects with a schema and a name", () => {
    expect(
      validateFleets(
        {
          a: { urls: ["sqlite:a.db", { url: "postgres://h/db", schema: "tenant_1", name: "acme" }] },
          b: { file: "databases.txt" },
          c: { catalog: { url: "postgres://h/catalog", sql: "SELECT url FROM tenants" } },
        },
        "f",
      ),
    ).toEqual({
      a: { urls: ["sqlite:a.db", { url: "postgres://h/db", schema: "tenant_1", name: "acme" }] },
      b: { file: "databases.txt" },
      c: { catalog: { url: "postgres://h/catalog", sql: "SELECT url FROM tenants" } },
    });
  });

  it("refuses a fleet with no source, two sources, unknown keys, or bad values", () => {
    expect(refusal({ a: {} })).toBe(
      'tidemark.config.json: "fleets.a" must have exactly one of urls, file, catalog ({ urls: [...] }, { file: "databases.txt" } or { catalog: { url, sql } }).',
    );
    expect(refusal({ a: { urls: [], file: "x" } })).toContain('"fleets.a" must have exactly one of urls, file, catalog');
    expect(refusal({ a: { url: ["sqlite:a.db"] } })).toBe(
      'tidemark.config.json: "fleets.a.url" is not a setting here; known: urls, file, catalog.',
    );
    expect(refusal({ a: { urls: "sqlite:a.db" } })).toContain('"fleets.a.urls" must be an array');
    expect(refusal({ a: { urls: [{ url: "sqlite:a.db", schema: "bad-name" }] } })).toContain(
      '"fleets.a.urls[0].schema" must be a plain name',
    );
    expect(refusal({ a: { urls: [{ url: "postgres://h/db", shema: "x" }] } })).toContain(
      '"fleets.a.urls[0].shema" is not a setting',
    );
    expect(refusal({ a: { catalog: { url: "postgres://h/c" } } })).toContain('"fleets.a.catalog.sql" must be a non-empty string');
    expect(refusal({ "a b": { file: "x" } })).toContain('"fleets.a b" is not an allowed fleet name');
    expect(refusal(["x"])).toContain('"fleets" must be an object keyed by fleet name');
  });
});

describe("parseFleetFile", () => {
  it("reads one target per line with optional schema= and name=, skipping blanks and # comments", () => {
    const text = [
      "# tenants of region eu",
      "",
      "postgres://app@db1/tenant_a",
      "  postgres://app@db1/shared schema=tenant_b name=tenant-b   # the shared one",
      "sqlite:local.db",
    ].join("\n");
    expect(parseFleetFile(text)).toEqual([
      { line: 3, entry: { url: "postgres://app@db1/tenant_a" } },
      { line: 4, entry: { url: "postgres://app@db1/shared", schema: "tenant_b", name: "tenant-b" } },
      { line: 5, entry: { url: "sqlite:local.db" } },
    ]);
  });

  it("reports a bad line as that line's problem without quoting it (it may hold half a password)", () => {
    const lines = parseFleetFile("postgres://u:pa ss@h/db\npostgres://h/db schema=1x\n");
    expect(lines).toEqual([
      {
        line: 1,
        problem:
          "expected `URL [schema=NAME] [name=NAME]`, but the text after the URL is not schema=… or name=… (write a space inside a password as %20)",
      },
      { line: 2, problem: 'schema "1x" is not a plain name (letters, digits, "_", "$")' },
    ]);
  });
});

describe("expandEnv", () => {
  it("replaces ${NAME} with the variable and lists the unset ones", () => {
    expect(expandEnv("postgres://app:${PW}@${HOST}/db", { PW: "s3cret", HOST: "db1" })).toEqual({
      text: "postgres://app:s3cret@db1/db",
      missing: [],
    });
    expect(expandEnv("postgres://app:${PW}@${HOST}/db", { HOST: "db1" }).missing).toEqual(["PW"]);
    expect(expandEnv("sqlite:$HOME/a.db", {}).text).toBe("sqlite:$HOME/a.db");
  });
});

describe("fleets in the resolved config", () => {
  it("resolves a file against the config's folder, and a later config's fleet replaces an earlier one whole", async () => {
    const dir = makeProject({
      "base/tidemark.config.json": JSON.stringify({
        fleets: { tenants: { file: "dbs.txt" }, shards: { urls: ["sqlite:s1.db"] } },
      }),
      "over/override.json": JSON.stringify({ fleets: { shards: { catalog: { url: "sqlite:cat.db", sql: "SELECT 1" } } } }),
    });
    const config = await resolveConfig({
      cwd: dir,
      configFiles: ["base/tidemark.config.json", "over/override.json"],
      env: {},
    });
    expect(config.fleets).toEqual({
      tenants: {
        name: "tenants",
        declaredIn: join(dir, "base/tidemark.config.json"),
        source: { kind: "file", file: join(dir, "base/dbs.txt") },
      },
      shards: {
        name: "shards",
        declaredIn: join(dir, "over/override.json"),
        source: { kind: "catalog", url: "sqlite:cat.db", sql: "SELECT 1", dir: join(dir, "over") },
      },
    });
  });

  it("reads [fleet:NAME] sections of an ini config", async () => {
    const dir = makeProject();
    writeFileSync(
      join(dir, "app.conf"),
      [
        "[database]",
        "connection = sqlite:app.db",
        "[fleet:tenants]",
        "urls =",
        "    postgres://app@db1/tenant_a",
        "    postgres://app@db1/shared schema=tenant_b name=tenant-b",
        "[fleet:regions]",
        "file = regions.txt",
        "[fleet:cat]",
        "catalog_url = postgres://app@db1/catalog",
        "catalog_sql = SELECT url FROM tenants",
        "",
      ].join("\n"),
    );
    const config = await resolveConfig({ cwd: dir, configFiles: ["app.conf"], env: {} });
    expect(config.fleets?.["tenants"]?.source).toEqual({
      kind: "urls",
      entries: [
        { url: "postgres://app@db1/tenant_a" },
        { url: "postgres://app@db1/shared", schema: "tenant_b", name: "tenant-b" },
      ],
      dir,
    });
    expect(config.fleets?.["regions"]?.source).toEqual({ kind: "file", file: join(dir, "regions.txt") });
    expect(config.fleets?.["cat"]?.source).toEqual({
      kind: "catalog",
      url: "postgres://app@db1/catalog",
      sql: "SELECT url FROM tenants",
      dir,
    });
  });

  it("refuses an ini fleet with a bad key or a catalog without its query", async () => {
    const dir = makeProject({
      "a.conf": "[fleet:x]\nurl = sqlite:a.db\n",
      "b.conf": "[fleet:x]\ncatalog_url = sqlite:c.db\n",
    });
    await expect(resolveConfig({ cwd: dir, configFiles: ["a.conf"], env: {} })).rejects.toThrow(
      'a.conf:2: unknown key "url" in [fleet:x]; known keys are urls, file, catalog_url, catalog_sql',
    );
    await expect(resolveConfig({ cwd: dir, configFiles: ["b.conf"], env: {} })).rejects.toThrow(
      '"fleets.x.catalog.sql" must be a non-empty string.',
    );
  });
});
