/**
 * Version rows with dependsOn on every dialect (SPEC §5): the dependency's
 * row is absorbed by its dependent's, comes back when the dependent is
 * reverted, and a downgrade never reverts what merely depends on its target.
 */
import { afterAll, describe, expect, it } from "vitest";
import { Tidemark } from "../../src/api/tidemark.js";
import type { DialectName } from "../../src/dialects/dialect.js";
import { createTestDatabase, testDialects } from "../helpers/databases.js";
import { makeProject, removeProjects, sqlRevision } from "../helpers/project.js";
import { queryDatabase } from "../helpers/query.js";

afterAll(removeProjects);

/** a1; b1 ─ b2 (depends on a1); c1 (depends on b1). */
function project(): string {
  const script = (id: string, parent: string | null, dependsOn?: string) =>
    sqlRevision(id, parent, `CREATE TABLE m_${id} (id INTEGER PRIMARY KEY);`, `DROP TABLE m_${id};`).replace(
      "-- +upgrade",
      `${dependsOn === undefined ? "" : `-- depends-on: ${dependsOn}\n`}-- +upgrade`,
    );
  return makeProject({
    "migrations/a1_m.sql": script("a1", null),
    "migrations/b1_m.sql": script("b1", null),
    "migrations/b2_m.sql": script("b2", "b1", "a1"),
    "migrations/c1_m.sql": script("c1", null, "b1"),
  });
}

const TABLES: Record<DialectName, string> = {
  sqlite: "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'm_%'",
  postgres:
    "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name LIKE 'm_%'",
  mysql: "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = database() AND table_name LIKE 'm_%'",
};

const dialects = await testDialects();

describe.each(dialects)("dependsOn version rows on %s", (dialect) => {
  it("absorbs, restores, and never reverts a mere dependent", async () => {
    const database = await createTestDatabase(dialect);
    const tidemark = await Tidemark.open({ cwd: project(), url: database.url, env: {} });
    const state = async () => ({
      rows: (await queryDatabase(database.url, "SELECT version FROM tidemark_version")).map((r) => String(r["version"])).sort(),
      tables: (await queryDatabase(database.url, TABLES[dialect]))
        .map((r) => String(r["name"] ?? r["NAME"] ?? r["TABLE_NAME"]))
        .sort(),
    });
    const steps = (result: Awaited<ReturnType<Tidemark["upgrade"]>>) =>
      result.repositories[0]!.steps.map((s) => `${s.direction} ${s.revision}`);
    try {
      expect(steps(await tidemark.upgrade("b2"))).toEqual(["up a1", "up b1", "up b2"]);
      expect(await state()).toEqual({ rows: ["b2"], tables: ["m_a1", "m_b1", "m_b2"] });

      expect(steps(await tidemark.downgrade("-1"))).toEqual(["down b2"]);
      expect(await state()).toEqual({ rows: ["a1", "b1"], tables: ["m_a1", "m_b1"] });

      expect(steps(await tidemark.upgrade("heads"))).toEqual(["up c1", "up b2"]);
      expect(await state()).toEqual({ rows: ["b2", "c1"], tables: ["m_a1", "m_b1", "m_b2", "m_c1"] });

      // c1 depends on b1 but does not revise it: it stays.
      expect(steps(await tidemark.downgrade("b1"))).toEqual(["down b2"]);
      expect(await state()).toEqual({ rows: ["a1", "c1"], tables: ["m_a1", "m_b1", "m_c1"] });

      // Alembic's order: the rows a1 and c1 in id order, each line down as far as no other line still needs it.
      expect(steps(await tidemark.downgrade("base"))).toEqual(["down a1", "down c1", "down b1"]);
      expect(await state()).toEqual({ rows: [], tables: [] });
    } finally {
      await tidemark.close();
      await database.drop();
    }
  });
});
