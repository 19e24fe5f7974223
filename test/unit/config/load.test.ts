import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { jsonErrorOffset } from "../../../src/config/json-error-position.js";
import { loadConfigFile } from "../../../src/config/load.js";
import { redactCredentials } from "../../../src/util/redact.js";
import { validateConfig } from "../../../src/config/validate.js";
import { ConfigError } from "../../../src/errors.js";
import { makeProject, removeProjects } from "../../helpers/project.js";

afterAll(removeProjects);

async function rejection(promise: Promise<unknown>): Promise<ConfigError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

const FULL = {
  url: "postgresql://app@localhost/app",
  repositories: {
    core: { path: "migrations" },
    example: {
      path: "ext/example",
      extension: true,
      rolling: true,
      versionTable: "ex_version",
      id: "ex",
      dependsOn: ["core"],
      scheme: "numbered",
    },
  },
  versionTable: "tm_version",
  schema: "src/schema.ts",
  dbSchema: "app",
  lockTimeout: 5,
  statementTimeout: 300,
  language: "sql",
};

describe("loadConfigFile by kind", () => {
  it("reads a JSON config", async () => {
    const dir = makeProject({ "tidemark.config.json": JSON.stringify(FULL) });
    expect(await loadConfigFile(join(dir, "tidemark.config.json"))).toEqual(FULL);
  });

  it("loads a TypeScript config without a build step, with types and its default export", async () => {
    const dir = makeProject({
      "tidemark.config.ts": [
        "interface Repo { path: string; extension?: boolean }",
        "const core: Repo = { path: 'migrations' };",
        "const port: number = 5432;",
        "export default { url: `postgres://localhost:${port}/app`, repositories: { core }, lockTimeout: 12 as number };",
      ].join("\n"),
    });
    expect(await loadConfigFile(join(dir, "tidemark.config.ts"))).toEqual({
      url: "postgres://localhost:5432/app",
      repositories: { core: { path: "migrations" } },
      lockTimeout: 12,
    });
  });

  it("loads a .mts config whose default export is a promise", async () => {
    const dir = makeProject({
      "tidemark.config.mts": "export default Promise.resolve({ versionTable: 'from_mts' as const });\n",
    });
    expect(await loadConfigFile(join(dir, "tidemark.config.mts"))).toEqual({ versionTable: "from_mts" });
  });

  it("takes the named exports of a module without a default export", async () => {
    const dir = makeProject({
      "tidemark.config.ts": "export const url: string = 'sqlite:named.db';\nexport const versionTable = 'named';\n",
    });
    expect(await loadConfigFile(join(dir, "tidemark.config.ts"))).toEqual({ url: "sqlite:named.db", versionTable: "named" });
  });

  it("imports .mjs, ESM .js and CommonJS .js configs natively", async () => {
    const dir = makeProject({
      "a/tidemark.config.mjs": "export default { url: 'sqlite:mjs.db' };\n",
      "b/tidemark.config.js": "export default { url: 'sqlite:esm-js.db' };\n",
      "c/tidemark.config.js": "module.exports = { url: 'sqlite:cjs.db' };\n",
      "d/tidemark.config.cjs": "module.exports = { url: 'sqlite:cjs2.db' };\n",
    });
    expect(await loadConfigFile(join(dir, "a/tidemark.config.mjs"))).toEqual({ url: "sqlite:mjs.db" });
    expect(await loadConfigFile(join(dir, "b/tidemark.config.js"))).toEqual({ url: "sqlite:esm-js.db" });
    expect(await loadConfigFile(join(dir, "c/tidemark.config.js"))).toEqual({ url: "sqlite:cjs.db" });
    expect(await loadConfigFile(join(dir, "d/tidemark.config.cjs"))).toEqual({ url: "sqlite:cjs2.db" });
  });

  it("sees an edited .mjs config when loading it again", async () => {
    const dir = makeProject({ "tidemark.config.mjs": "export default { versionTable: 'first' };\n" });
    const file = join(dir, "tidemark.config.mjs");
    expect(await loadConfigFile(file)).toEqual({ versionTable: "first" });
    writeFileSync(file, "export default { versionTable: 'second' };\n");
    const later = new Date(Date.now() + 5_000);
    const { utimesSync } = await import("node:fs");
    utimesSync(file, later, later);
    expect(await loadConfigFile(file)).toEqual({ versionTable: "second" });
  });

  it("reads an oslo.config style ini file (tacker.conf)", async () => {
    const dir = makeProject({
      "tacker.conf": [
        "[DEFAULT]",
        "debug = true",
        "path = not-a-repository",
        "",
        "[database]",
        "connection = mysql+pymysql://tacker:s3cret@127.0.0.1/tacker?charset=utf8",
        "max_pool_size = 10",
        "",
        "[keystone_authtoken]",
        "auth_url = http://keystone:5000",
        "auth_url = duplicates in foreign sections are not ours to judge",
        "",
        "[repository:core]",
        "path = migrations",
        "version_table = core_version",
        "",
        "[repository:example]",
        "path: extensions/example/migrate_repo",
        "extension = yes",
        "rolling = False",
        'id = "example_ext"',
        "depends_on = core, other",
        "scheme = numbered",
        "",
        "[tidemark]",
        "version_table = tm_version",
        "schema = src/schema.ts",
        "db_schema = app",
        "lock_timeout = 7.5",
        "statement_timeout = 600",
        "language = sql",
      ].join("\n"),
    });
    expect(await loadConfigFile(join(dir, "tacker.conf"))).toEqual({
      url: "mysql+pymysql://tacker:s3cret@127.0.0.1/tacker?charset=utf8",
      repositories: {
        core: { path: "migrations", versionTable: "core_version" },
        example: {
          path: "extensions/example/migrate_repo",
          extension: true,
          rolling: false,
          id: "example_ext",
          dependsOn: ["core", "other"],
          scheme: "numbered",
        },
      },
      versionTable: "tm_version",
      schema: "src/schema.ts",
      dbSchema: "app",
      lockTimeout: 7.5,
      statementTimeout: 600,
      language: "sql",
    });
  });

  it("reads `url` in [database] and .ini / .cfg names", async () => {
    const dir = makeProject({
      "a.ini": "[database]\nurl = 'sqlite:quoted.db'\n",
      "b.CFG": "[Database]\nconnection: postgres://h/db\n",
      "c.ini": "[database]\nconnection =\n",
    });
    expect(await loadConfigFile(join(dir, "a.ini"))).toEqual({ url: "sqlite:quoted.db" });
    expect(await loadConfigFile(join(dir, "b.CFG"))).toEqual({ url: "postgres://h/db" });
    expect(await loadConfigFile(join(dir, "c.ini"))).toEqual({});
  });
});

