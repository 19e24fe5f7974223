import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  checkRequiredDbs,
  dialectOfDbName,
  parseMigrateCfg,
  parseRequiredDbs,
  readMigrateCfg,
  requiredDbsAllows,
} from "../../../src/config/migrate-cfg.js";
import { ConfigError } from "../../../src/errors.js";
import { makeProject, removeProjects } from "../../helpers/project.js";

afterAll(removeProjects);

/** The file sqlalchemy-migrate's `migrate create` writes, as keystone's repositories ship it. */
const SQLALCHEMY_MIGRATE_TEMPLATE = `[db_settings]
# Used to identify which repository this database is versioned under.
# You can use the name of your project.
repository_id=keystone

# The name of the database table used to track the schema change history.
version_table=migrate_version

# When committing a change script, Migrate will attempt to generate the
# sql for all supported databases; normally, if one of them fails - probably
# because you don't have that database installed - it is ignored and the
# commit continues, perhaps ending successfully.
# Databases in this list MUST compile successfully during a commit, or the
# entire commit will fail. List the databases your application will actually
# be using to ensure your updates to that database work properly.
# This must be a list; example: ['postgres','sqlite']
required_dbs=[]

# When creating new change scripts, Migrate will stamp the new script with
# a version number. By default this is latest_version + 1. You can set this
# to 'true' to tell Migrate to use the UTC timestamp instead.
use_timestamp_numbering=False
`;

