import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ScriptError } from "../../../src/errors.js";
import { parseSqlHeader, parseSqlScript, readSqlScript } from "../../../src/repo/sql-script.js";
import { makeProject, removeProjects } from "../../helpers/project.js";

function scriptError(fn: () => unknown): ScriptError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ScriptError);
    return error as ScriptError;
  }
  throw new Error("expected a ScriptError");
}

const NONE = { upgrade: false, downgrade: false, expand: false, migrate: false, contract: false };

describe("SQL script header", () => {
  it("reads every header key and the sections present, without splitting", () => {
    const text = [
      "-- revision: 1a2b3c4d5e6f",
      "-- revises: aaaaaaaaaaaa, bbbbbbbbbbbb",
      "-- message: add users: and more",
      "-- depends-on: cccccccccccc",
      "-- branch-labels: core, extra",
      "-- transactional: false",
      "-- Copyright: ignored because it is not a header key",
      "",
      "-- +upgrade",
      "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT 'unterminated is not looked at);",
      "-- +downgrade",
      "DROP TABLE users;",
    ].join("\n");
    expect(parseSqlHeader(text, "a.sql")).toEqual({
      file: "a.sql",
      revision: "1a2b3c4d5e6f",
      revises: ["aaaaaaaaaaaa", "bbbbbbbbbbbb"],
      message: "add users: and more",
      dependsOn: ["cccccccccccc"],
      branchLabels: ["core", "extra"],
      transactional: false,
      bodies: { ...NONE, upgrade: true, downgrade: true },
    });
  });

  it("treats `revises: none` and a missing revises line as a root, and defaults the rest", () => {
    expect(parseSqlHeader("-- revision: r1\n-- revises: none\n-- +upgrade\n", "r.sql").revises).toEqual([]);
    const header = parseSqlHeader("-- revision: r1\n-- +upgrade\nSELECT 1;\n", "r.sql");
    expect(header.revises).toBeUndefined();
    expect(header).toMatchObject({ dependsOn: [], branchLabels: [], transactional: true });
    expect(header.message).toBeUndefined();
  });

  it("stops reading header keys at the first SQL line or section marker", () => {
    const header = parseSqlHeader("-- message: real\nSELECT 1;\n-- revision: not-a-header\n", "n.sql");
    expect(header.revision).toBeUndefined();
    expect(header.message).toBe("real");
  });

  it("reads rolling sections and allows a downgrade next to them", () => {
    const header = parseSqlHeader("-- revision: r\n-- +expand\n-- +migrate\n-- +contract\n-- +downgrade\n", "r.sql");
    expect(header.bodies).toEqual({ upgrade: false, downgrade: true, expand: true, migrate: true, contract: true });
  });

  it("refuses bad header values, duplicate keys and sections, unknown markers, and plain mixed with phases", () => {
    expect(scriptError(() => parseSqlHeader("-- transactional: maybe\n", "h.sql")).message).toBe(
      'h.sql:1: `-- transactional:` must be true or false, found "maybe"',
    );
    expect(scriptError(() => parseSqlHeader("-- revision: a b\n", "h.sql")).message).toMatch(
      /^h\.sql:1: `-- revision:` must be one id/,
    );
    expect(scriptError(() => parseSqlHeader("-- revises: a, , b\n", "h.sql")).line).toBe(1);
    expect(scriptError(() => parseSqlHeader("-- message: a\n-- message: b\n", "h.sql")).message).toBe(
      "h.sql:2: the header says `message` twice",
    );
    expect(scriptError(() => parseSqlHeader("-- +upgrade\nSELECT 1;\n-- +upgrade\n", "h.sql")).message).toBe(
      "h.sql:3: the section `-- +upgrade` appears twice",
    );
    expect(scriptError(() => parseSqlHeader("-- +upgade\n", "h.sql")).message).toMatch(
      /^h\.sql:1: unknown section marker `-- \+upgade`/,
    );
    const mixed = scriptError(() => parseSqlHeader("-- revision: x\n-- +upgrade\nSELECT 1;\n-- +expand\nSELECT 2;\n", "h.sql"));
    expect(mixed.message).toMatch(/^h\.sql:4: the section `-- \+expand` cannot be mixed with `-- \+upgrade`/);
  });
});

describe("SQL script sections", () => {
  it("splits each section per dialect with file line numbers and unsafe marks", () => {
    const text = [
      "-- revision: 1a2b3c4d5e6f",
      "-- +expand",
      "CREATE TABLE t (a INT);",
      "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;",
      "-- +migrate",
      "UPDATE t SET a = 1;",
      "-- +contract",
      "-- tidemark:unsafe drops a column nobody reads",
      "ALTER TABLE t DROP COLUMN b;",
    ].join("\n");
    const script = parseSqlScript(text, "r.sql", "postgres");
    expect(script.implicitUpgrade).toBe(false);
    expect(script.sections).toEqual({
      expand: [
        { sql: "CREATE TABLE t (a INT)", line: 3 },
        { sql: "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql", line: 4 },
      ],
      migrate: [{ sql: "UPDATE t SET a = 1", line: 6 }],
      contract: [{ sql: "ALTER TABLE t DROP COLUMN b", line: 9, unsafe: "drops a column nobody reads" }],
    });
  });

  it("gives an empty list for an empty section", () => {
    const script = parseSqlScript("-- +upgrade\nSELECT 1;\n-- +downgrade\n\n", "e.sql", "sqlite");
    expect(script.sections).toEqual({ upgrade: [{ sql: "SELECT 1", line: 2 }], downgrade: [] });
  });

  it("makes a file without markers one upgrade section (numbered sqlalchemy-migrate style)", () => {
    const text = "-- message: create things\nCREATE TABLE a (id INT);\n\nCREATE TABLE b (id INT);\n";
    expect(parseSqlHeader(text, "001_x.sql").bodies).toEqual({ ...NONE, upgrade: true });
    const script = parseSqlScript(text, "001_x.sql", "mysql");
    expect(script.implicitUpgrade).toBe(true);
    expect(script.sections).toEqual({
      upgrade: [
        { sql: "CREATE TABLE a (id INT)", line: 2 },
        { sql: "CREATE TABLE b (id INT)", line: 4 },
      ],
    });
  });

  it("refuses SQL before the first marker and reports splitting errors with file lines", () => {
    expect(
      scriptError(() => parseSqlScript("-- revision: r\n\nDROP TABLE x;\n-- +upgrade\nSELECT 1;\n", "s.sql", "sqlite")).message,
    ).toMatch(/^s\.sql:3: this statement comes before the first section marker/);
    const error = scriptError(() => parseSqlScript("-- +upgrade\nSELECT 1;\n-- +downgrade\nSELECT 'oops;\n", "s.sql", "sqlite"));
    expect(error.message).toBe("s.sql:4: unterminated string literal");
  });

  const dir = makeProject();
  afterAll(removeProjects);

  it("reads from disk, and names a missing file", () => {
    const file = join(dir, "001_a.sql");
    writeFileSync(file, "-- +upgrade\r\nCREATE TABLE a (id INT);\r\n-- +downgrade\r\nDROP TABLE a;\r\n");
    expect(readSqlScript(file, "sqlite").sections).toEqual({
      upgrade: [{ sql: "CREATE TABLE a (id INT)", line: 2 }],
      downgrade: [{ sql: "DROP TABLE a", line: 4 }],
    });
    const missing = join(dir, "nope.sql");
    expect(scriptError(() => readSqlScript(missing, "sqlite")).message).toMatch(
      new RegExp(`^${missing}: cannot read the script`),
    );
  });
});