describe("loadConfigFile errors", () => {
  it("names a config file that does not exist, or is a folder", async () => {
    const dir = makeProject();
    const missing = join(dir, "nope.json");
    const error = await rejection(loadConfigFile(missing));
    expect(error.message).toBe(`${missing}: config file does not exist.`);
    expect(error.exitCode).toBe(2);
    mkdirSync(join(dir, "folder.json"));
    expect((await rejection(loadConfigFile(join(dir, "folder.json")))).message).toBe(
      `${join(dir, "folder.json")}: the config path is not a file.`,
    );
  });

  it("refuses an unknown file type", async () => {
    const dir = makeProject({ "tidemark.yaml": "url: x\n" });
    expect((await rejection(loadConfigFile(join(dir, "tidemark.yaml")))).message).toBe(
      `${join(dir, "tidemark.yaml")}: unsupported config file type ".yaml"; use .ts, .mts, .js, .mjs, .json, or .conf/.ini/.cfg for ini.`,
    );
  });

  it("names the line and column of a JSON syntax error", async () => {
    const dir = makeProject({
      "c.json": '{\n  "url": "sqlite:a.db",\n  "versionTable": oops\n}\n',
      "empty.json": "",
      "bom.json": '\uFEFF{ "versionTable": "bom" }',
    });
    expect(await loadConfigFile(join(dir, "bom.json"))).toEqual({ versionTable: "bom" });
    const error = await rejection(loadConfigFile(join(dir, "c.json")));
    expect(error.message).toBe(`${join(dir, "c.json")}:3:19: invalid JSON: unexpected "o".`);
    expect(error.fields).toEqual({ file: join(dir, "c.json"), line: 3, column: 19 });
    expect((await rejection(loadConfigFile(join(dir, "empty.json")))).message).toBe(
      `${join(dir, "empty.json")}:1:1: invalid JSON: unexpected end of file.`,
    );
  });

  it("keeps a password out of JSON syntax errors", async () => {
    const dir = makeProject({ "c.json": '{ "url": "postgres://app:s3cret@db/app" x }' });
    const error = await rejection(loadConfigFile(join(dir, "c.json")));
    expect(error.message).toBe(`${join(dir, "c.json")}:1:41: invalid JSON: unexpected "x".`);
    expect(error.cause).toBeUndefined();
  });

  it("names the line of an ini syntax error and of a bad value", async () => {
    const dir = makeProject({
      "a.conf": "[database]\nconnection = x\n  \nnot an assignment\n",
      "b.conf": "[repository:core]\npath = m\nextension = maybe\n",
      "c.conf": "[repository:core]\npath = m\npaht = n\n",
      "d.conf": "[repository:bad name]\npath = m\n",
      "e.conf": "[tidemark]\nlock_timeout = soon\n",
      "f.conf": "[database]\nconnection = a\nurl = b\n",
      "g.conf": "[repository:core]\npath =\n",
      "h.conf": "[tidemark]\nversion_table = my-table\n",
      "i.conf": "[tidemark]\n\nstatement_timeout = -1\n",
    });
    const message = async (name: string): Promise<string> => (await rejection(loadConfigFile(join(dir, name)))).message;
    expect(await message("a.conf")).toBe(
      `${join(dir, "a.conf")}:4: expected "key = value" or "key: value", found "not an assignment"`,
    );
    expect(await message("b.conf")).toBe(`${join(dir, "b.conf")}:3: "extension" must be true or false, found "maybe"`);
    expect(await message("c.conf")).toBe(
      `${join(dir, "c.conf")}:3: unknown key "paht" in [repository:core]; known keys are path, extension, rolling, id, version_table, depends_on, scheme, schema`,
    );
    expect(await message("d.conf")).toBe(
      `${join(dir, "d.conf")}:1: [repository:bad name]: repository name "bad name" is not allowed; use letters, digits, "_", "." and "-" only`,
    );
    expect(await message("e.conf")).toBe(
      `${join(dir, "e.conf")}:2: "lock_timeout" must be a number of seconds (0 or more), found "soon"`,
    );
    expect(await message("i.conf")).toBe(
      `${join(dir, "i.conf")}:3: "statement_timeout" must be a number of seconds (0 or more), found "-1"`,
    );
    expect(await message("f.conf")).toBe(
      `${join(dir, "f.conf")}:3: [database] sets both "connection" (line 2) and "url"; keep one`,
    );
    expect(await message("g.conf")).toBe(`${join(dir, "g.conf")}:2: "path" is empty`);
    expect(await message("h.conf")).toBe(
      `${join(dir, "h.conf")}:2: "version_table" must be a plain name (letters, digits, "_", "$"), found "my-table"`,
    );
  });

  it("names a TypeScript or JavaScript config that does not load", async () => {
    const dir = makeProject({
      "tidemark.config.ts": "export default { url: 'x' ;\n",
      "tidemark.config.mjs": "throw new Error('boom at load');\n",
      "bad.mts": "export default 42;\n",
    });
    const ts = await rejection(loadConfigFile(join(dir, "tidemark.config.ts")));
    expect(ts.message).toMatch(new RegExp(`^${join(dir, "tidemark.config.ts")}: cannot load the config module: `));
    const mjs = await rejection(loadConfigFile(join(dir, "tidemark.config.mjs")));
    expect(mjs.message).toBe(`${join(dir, "tidemark.config.mjs")}: cannot load the config module: boom at load`);
    expect(mjs.cause).toBeInstanceOf(Error);
    expect((await rejection(loadConfigFile(join(dir, "bad.mts")))).message).toBe(
      `${join(dir, "bad.mts")}: the config must be an object (export default defineConfig({ … })), found number 42.`,
    );
  });
});

