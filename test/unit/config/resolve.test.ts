import { existsSync, mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { defineConfig } from "../../../src/config/define-config.js";
import { CONFIG_FILE_NAMES } from "../../../src/config/find.js";
import { defaultRepository, resolveConfig } from "../../../src/config/resolve.js";
import type { ResolvedConfig } from "../../../src/config/types.js";
import { ConfigError } from "../../../src/errors.js";
import { makeProject, removeProjects } from "../../helpers/project.js";

afterAll(removeProjects);

const json = (value: unknown): string => JSON.stringify(value);

async function refused(promise: Promise<unknown>): Promise<ConfigError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).exitCode).toBe(2);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("resolveConfig defaults", () => {
  it("works with no config file: sqlite:tidemark.db and one core repository at ./migrations", async () => {
    const cwd = makeProject();
    const config = await resolveConfig({ cwd, env: {} });
    expect(config).toEqual({
      url: "sqlite:tidemark.db",
      urlSource: "default",
      repositories: [
        {
          name: "core",
          path: join(cwd, "migrations"),
          id: "core",
          versionTable: "tidemark_version",
          extension: false,
          requiredDbs: [],
          dependsOn: [],
        },
      ],
      versionTable: "tidemark_version",
      lockTimeoutSeconds: 60,
      ignoreTables: [],
      statementTimeoutSeconds: 0,
      configFiles: [],
      baseDir: cwd,
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.repositories)).toBe(true);
    expect(Object.isFrozen(config.repositories[0])).toBe(true);
  });

  it("reads the core repository's migrate.cfg even without a config file", async () => {
    const cwd = makeProject({
      "migrations/migrate.cfg": "[db_settings]\nrepository_id=my_extension\nversion_table=migrate_version\nrequired_dbs=[]\n",
    });
    const [core] = (await resolveConfig({ cwd, env: {} })).repositories;
    expect(core).toEqual({
      name: "core",
      path: join(cwd, "migrations"),
      id: "my_extension",
      versionTable: "migrate_version",
      extension: false,
      requiredDbs: [],
      dependsOn: [],
      migrateCfg: join(cwd, "migrations", "migrate.cfg"),
    });
  });

  it("puts the default core repository in the working directory when config files declare none", async () => {
    const cwd = makeProject({ "etc/app.conf": "[database]\nconnection = sqlite:app.db\n" });
    const config = await resolveConfig({ cwd, env: {}, configFiles: ["etc/app.conf"] });
    expect(config.repositories.map((r) => [r.name, r.path])).toEqual([["core", join(cwd, "migrations")]]);
    expect(config.baseDir).toBe(join(cwd, "etc"));
    expect(config.configFiles).toEqual([join(cwd, "etc", "app.conf")]);
  });
});

describe("URL precedence: --url > DATABASE_URL > config > default", () => {
  const cwd = (): string => makeProject({ "tidemark.config.json": json({ url: "sqlite:from-config.db" }) });

  it("uses DATABASE_URL when no config sets a URL", async () => {
    const config = await resolveConfig({ cwd: makeProject(), env: { DATABASE_URL: "postgres://env/db" } });
    expect([config.url, config.urlSource]).toEqual(["postgres://env/db", "env"]);
  });

  it("prefers DATABASE_URL to the config file, and uses the config's URL without it", async () => {
    const dir = cwd();
    const config = await resolveConfig({ cwd: dir, env: { DATABASE_URL: "postgres://env/db" } });
    expect([config.url, config.urlSource]).toEqual(["postgres://env/db", "env"]);
    const fromConfig = await resolveConfig({ cwd: dir, env: {} });
    expect([fromConfig.url, fromConfig.urlSource]).toEqual(["sqlite:from-config.db", "config"]);
  });

  it("expands ${NAME} and ${NAME:-fallback} in the config's URL; an unset NAME without fallback is a ConfigError", async () => {
    const dir = makeProject({
      "tidemark.config.json": json({ url: "${DATABASE_URL:-sqlite:fallback.db}" }),
      "other/tidemark.config.json": json({ url: "postgres://${DB_HOST}/app" }),
    });
    expect((await resolveConfig({ cwd: dir, env: {} })).url).toBe("sqlite:fallback.db");
    expect((await resolveConfig({ cwd: join(dir, "other"), env: { DB_HOST: "db.internal" } })).url).toBe(
      "postgres://db.internal/app",
    );
    const error = await refused(resolveConfig({ cwd: join(dir, "other"), env: {} }));
    expect(error.message).toContain("${DB_HOST}, which is not set");
  });

  it("prefers --url to everything", async () => {
    const config = await resolveConfig({ cwd: cwd(), url: "mysql://flag/db", env: { DATABASE_URL: "postgres://env/db" } });
    expect([config.url, config.urlSource]).toEqual(["mysql://flag/db", "flag"]);
  });

  it("treats empty values as unset", async () => {
    const config = await resolveConfig({ cwd: makeProject(), url: "", env: { DATABASE_URL: "" } });
    expect([config.url, config.urlSource]).toEqual(["sqlite:tidemark.db", "default"]);
  });

  it("reads process.env when no env is given", async () => {
    const saved = process.env["DATABASE_URL"];
    process.env["DATABASE_URL"] = "sqlite:process-env.db";
    try {
      expect((await resolveConfig({ cwd: makeProject() })).url).toBe("sqlite:process-env.db");
    } finally {
      if (saved === undefined) delete process.env["DATABASE_URL"];
      else process.env["DATABASE_URL"] = saved;
    }
  });
});

