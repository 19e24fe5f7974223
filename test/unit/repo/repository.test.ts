import { mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, GraphError, ScriptError } from "../../../src/errors.js";
import { scanRepository } from "../../../src/repo/repository.js";
import { thrown } from "../../helpers/failures.js";
import { graphTs, makeProject, numberedTs, removeProjects, withoutStamps } from "../../helpers/project.js";

afterAll(removeProjects);

const PLAIN = { upgrade: true, downgrade: false, expand: false, migrate: false, contract: false };

describe("scanRepository: graph scheme", () => {
  it("reads graph scripts from versions/ and ignores private, hidden, declaration and non-script files", () => {
    const dir = makeProject({
      "migrate.cfg": "[db_settings]\nrepository_id=core\n",
      "versions/__init__.py": "",
      "versions/README": "export const revision = 'fake';",
      "versions/_helper.ts": "export const revision = 'nope';",
      "versions/.hidden.ts": "export const revision = 'nope';",
      "versions/types.d.ts": "export const revision: string;",
      "versions/aaaaaaaaaaaa_create_users.ts": graphTs("aaaaaaaaaaaa", null, "upgrade, downgrade"),
      "versions/bbbbbbbbbbbb_add_email.sql":
        "-- revision: bbbbbbbbbbbb\n-- revises: aaaaaaaaaaaa\n-- message: add email\n-- branch-labels: core\n-- +upgrade\nALTER TABLE users ADD email TEXT;\n",
      "versions/cccccccccccc_merge.mjs":
        'export const revision = "cccccccccccc";\nexport const revises = ["aaaaaaaaaaaa", "bbbbbbbbbbbb"];\nexport const dependsOn = ["dddddddddddd"];\nexport const transactional = false;\nexport function upgrade() {}\n',
      "versions/sub/ffffffffffff_nested.ts": graphTs("ffffffffffff", null),
      "other.ts": graphTs("eeeeeeeeeeee", null),
    });
    const scan = scanRepository(dir, { name: "core" });
    expect(scan).toMatchObject({
      name: "core",
      dir,
      scriptsDir: join(dir, "versions"),
      scheme: "graph",
      layout: "single",
      rolling: false,
    });
    // Each main file's stat as the scan saw it: the script loader's cache key.
    for (const revision of scan.revisions) {
      const { size, mtimeMs, ctimeMs } = statSync(revision.files.main!);
      expect(revision.stamp?.slice(0, 3)).toEqual([size, mtimeMs, ctimeMs]);
    }
    expect(withoutStamps(scan.revisions)).toEqual([
      {
        id: "aaaaaaaaaaaa",
        parents: [],
        dependsOn: [],
        branchLabels: [],
        message: "create users",
        bodies: { ...PLAIN, downgrade: true },
        transactional: true,
        files: { main: join(dir, "versions", "aaaaaaaaaaaa_create_users.ts") },
      },
      {
        id: "bbbbbbbbbbbb",
        parents: ["aaaaaaaaaaaa"],
        dependsOn: [],
        branchLabels: ["core"],
        message: "add email",
        bodies: PLAIN,
        transactional: true,
        files: { main: join(dir, "versions", "bbbbbbbbbbbb_add_email.sql") },
      },
      {
        id: "cccccccccccc",
        parents: ["aaaaaaaaaaaa", "bbbbbbbbbbbb"],
        dependsOn: ["dddddddddddd"],
        branchLabels: [],
        message: "merge",
        bodies: PLAIN,
        transactional: false,
        files: { main: join(dir, "versions", "cccccccccccc_merge.mjs") },
      },
    ]);
  });

  it("reads scripts directly in the folder when there is no versions/", () => {
    const dir = makeProject({ "111111111111_x.js": graphTs("111111111111", null) });
    const scan = scanRepository(dir, { name: "ext" });
    expect(scan.scriptsDir).toBe(dir);
    expect(scan.revisions.map((r) => r.id)).toEqual(["111111111111"]);
  });

  it("refuses two files declaring the same id", () => {
    const dir = makeProject({ "a_one.ts": graphTs("abc", null), "b_two.ts": graphTs("abc", null) });
    const error = thrown(() => scanRepository(dir, { name: "core" }));
    expect(error).toBeInstanceOf(GraphError);
    expect(error.message).toBe(`two scripts have revision id abc: ${join(dir, "a_one.ts")} and ${join(dir, "b_two.ts")}`);
  });
});

