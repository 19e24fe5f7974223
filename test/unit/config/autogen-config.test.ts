/** The settings of SPEC §11 in every config form: schema (top level and per repository), shadowUrl, ignoreTables. */
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../../../src/config/resolve.js";
import { ConfigError } from "../../../src/errors.js";
import { makeProject, removeProjects } from "../../helpers/project.js";

afterAll(removeProjects);

describe("autogenerate settings", () => {
  it("give the top-level schema to the default repository and a repository's own to it", async () => {
    const cwd = makeProject({
      "tidemark.config.json": JSON.stringify({
        schema: "db/schema.ts",
        shadowUrl: "postgres://u:secret@h/shadow",
        ignoreTables: ["legacy_*", "audit_?"],
        repositories: {
          core: { path: "migrations" },
          ext: { path: "ext", extension: true, schema: "ext/schema.sql" },
          other: { path: "other" },
        },
      }),
    });
    const config = await resolveConfig({ cwd, env: {} });
    expect(config.repositories.map((repo) => [repo.name, repo.schema])).toEqual([
      ["core", join(cwd, "db/schema.ts")],
      ["ext", join(cwd, "ext/schema.sql")],
      ["other", undefined],
    ]);
    expect([config.shadowUrl, config.ignoreTables]).toEqual(["postgres://u:secret@h/shadow", ["legacy_*", "audit_?"]]);
  });

  it("read from an ini config, relative to its folder", async () => {
    const cwd = makeProject({
      "etc/tacker.conf": [
        "[database]",
        "connection = sqlite:x.db",
        "[tidemark]",
        "schema = ../db/schema",
        "shadow_url = mysql://root@h/shadow",
        "ignore_tables = legacy_*, audit_*",
        "[repository:core]",
        "path = ../migrations",
        "[repository:ext]",
        "path = ../ext",
        "schema = ../ext/schema.ts",
      ].join("\n"),
    });
    const config = await resolveConfig({ cwd, env: {}, configFiles: ["etc/tacker.conf"] });
    expect(config.repositories.map((repo) => repo.schema)).toEqual([join(cwd, "db/schema"), join(cwd, "ext/schema.ts")]);
    expect([config.shadowUrl, config.ignoreTables]).toEqual(["mysql://root@h/shadow", ["legacy_*", "audit_*"]]);
  });

  it("refuse ignoreTables that is not a list of globs", async () => {
    const cwd = makeProject({ "tidemark.config.json": JSON.stringify({ ignoreTables: "legacy_*" }) });
    const error = await resolveConfig({ cwd, env: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(
      '"ignoreTables" must be a list of table name globs, like ["legacy_*"], found "legacy_*".',
    );
  });
});