describe("finding config files", () => {
  it("takes the first of tidemark.config.ts, .mts, .js, .mjs, .json in the working directory", async () => {
    for (let first = 0; first < CONFIG_FILE_NAMES.length; first++) {
      const files: Record<string, string> = {};
      for (const name of CONFIG_FILE_NAMES.slice(first)) {
        files[name] = name.endsWith(".json") ? json({ url: `sqlite:${name}` }) : `export default { url: "sqlite:${name}" };\n`;
      }
      const cwd = makeProject(files);
      const config = await resolveConfig({ cwd, env: {} });
      expect(config.url).toBe(`sqlite:${CONFIG_FILE_NAMES[first]}`);
      expect(config.configFiles).toEqual([join(cwd, CONFIG_FILE_NAMES[first] as string)]);
    }
  });

  it("uses only the --config files when given, relative to the working directory", async () => {
    const cwd = makeProject({
      "tidemark.config.json": json({ url: "sqlite:discovered.db" }),
      "conf/other.json": json({ versionTable: "other_version" }),
    });
    const config = await resolveConfig({ cwd, env: {}, configFiles: ["conf/other.json"] });
    expect([config.url, config.versionTable]).toEqual(["sqlite:tidemark.db", "other_version"]);
    expect(config.configFiles).toEqual([join(cwd, "conf", "other.json")]);
  });

  it("names a --config file that does not exist", async () => {
    const cwd = makeProject();
    const error = await refused(resolveConfig({ cwd, env: {}, configFiles: ["missing.conf"] }));
    expect(error.message).toBe(`${join(cwd, "missing.conf")}: config file does not exist.`);
  });

  it("finds the config in the nearest folder above the working directory; paths resolve from the config's folder", async () => {
    const cwd = makeProject({ "tidemark.config.json": json({ url: "sqlite:parent.db" }), "src/sub/.keep": "" });
    const config = await resolveConfig({ cwd: join(cwd, "src", "sub"), env: {} });
    expect(config.urlSource).toBe("config");
    expect(config.configFiles).toEqual([join(cwd, "tidemark.config.json")]);
    expect(config.baseDir).toBe(cwd);
    expect(config.repositories[0]?.path).toBe(join(cwd, "migrations"));
  });

  it("loads .env beside the config without overriding variables already set, and never changes a given env", async () => {
    const cwd = makeProject({
      "tidemark.config.json": json({ url: "${APP_DB:-sqlite:none.db}" }),
      ".env": '# local settings\nAPP_DB=sqlite:from-dotenv.db\nDATABASE_URL="sqlite:dotenv-database-url.db"\n',
      "src/.keep": "",
    });
    const env = { APP_DB: "sqlite:from-shell.db" };
    const fromShell = await resolveConfig({ cwd: join(cwd, "src"), env: { ...env, DATABASE_URL: "" } });
    expect([fromShell.url, fromShell.urlSource]).toEqual(["sqlite:from-shell.db", "config"]);
    const config = await resolveConfig({ cwd: join(cwd, "src"), env });
    expect([config.url, config.urlSource]).toEqual(["sqlite:dotenv-database-url.db", "env-file"]);
    expect(env).toEqual({ APP_DB: "sqlite:from-shell.db" });
  });
});