function thrown(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("parseMigrateCfg", () => {
  it("reads the example of the keystone docs", () => {
    const cfg = parseMigrateCfg(
      "[db_settings]\nrepository_id=my_extension\nversion_table=migrate_version\nrequired_dbs=[]",
      "/r/migrate.cfg",
    );
    expect(cfg).toEqual({
      file: "/r/migrate.cfg",
      repositoryId: "my_extension",
      versionTable: "migrate_version",
      requiredDbs: [],
    });
  });

  it("reads sqlalchemy-migrate's commented template and ignores its other keys", () => {
    expect(parseMigrateCfg(SQLALCHEMY_MIGRATE_TEMPLATE, "/r/migrate.cfg")).toEqual({
      file: "/r/migrate.cfg",
      repositoryId: "keystone",
      versionTable: "migrate_version",
      requiredDbs: [],
    });
  });

  it("accepts ':' separators, spaces, upper-case keys and a list continued over lines", () => {
    const text = "[db_settings]\nRepository_Id: ext\nversion_table : tbl\nrequired_dbs = ['postgresql',\n    'mysql']\n";
    expect(parseMigrateCfg(text, "f")).toEqual({
      file: "f",
      repositoryId: "ext",
      versionTable: "tbl",
      requiredDbs: ["postgresql", "mysql"],
    });
  });

  it("takes missing keys from [DEFAULT]", () => {
    const text = "[DEFAULT]\nversion_table = from_default\nrepository_id = d\n[db_settings]\nrepository_id = own\n";
    expect(parseMigrateCfg(text, "f")).toMatchObject({ repositoryId: "own", versionTable: "from_default" });
  });

  it("leaves absent keys unset", () => {
    expect(parseMigrateCfg("[db_settings]\n", "f")).toEqual({ file: "f", requiredDbs: [] });
  });

  it("refuses a file without [db_settings], naming it", () => {
    const error = thrown(() => parseMigrateCfg("[db_setting]\nrepository_id = x\n", "/r/migrate.cfg"));
    expect(error.message).toBe("/r/migrate.cfg: migrate.cfg has no [db_settings] section");
  });

  it("refuses an empty repository_id and a version_table that is not a plain name, with the line", () => {
    expect(thrown(() => parseMigrateCfg("[db_settings]\n\nrepository_id =\n", "/r/migrate.cfg")).message).toBe(
      "/r/migrate.cfg:3: repository_id is empty",
    );
    expect(thrown(() => parseMigrateCfg("[db_settings]\nversion_table = a; drop\n", "/r/migrate.cfg")).message).toBe(
      '/r/migrate.cfg:2: version_table must be a plain table name (letters, digits, "_", "$"), found "a; drop"',
    );
  });

  it("refuses a key set twice and a malformed line, with the line", () => {
    expect(thrown(() => parseMigrateCfg("[db_settings]\nrepository_id=a\nrepository_id=b\n", "/r/migrate.cfg")).message).toBe(
      '/r/migrate.cfg:3: "repository_id" is set twice in [db_settings] (lines 2 and 3)',
    );
    expect(thrown(() => parseMigrateCfg("[db_settings]\nrepository_id\n", "/r/migrate.cfg")).message).toBe(
      '/r/migrate.cfg:2: expected "key = value" or "key: value", found "repository_id"',
    );
  });
});

describe("parseRequiredDbs", () => {
  it.each([
    ["[]", []],
    ["", []],
    ["()", []],
    ["['postgresql', 'mysql']", ["postgresql", "mysql"]],
    ['["postgres","sqlite"]', ["postgres", "sqlite"]],
    ["['sqlite',]", ["sqlite"]],
    ["('mysql', 'mariadb')", ["mysql", "mariadb"]],
    ["postgresql, mysql", ["postgresql", "mysql"]],
    ["sqlite", ["sqlite"]],
    ["[\n'postgresql',\n\n'mysql']", ["postgresql", "mysql"]],
  ])("reads %j", (value, expected) => {
    expect(parseRequiredDbs(value, "f", 1)).toEqual(expected);
  });

  it.each([
    ["['postgresql'", 'has "[" without a closing "]"'],
    ["['a',,'b']", "has an empty item"],
    ["[,]", "has an empty item"],
    ["['postgresql\"]", 'has an invalid item "\'postgresql\\""'],
    ["[postgres sql]", 'has an invalid item "postgres sql"'],
  ])("refuses %j with the file and line", (value, why) => {
    const error = thrown(() => parseRequiredDbs(value, "/r/migrate.cfg", 4));
    expect(error.message).toBe(
      `/r/migrate.cfg:4: required_dbs ${why}; write a list like ['postgresql', 'mysql'], found ${JSON.stringify(value)}`,
    );
  });
});

describe("required dialects", () => {
  it("maps database names to dialects", () => {
    expect(["postgresql", "postgres", "PostgreSQL", "postgresql+psycopg2", "pg"].map(dialectOfDbName)).toEqual(
      Array(5).fill("postgres"),
    );
    expect(["mysql", "mariadb", "mysql+pymysql"].map(dialectOfDbName)).toEqual(["mysql", "mysql", "mysql"]);
    expect(["sqlite", "sqlite3"].map(dialectOfDbName)).toEqual(["sqlite", "sqlite"]);
    expect(dialectOfDbName("oracle")).toBeUndefined();
    expect(dialectOfDbName("constructor")).toBeUndefined();
  });

  it("allows every dialect for an empty list and only the listed ones otherwise", () => {
    expect(requiredDbsAllows([], "mysql")).toBe(true);
    expect(requiredDbsAllows(["postgresql", "mariadb"], "postgres")).toBe(true);
    expect(requiredDbsAllows(["postgresql", "mariadb"], "mysql")).toBe(true);
    expect(requiredDbsAllows(["postgresql", "mariadb"], "sqlite")).toBe(false);
    expect(requiredDbsAllows(["oracle"], "sqlite")).toBe(false);
  });

  it("refuses a dialect with an error naming the repository, the file and the dialect", () => {
    const repo = { name: "example", requiredDbs: ["postgresql"], migrateCfg: "/r/migrate.cfg" };
    expect(() => checkRequiredDbs(repo, "postgres")).not.toThrow();
    const error = thrown(() => checkRequiredDbs(repo, "sqlite"));
    expect(error.message).toBe(
      'Repository "example" supports only postgresql (required_dbs in /r/migrate.cfg); it cannot run on sqlite.',
    );
    expect(error.exitCode).toBe(2);
  });
});

describe("readMigrateCfg", () => {
  it("reads <folder>/migrate.cfg", () => {
    const dir = makeProject({ "repo/migrate.cfg": "[db_settings]\nrepository_id=ext\nrequired_dbs=['sqlite']\n" });
    expect(readMigrateCfg(join(dir, "repo"))).toEqual({
      file: join(dir, "repo", "migrate.cfg"),
      repositoryId: "ext",
      requiredDbs: ["sqlite"],
    });
  });

  it("returns undefined when the folder or the file does not exist", () => {
    const dir = makeProject({ "file.txt": "x" });
    expect(readMigrateCfg(join(dir, "missing"))).toBeUndefined();
    expect(readMigrateCfg(dir)).toBeUndefined();
    expect(readMigrateCfg(join(dir, "file.txt"))).toBeUndefined();
  });

  it("names a migrate.cfg that cannot be read", () => {
    const dir = makeProject();
    mkdirSync(join(dir, "migrate.cfg"));
    const error = thrown(() => readMigrateCfg(dir));
    expect(error.message).toMatch(new RegExp(`^${join(dir, "migrate.cfg")}: cannot read the repository's migrate.cfg: .*EISDIR`));
  });
});