describe("scanRepository: numbered scheme", () => {
  it("numbers scripts by their file name, each revising the previous, with messages from the header or the slug", () => {
    const dir = makeProject({
      "versions/001_create_users.sql": "CREATE TABLE users (id INT);\n",
      "versions/002_add_email.ts": numberedTs("upgrade, downgrade", "Add the e-mail column"),
      "versions/0010_tenth.mts": numberedTs(),
    });
    const scan = scanRepository(dir, { name: "core" });
    expect(scan.scheme).toBe("numbered");
    expect(scan.revisions.map((r) => [r.id, r.number, r.parents, r.message, r.bodies.downgrade])).toEqual([
      ["1", 1, [], "create users", false],
      ["2", 2, ["1"], "Add the e-mail column", true],
      ["10", 10, ["9"], "tenth", false],
    ]);
  });

  it("reports two files with the same number, and version 0", () => {
    const dup = makeProject({ "001_a.sql": "SELECT 1;", "01_b.ts": numberedTs() });
    const error = thrown(() => scanRepository(dup, { name: "core" }));
    expect(error).toBeInstanceOf(GraphError);
    expect(error.message).toBe(`two scripts have version 1: ${join(dup, "001_a.sql")} and ${join(dup, "01_b.ts")}`);
    const zero = makeProject({ "000_init.sql": "SELECT 1;" });
    expect(thrown(() => scanRepository(zero, { name: "core" }))).toBeInstanceOf(GraphError);
  });

  it("refuses a file that is neither graph nor numbered", () => {
    const dir = makeProject({ "001_ok.sql": "SELECT 1;", "setup.ts": "export function upgrade() {}" });
    const error = thrown(() => scanRepository(dir, { name: "core" }));
    expect(error).toBeInstanceOf(ScriptError);
    expect(error.message).toMatch(new RegExp(`^${join(dir, "setup.ts")}: this script declares no \`revision\` id`));
  });

  it("refuses mixed schemes, naming one file of each", () => {
    const dir = makeProject({ "001_first.sql": "SELECT 1;", "abcdefabcdef_second.ts": graphTs("abcdefabcdef", null) });
    const error = thrown(() => scanRepository(dir, { name: "core" }));
    expect(error).toBeInstanceOf(GraphError);
    expect(error.message).toContain(join(dir, "abcdefabcdef_second.ts"));
    expect(error.message).toContain(join(dir, "001_first.sql"));
    expect(error.message).toMatch(/mixes id schemes/);
  });
});

describe("scanRepository: plain or rolling", () => {
  it("is rolling when scripts have phase bodies", () => {
    const dir = makeProject({
      "001_a.ts": numberedTs("expand, contract, downgrade"),
      "002_b.sql": "-- +migrate\nUPDATE t SET a = 1;\n",
    });
    const scan = scanRepository(dir, { name: "core" });
    expect(scan.rolling).toBe(true);
    expect(scan.revisions.map((r) => r.bodies)).toEqual([
      { upgrade: false, downgrade: true, expand: true, migrate: false, contract: true },
      { upgrade: false, downgrade: false, expand: false, migrate: true, contract: false },
    ]);
  });

  it("refuses plain and rolling scripts in one repository", () => {
    const dir = makeProject({ "001_a.ts": numberedTs("upgrade"), "002_b.ts": numberedTs("expand") });
    const error = thrown(() => scanRepository(dir, { name: "core" }));
    expect(error).toBeInstanceOf(GraphError);
    expect(error.message).toBe(
      `the core repository mixes plain and rolling scripts: ${join(dir, "001_a.ts")} has an upgrade body while ${join(dir, "002_b.ts")} has expand/migrate/contract bodies; a repository is either plain or rolling`,
    );
  });

  it("passes a header error through with its file and line", () => {
    const dir = makeProject({ "001_a.ts": "\nexport const message = `${1}`;\nexport function upgrade() {}\n" });
    const error = thrown(() => scanRepository(dir, { name: "core" }));
    expect(error).toBeInstanceOf(ScriptError);
    expect((error as ScriptError).file).toBe(join(dir, "001_a.ts"));
    expect((error as ScriptError).line).toBe(2);
  });
});

describe("scanRepository: empty and missing folders", () => {
  it("returns an empty scan for an empty folder, with the configured scheme", () => {
    const dir = makeProject();
    mkdirSync(join(dir, "versions"));
    expect(scanRepository(dir, { name: "core" })).toEqual({
      name: "core",
      dir,
      scriptsDir: join(dir, "versions"),
      scheme: "graph",
      layout: "single",
      rolling: false,
      revisions: [],
    });
    expect(scanRepository(dir, { name: "core", scheme: "numbered" }).scheme).toBe("numbered");
  });

  it("throws a ConfigError naming a missing folder or a file given as folder", () => {
    const dir = makeProject({ "file.txt": "x" });
    const missing = join(dir, "nope");
    const error = thrown(() => scanRepository(missing, { name: "core" }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe(
      `the folder of the core repository, ${missing}, does not exist (create it, or run \`tidemark init\`)`,
    );
    expect((error as ConfigError).exitCode).toBe(2);
    const notDir = thrown(() => scanRepository(join(dir, "file.txt"), { name: "x" }));
    expect(notDir).toBeInstanceOf(ConfigError);
    expect(notDir.message).toContain("is not a folder");
  });
});
