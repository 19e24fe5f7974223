/** `tidemark.lint()`: the library call behind `tidemark lint`, without a database. */
import { afterAll, describe, expect, it } from "vitest";
import { Tidemark } from "../../../src/index.js";
import { makeProject, removeProjects } from "../../helpers/project.js";

afterAll(removeProjects);

describe("Tidemark.lint", () => {
  it("returns typed findings, what unsafe marks silenced, and ok=false on an error", async () => {
    const dir = makeProject({
      "migrations/001_people.sql":
        "-- +expand\nCREATE TABLE people (id integer PRIMARY KEY, name text);\n-- +migrate\n-- +contract\n",
      "migrations/002_locks.sql":
        "-- +expand\nCREATE INDEX ix_people_name ON people (name);\n-- tidemark:unsafe tiny table\nCLUSTER people;\n-- +migrate\n-- +contract\n",
    });
    const tidemark = await Tidemark.open({ cwd: dir, env: {}, url: "postgres://nobody:pw@127.0.0.1:1/none" });
    try {
      const result = await tidemark.lint();
      expect(result.ok).toBe(false);
      expect(result.dialect).toBe("postgres");
      expect(result.findings.map((f) => [f.revision, f.phase, f.line, f.rule, f.severity])).toEqual([
        ["2", "expand", 2, "TM101", "error"],
      ]);
      expect(result.silenced.map((s) => [s.line, s.rule, s.reason])).toEqual([[4, "TM402", "tiny table"]]);
      const sqlite = await tidemark.lint({ dialect: "sqlite" });
      expect(sqlite.findings.map((f) => [f.rule, f.severity])).toEqual([["TM103", "error"]]);
      expect(sqlite.ok).toBe(false);
    } finally {
      await tidemark.close();
    }
  });
});
