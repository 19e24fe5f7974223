/**
 * CommonJS and JavaScript users (issue 17): `.js` and `.cjs` scripts with
 * `exports.revision = …` or `module.exports = {…}` headers are read and run,
 * a script without an id says exactly what to write, and `init --language
 * js` writes JavaScript scripts in the package's own module style.
 */
import { afterAll, describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../helpers/cli.js";
import { makeProject, removeProjects } from "../helpers/project.js";
import { tableNames, versions } from "./sqlite-state.js";

afterAll(removeProjects);

describe("CommonJS scripts", () => {
  it("exports.NAME, module.exports = {…} and .cjs files with require() are read, run and reverted", async () => {
    const dir = makeProject({
      "package.json": JSON.stringify({ name: "app", version: "1.0.0" }),
      "migrations/a1a1a1a1a1a1_users.js": [
        '"use strict";',
        'exports.revision = "a1a1a1a1a1a1";',
        "exports.revises = null;",
        'exports.message = "create users";',
        "exports.upgrade = async function (op) {",
        '  await op.createTable("users", { id: { type: "integer", primaryKey: true }, name: { type: "text" } });',
        "};",
        'exports.downgrade = async (op) => op.dropTable("users");',
        "",
      ].join("\n"),
      "migrations/b2b2b2b2b2b2_posts.js": [
        'const { idColumn } = require("./_helpers.cjs");',
        "module.exports = {",
        '  revision: "b2b2b2b2b2b2",',
        '  revises: "a1a1a1a1a1a1",',
        '  message: "add posts",',
        "  async upgrade(op) {",
        '    await op.createTable("posts", { id: idColumn(), title: { type: "text" } });',
        "  },",
        '  downgrade: (op) => op.dropTable("posts"),',
        "};",
        "",
      ].join("\n"),
      "migrations/c3c3c3c3c3c3_tags.cjs": [
        'exports.revision = "c3c3c3c3c3c3";',
        'exports.revises = "b2b2b2b2b2b2";',
        "exports.upgrade = async (op) => {",
        '  await op.execute("CREATE TABLE tags (id INTEGER PRIMARY KEY)");',
        "};",
        'exports.downgrade = (op) => op.execute("DROP TABLE tags");',
        "",
      ].join("\n"),
      "migrations/_helpers.cjs": 'exports.idColumn = () => ({ type: "integer", primaryKey: true });\n',
    });
    const heads = await runCli(["history"], { cwd: dir });
    expect(heads.code, heads.stderr).toBe(0);
    expect(heads.stdout).toBe(
      [
        "b2b2b2b2b2b2 -> c3c3c3c3c3c3 (head), tags",
        "a1a1a1a1a1a1 -> b2b2b2b2b2b2, add posts",
        "<base> -> a1a1a1a1a1a1, create users",
        "",
      ].join("\n"),
    );
    const up = await runCli(["upgrade"], { cwd: dir });
    expect(up.code, up.stderr).toBe(0);
    const db = join(dir, "tidemark.db");
    expect(tableNames(db)).toEqual(["posts", "tags", "tidemark_log", "tidemark_version", "users"]);
    expect(versions(db)).toEqual(["c3c3c3c3c3c3"]);
    const down = await runCli(["downgrade", "a1a1a1a1a1a1"], { cwd: dir });
    expect(down.code, down.stderr).toBe(0);
    expect(tableNames(db)).toEqual(["tidemark_log", "tidemark_version", "users"]);
    expect(versions(db)).toEqual(["a1a1a1a1a1a1"]);
  });

  it("a script without an id says exactly what to write, for both module systems", async () => {
    const dir = makeProject({
      "migrations/add_users.js": 'const revision = "a1a1a1a1a1a1";\nmodule.exports = { upgrade: async () => {} };\n',
    });
    const result = await runCli(["upgrade"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(join(dir, "migrations", "add_users.js"));
    expect(result.stderr).toContain('`export const revision = "1a2b3c4d5e6f";` (ES module)');
    expect(result.stderr).toContain(
      '`exports.revision = "1a2b3c4d5e6f";` or `module.exports = { revision: "1a2b3c4d5e6f", … }` (CommonJS)',
    );
  });
});

describe("init --language js", () => {
  it("writes CommonJS scripts in a CommonJS package and ES-module ones in a module package; both run", async () => {
    for (const [type, first] of [
      [undefined, "exports.revision = "],
      ["module", "export const revision = "],
    ] as const) {
      const dir = makeProject({ "package.json": JSON.stringify({ name: "app", ...(type === undefined ? {} : { type }) }) });
      expect((await runCli(["init", "--language", "js"], { cwd: dir })).code).toBe(0);
      expect(JSON.parse(readFileSync(join(dir, "tidemark.config.json"), "utf8"))).toMatchObject({ language: "js" });
      const written = JSON.parse((await runCli(["revision", "-m", "create users", "--json"], { cwd: dir })).stdout) as {
        revision: { file: string; id: string };
      };
      expect(written.revision.file).toMatch(/_create_users\.js$/);
      const text = readFileSync(written.revision.file, "utf8");
      expect(text).toContain(`${first}"${written.revision.id}";`);
      expect(text).toContain('/** @typedef {import("tidemark").Op} Op */');
      writeFileSync(
        written.revision.file,
        text.replace(
          /(upgrade\(op\) \{\n)/,
          '$1  await op.createTable("users", { id: { type: "integer", primaryKey: true } });\n',
        ),
      );
      const up = await runCli(["upgrade"], { cwd: dir });
      expect(up.code, up.stderr).toBe(0);
      expect(tableNames(join(dir, "tidemark.db"))).toContain("users");
    }
  });

  it("rejects an unknown language (exit 2)", async () => {
    const result = await runCli(["init", "--language", "python"], { cwd: makeProject() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("python");
  });
});