describe("config modules whose values throw when read", () => {
  it("a getter that throws is a ConfigError naming the file and the setting, with the password hidden", async () => {
    const dir = makeProject({
      "top.ts": "export default { get url(): string { throw new Error('no DB at postgres://app:s3cret@db/app'); } };\n",
      "nested.ts": "export default { repositories: { core: { get path(): string { throw new TypeError('nope'); } } } };\n",
      "proxy.mjs": "export default new Proxy({}, { ownKeys() { throw new RangeError('trap'); } });\n",
    });
    const top = await rejection(loadConfigFile(join(dir, "top.ts")));
    expect(top.message).toBe(`${join(dir, "top.ts")}: reading "url" of the config threw: no DB at postgres://app:***@db/app`);
    const nested = await rejection(loadConfigFile(join(dir, "nested.ts")));
    expect(nested.message).toBe(`${join(dir, "nested.ts")}: reading "repositories.core.path" of the config threw: nope`);
    const proxy = await rejection(loadConfigFile(join(dir, "proxy.mjs")));
    expect(proxy.message).toBe(`${join(dir, "proxy.mjs")}: reading the config threw: trap`);
  });

  it("an inline config (Tidemark.open) with a throwing getter is a ConfigError too", () => {
    const inline = {
      get lockTimeout(): number {
        throw new Error("lazy value failed");
      },
    };
    expect(() => validateConfig(inline, "<inline config>")).toThrow(ConfigError);
    expect(() => validateConfig(inline, "<inline config>")).toThrow(
      '<inline config>: reading "lockTimeout" of the config threw: lazy value failed',
    );
  });
});