describe("relative paths", () => {
  it("resolves repository and schema paths against the directory of the config file", async () => {
    const cwd = makeProject({
      "deploy/tidemark.json": json({
        repositories: { core: { path: "db/core" }, abs: { path: "/opt/abs-repo" }, up: { path: "../shared/ext" } },
        schema: "src/schema.ts",
      }),
    });
    const config = await resolveConfig({ cwd, env: {}, configFiles: ["deploy/tidemark.json"] });
    expect(config.repositories.map((r) => r.path)).toEqual([
      join(cwd, "deploy/db/core"),
      "/opt/abs-repo",
      join(cwd, "shared/ext"),
    ]);
    expect(config.schemaModule).toBe(join(cwd, "deploy/src/schema.ts"));
  });

  it("resolves ini repository paths against the ini file's directory", async () => {
    const cwd = makeProject({ "etc/tacker.conf": "[repository:core]\npath = migrate_repo\n" });
    const config = await resolveConfig({ cwd, env: {}, configFiles: ["etc/tacker.conf"] });
    expect(config.repositories[0]?.path).toBe(join(cwd, "etc/migrate_repo"));
  });
});

describe("several --config files", () => {
  it("lets later files override earlier ones and deep-merges repositories by name", async () => {
    const cwd = makeProject({
      "a/base.json": json({
        url: "sqlite:a.db",
        versionTable: "a_version",
        lockTimeout: 10,
        repositories: { core: { path: "core", id: "app" }, example: { path: "ext", extension: true, dependsOn: ["core"] } },
      }),
      "b/override.conf": "[database]\nconnection = postgres://b/db\n[repository:core]\nversion_table = core_version\n",
      "c/last.ts": [
        "export default {",
        "  repositories: { audit: { path: 'audit', rolling: true }, example: { path: 'moved', scheme: 'numbered' as const } },",
        "  schema: 'schema.ts',",
        "  dbSchema: 'app',",
        "  language: 'sql' as const,",
        "};",
      ].join("\n"),
    });
    const config = await resolveConfig({ cwd, env: {}, configFiles: ["a/base.json", "b/override.conf", "c/last.ts"] });
    expect(config).toEqual({
      url: "postgres://b/db",
      urlSource: "config",
      repositories: [
        {
          name: "core",
          path: join(cwd, "a/core"),
          id: "app",
          versionTable: "core_version",
          extension: false,
          requiredDbs: [],
          dependsOn: [],
          // The top-level schema is the default repository's.
          schema: join(cwd, "c/schema.ts"),
        },
        {
          name: "example",
          path: join(cwd, "c/moved"),
          id: "example",
          versionTable: "a_version",
          extension: true,
          requiredDbs: [],
          dependsOn: ["core"],
          scheme: "numbered",
        },
        {
          name: "audit",
          path: join(cwd, "c/audit"),
          id: "audit",
          versionTable: "a_version",
          extension: false,
          rolling: true,
          requiredDbs: [],
          dependsOn: [],
        },
      ],
      versionTable: "a_version",
      schemaModule: join(cwd, "c/schema.ts"),
      dbSchema: "app",
      lockTimeoutSeconds: 10,
      statementTimeoutSeconds: 0,
      language: "sql",
      ignoreTables: [],
      configFiles: [join(cwd, "a/base.json"), join(cwd, "b/override.conf"), join(cwd, "c/last.ts")],
      baseDir: join(cwd, "a"),
    });
  });

  it("applies the files in the order given", async () => {
    const cwd = makeProject({ "one.json": json({ url: "sqlite:one.db" }), "two.json": json({ url: "sqlite:two.db" }) });
    expect((await resolveConfig({ cwd, env: {}, configFiles: ["one.json", "two.json"] })).url).toBe("sqlite:two.db");
    expect((await resolveConfig({ cwd, env: {}, configFiles: ["two.json", "one.json"] })).url).toBe("sqlite:one.db");
  });

  it("does not let an unset url in a later file erase an earlier one", async () => {
    const cwd = makeProject({
      "one.json": json({ url: "sqlite:one.db" }),
      "two.mjs": "export default { url: process.env.TIDEMARK_UNSET_FOR_TEST };\n",
    });
    expect((await resolveConfig({ cwd, env: {}, configFiles: ["one.json", "two.mjs"] })).url).toBe("sqlite:one.db");
  });

  it("applies an inline config after the files, relative to the working directory", async () => {
    const cwd = makeProject({ "conf/base.json": json({ url: "sqlite:file.db", repositories: { core: { path: "m" } } }) });
    const config = await resolveConfig({
      cwd,
      env: {},
      configFiles: ["conf/base.json"],
      config: defineConfig({ repositories: { core: { path: "inline" } }, lockTimeout: 3 }),
    });
    expect([config.url, config.repositories[0]?.path, config.lockTimeoutSeconds]).toEqual([
      "sqlite:file.db",
      join(cwd, "inline"),
      3,
    ]);
  });
});

describe("migrate.cfg in repository folders", () => {
  it("takes repository_id and version_table from migrate.cfg over the config, and required_dbs", async () => {
    const cwd = makeProject({
      "tidemark.config.json": json({
        versionTable: "global_version",
        repositories: {
          core: { path: "core" },
          ext: { path: "ext", id: "config_id", versionTable: "repo_version", extension: true },
          partial: { path: "partial", versionTable: "repo_version" },
        },
      }),
      "ext/migrate.cfg":
        "[db_settings]\nrepository_id = cfg_id\nversion_table = migrate_version\nrequired_dbs = ['postgresql', 'mysql']\n",
      "partial/migrate.cfg": "[db_settings]\nrequired_dbs = []\n",
    });
    const config = await resolveConfig({ cwd, env: {} });
    expect(config.repositories.map((r) => [r.name, r.id, r.versionTable, r.requiredDbs, r.migrateCfg])).toEqual([
      ["core", "core", "global_version", [], undefined],
      ["ext", "cfg_id", "migrate_version", ["postgresql", "mysql"], join(cwd, "ext/migrate.cfg")],
      ["partial", "partial", "repo_version", [], join(cwd, "partial/migrate.cfg")],
    ]);
  });

  it("names a migrate.cfg that does not parse, with its line", async () => {
    const cwd = makeProject({ "migrations/migrate.cfg": "[db_settings]\nrequired_dbs = ['postgresql'\n" });
    const error = await refused(resolveConfig({ cwd, env: {} }));
    expect(error.message).toBe(
      `${join(cwd, "migrations/migrate.cfg")}:2: required_dbs has "[" without a closing "]"; write a list like ['postgresql', 'mysql'], found "['postgresql'"`,
    );
  });
});