describe("redactCredentials", () => {
  it("hides the password of URLs in foreign messages", () => {
    expect(redactCredentials("at 'postgres://app:s3cret@db/x' and mysql+pymysql://root:p%40ss@h:3306/db, sqlite:a.db")).toBe(
      "at 'postgres://app:***@db/x' and mysql+pymysql://root:***@h:3306/db, sqlite:a.db",
    );
    expect(redactCredentials("postgres://app@db/x http://h:80/p")).toBe("postgres://app@db/x http://h:80/p");
  });

  it("is applied to errors of config modules", async () => {
    const dir = makeProject({ "tidemark.config.mjs": "throw new Error('cannot reach postgres://app:s3cret@db/app');\n" });
    const error = await rejection(loadConfigFile(join(dir, "tidemark.config.mjs")));
    expect(error.message).toBe(
      `${join(dir, "tidemark.config.mjs")}: cannot load the config module: cannot reach postgres://app:***@db/app`,
    );
  });
});

describe("jsonErrorOffset", () => {
  it.each([
    ['{"a": 1, "b": [true, false, null, -1.5e3, "x\\u00e9\\n"], "c": {}}', undefined],
    ['{"a": 1,}', 8],
    ["[1, 2", 5],
    ['{"a" 1}', 5],
    ['{"a": "line\nbreak"}', 11],
    ['{"a": "\\q"}', 8],
    ["{} x", 3],
    ["01", 1],
    ["", 0],
    ["{'a': 1}", 1],
  ])("finds the first error in %j at %s", (text, offset) => {
    expect(jsonErrorOffset(text)).toBe(offset);
    if (offset === undefined) expect(() => JSON.parse(text)).not.toThrow();
    else expect(() => JSON.parse(text)).toThrow(SyntaxError);
  });
});

describe("validateConfig", () => {
  const invalid = (value: unknown): string => {
    try {
      validateConfig(value, "/p/tidemark.config.json");
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error("expected a ConfigError");
  };

  it("drops undefined settings and an empty url", () => {
    expect(validateConfig({ url: undefined, versionTable: undefined }, "f")).toEqual({});
    expect(validateConfig({ url: "" }, "f")).toEqual({});
  });

  it("refuses unknown settings, naming them", () => {
    expect(invalid({ repositores: {} })).toBe(
      '/p/tidemark.config.json: unknown setting "repositores"; known settings are url, repositories, versionTable, schema, dbSchema, lockTimeout, statementTimeout, language, shadowUrl, ignoreTables, fleets, fileTemplate, lint.',
    );
    expect(invalid({ repositories: { core: { path: "m", extensoin: true } } })).toBe(
      '/p/tidemark.config.json: unknown setting "repositories.core.extensoin"; known settings are path, extension, rolling, versionTable, id, dependsOn, scheme, schema, fileTemplate.',
    );
  });

  it.each([
    [[], "the config must be an object (export default defineConfig({ … })), found an array."],
    [{ url: 5 }, '"url" must be a string, found number 5.'],
    [
      { versionTable: "bad name" },
      '"versionTable" must be a plain name (letters, digits, "_", "$", not starting with a digit), found "bad name".',
    ],
    [
      { dbSchema: "1abc" },
      '"dbSchema" must be a plain name (letters, digits, "_", "$", not starting with a digit), found "1abc".',
    ],
    [{ schema: "" }, '"schema" must be a non-empty string, found "".'],
    [{ lockTimeout: -1 }, '"lockTimeout" must be a number of seconds (0 or more), found number -1.'],
    [{ lockTimeout: "60" }, '"lockTimeout" must be a number of seconds (0 or more), found "60".'],
    [{ language: "py" }, '"language" must be one of "ts", "js", "sql", found "py".'],
    [{ repositories: [] }, '"repositories" must be an object keyed by repository name, found an array.'],
    [
      { repositories: { core: "migrations" } },
      '"repositories.core" must be an object like { path: "migrations" }, found "migrations".',
    ],
    [{ repositories: { core: { path: 1 } } }, '"repositories.core.path" must be a non-empty string, found number 1.'],
    [
      { repositories: { core: { path: "m", extension: "yes" } } },
      '"repositories.core.extension" must be true or false, found "yes".',
    ],
    [
      { repositories: { core: { path: "m", dependsOn: "x" } } },
      '"repositories.core.dependsOn" must be an array of repository names, found "x".',
    ],
    [
      { repositories: { core: { path: "m", dependsOn: [1] } } },
      '"repositories.core.dependsOn[0]" must be a non-empty string, found number 1.',
    ],
    [
      { repositories: { core: { path: "m", scheme: "dated" } } },
      '"repositories.core.scheme" must be one of "numbered", "graph", found "dated".',
    ],
    [
      { repositories: { "my repo": { path: "m" } } },
      'repository name "my repo" is not allowed; use letters, digits, "_", "." and "-" only.',
    ],
  ])("refuses %j", (value, message) => {
    expect(invalid(value)).toBe(`/p/tidemark.config.json: ${message}`);
  });
});