describe("repository errors", () => {
  it("refuses two repositories with the same id, saying where each id came from", async () => {
    const cwd = makeProject({
      "tidemark.config.json": json({ repositories: { core: { path: "a" }, ext: { path: "b", id: "core" } } }),
    });
    const file = join(cwd, "tidemark.config.json");
    expect((await refused(resolveConfig({ cwd, env: {} }))).message).toBe(
      `Repositories "core" and "ext" have the same id "core" (from its name and "id" in ${file}); ` +
        "their version rows would mix. Give one of them another id.",
    );
  });

  it("refuses two repositories whose migrate.cfg files give the same repository_id", async () => {
    const cfg = "[db_settings]\nrepository_id = shared\n";
    const cwd = makeProject({
      "tidemark.config.json": json({ repositories: { one: { path: "one" }, two: { path: "two" } } }),
      "one/migrate.cfg": cfg,
      "two/migrate.cfg": cfg,
    });
    expect((await refused(resolveConfig({ cwd, env: {} }))).message).toBe(
      `Repositories "one" and "two" have the same id "shared" (from repository_id in ${join(cwd, "one/migrate.cfg")} ` +
        `and repository_id in ${join(cwd, "two/migrate.cfg")}); their version rows would mix. Give one of them another id.`,
    );
  });

  it("refuses two repositories in the same folder, however the path is spelt", async () => {
    const cwd = makeProject({
      "tidemark.config.json": json({ repositories: { one: { path: "m" }, two: { path: "./x/../m/" } } }),
    });
    expect((await refused(resolveConfig({ cwd, env: {} }))).message).toBe(
      `Repositories "one" and "two" use the same folder ${join(cwd, "m")}; each repository needs its own.`,
    );
  });

  it("refuses two repositories reaching the same folder through a symlink", async () => {
    const cwd = makeProject({ "tidemark.config.json": json({ repositories: { one: { path: "real" }, two: { path: "link" } } }) });
    mkdirSync(join(cwd, "real"));
    symlinkSync(join(cwd, "real"), join(cwd, "link"));
    expect((await refused(resolveConfig({ cwd, env: {} }))).message).toBe(
      `Repositories "one" and "two" use the same folder ${join(cwd, "link")}; each repository needs its own.`,
    );
  });

  it("refuses a repository without a path, naming the file that declared it", async () => {
    const cwd = makeProject({ "a.conf": "[repository:ext]\nextension = true\n" });
    expect((await refused(resolveConfig({ cwd, env: {}, configFiles: ["a.conf"] }))).message).toBe(
      `Repository "ext" (declared in ${join(cwd, "a.conf")}) has no "path"; every repository needs the folder of its scripts.`,
    );
  });

  it("refuses dependsOn naming an unknown repository, the repository itself, or a cycle", async () => {
    const run = async (repositories: unknown): Promise<string> =>
      (await refused(resolveConfig({ cwd: makeProject({ "tidemark.config.json": json({ repositories }) }), env: {} }))).message;
    expect(await run({ core: { path: "c" }, ext: { path: "e", dependsOn: ["cor"] } })).toBe(
      'Repository "ext" depends on "cor", which is not a configured repository (configured: core, ext).',
    );
    expect(await run({ core: { path: "c", dependsOn: ["core"] } })).toBe('Repository "core" lists itself in dependsOn.');
    expect(
      await run({ a: { path: "a", dependsOn: ["b"] }, b: { path: "b", dependsOn: ["c"] }, c: { path: "c", dependsOn: ["a"] } }),
    ).toBe("Repository dependencies form a cycle: a → b → c → a.");
  });

  it("passes on errors of a config file, naming it", async () => {
    const cwd = makeProject({ "tidemark.config.json": json({ repositories: { core: { path: "m", rolling: "yes" } } }) });
    expect((await refused(resolveConfig({ cwd, env: {} }))).message).toBe(
      `${join(cwd, "tidemark.config.json")}: "repositories.core.rolling" must be true or false, found "yes".`,
    );
  });
});

describe("defaultRepository", () => {
  const withRepos = async (repositories: unknown): Promise<ResolvedConfig> =>
    resolveConfig({ cwd: makeProject({ "tidemark.config.json": json({ repositories }) }), env: {} });

  it("is core when there is one, else the first non-extension, else the first", async () => {
    expect(defaultRepository(await withRepos({ ext: { path: "e", extension: true }, core: { path: "c" } })).name).toBe("core");
    expect(defaultRepository(await withRepos({ ext: { path: "e", extension: true }, app: { path: "a" } })).name).toBe("app");
    expect(
      defaultRepository(await withRepos({ x: { path: "x", extension: true }, y: { path: "y", extension: true } })).name,
    ).toBe("x");
  });
});

describe("defineConfig", () => {
  it("returns its argument unchanged", () => {
    const config = { url: "sqlite:x.db", repositories: { core: { path: "m" } } };
    expect(defineConfig(config)).toBe(config);
  });

  const packageIndex = fileURLToPath(new URL("../../../src/index.ts", import.meta.url));
  it.skipIf(!existsSync(packageIndex))(
    'lets a TypeScript config import defineConfig from "tidemark" without a local install',
    async () => {
      const cwd = makeProject({
        "tidemark.config.ts": [
          'import { defineConfig } from "tidemark";',
          'export default defineConfig({ url: "sqlite:typed.db", repositories: { core: { path: "db" } } });',
        ].join("\n"),
      });
      const config = await resolveConfig({ cwd, env: {} });
      expect([config.url, config.repositories[0]?.path]).toEqual(["sqlite:typed.db", join(cwd, "db")]);
    },
  );
});
