/**
 * `stamp --from-alembic` on every dialect: a database upgraded by Debian's
 * Alembic 1.8 on a graph with branches, a merge and dependsOn (on an id and
 * on a label) is adopted by tidemark, which then upgrades and downgrades it.
 * After each command the tables and version rows must be those Alembic gives
 * for the same commands on a second database; `alembic_version` is never
 * touched.
 */
import { afterAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { Tidemark } from "../../src/api/tidemark.js";
import type { DialectName } from "../../src/dialects/dialect.js";
import { runCli } from "../helpers/cli.js";
import { createTestDatabase, testDialects, type TestDatabase } from "../helpers/databases.js";
import { makeProject, removeProjects } from "../helpers/project.js";
import { queryDatabase } from "../helpers/query.js";
import { type AlembicCommand, type GraphRevision, runAlembic, writeGraph } from "../differential/alembic-env.js";

afterAll(removeProjects);

// a1 (core) ─ a2 ─ a3 ─┐
//   └─ x1 ────────────── m1
// b1 (lib) ─ b2 (depends on a2) ─ b3
// c1 (depends on the label lib)
const GRAPH: GraphRevision[] = [
  { id: "aa01", parents: [], labels: ["core"] },
  { id: "aa02", parents: ["aa01"] },
  { id: "aa03", parents: ["aa02"] },
  { id: "ax01", parents: ["aa01"] },
  { id: "am01", parents: ["aa03", "ax01"] },
  { id: "bb01", parents: [], labels: ["lib"] },
  { id: "bb02", parents: ["bb01"], dependsOn: ["aa02"] },
  { id: "bb03", parents: ["bb02"] },
  { id: "cc01", parents: [], dependsOn: ["lib"] },
];

const SETUP: AlembicCommand[] = [
  { op: "upgrade", arg: "bb02" },
  { op: "upgrade", arg: "cc01" },
  { op: "upgrade", arg: "ax01" },
];

const FOLLOW_UP: AlembicCommand[] = [
  { op: "upgrade", arg: "am01" },
  { op: "downgrade", arg: "aa02" },
  { op: "downgrade", arg: "lib@base" },
  { op: "upgrade", arg: "heads" },
  { op: "downgrade", arg: "ax01" },
  { op: "downgrade", arg: "core@base" },
  { op: "upgrade", arg: "bb03" },
  { op: "downgrade", arg: "base" },
];

/** The SQLAlchemy URL of a test database. */
function alembicUrl(database: TestDatabase): string {
  if (database.dialect === "sqlite") return `sqlite:///${database.name}`;
  if (database.dialect === "postgres") return database.url.replace(/^postgres(ql)?:/, "postgresql:");
  return database.url.replace(/^(mysql|mariadb):/, "mysql+pymysql:");
}

async function tables(database: TestDatabase): Promise<string[]> {
  const sql: Record<DialectName, string> = {
    sqlite: "SELECT name FROM sqlite_master WHERE type = 'table'",
    postgres: "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()",
    mysql: "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = database()",
  };
  const rows = await queryDatabase(database.url, sql[database.dialect]);
  return rows
    .map((row) => String(row["name"] ?? row["NAME"] ?? row["TABLE_NAME"]))
    .filter((name) => name.startsWith("m_"))
    .sort();
}

async function column(database: TestDatabase, sql: string): Promise<string[]> {
  return (await queryDatabase(database.url, sql)).map((row) => String(Object.values(row)[0])).sort();
}

const dialects = await testDialects();

describe.each(dialects)("stamp --from-alembic on %s", (dialect) => {
  it("adopts an Alembic database, then upgrades and downgrades it as Alembic does", async () => {
    const dir = makeProject();
    const { alembicDir } = writeGraph(dir, GRAPH);
    const adopted = await createTestDatabase(dialect);
    const reference = await createTestDatabase(dialect);
    try {
      // The database to adopt: Alembic runs the setup and stops.
      const [setup] = await runAlembic(alembicDir, alembicUrl(adopted), [SETUP]);
      const alembicRows = setup![setup!.length - 1]!.rows;
      expect(alembicRows).toEqual(["ax01", "bb02", "cc01"]);
      // The reference: Alembic runs the setup and every follow-up command.
      const [expected] = await runAlembic(alembicDir, alembicUrl(reference), [[...SETUP, ...FOLLOW_UP]]);
      const afterFollowUp = expected!.slice(SETUP.length);

      const adopt = await runCli(["--url", adopted.url, "--json", "stamp", "--from-alembic"], { cwd: dir });
      expect(adopt.stderr).toBe("");
      expect(adopt.code).toBe(0);
      expect(await column(adopted, "SELECT version FROM tidemark_version")).toEqual(alembicRows);

      const tidemark = await Tidemark.open({ cwd: dir, url: adopted.url, env: {} });
      try {
        for (let i = 0; i < FOLLOW_UP.length; i++) {
          const command = FOLLOW_UP[i]!;
          const run = command.op === "upgrade" ? tidemark.upgrade(command.arg) : tidemark.downgrade(command.arg);
          const result = await run;
          const reference = afterFollowUp[i]!;
          const what = `${command.op} ${command.arg}`;
          expect(reference.ok, `${what} (alembic: ${reference.error})`).toBe(true);
          expect(
            result.repositories[0]!.steps.map((s) => [s.revision, s.direction]),
            what,
          ).toEqual(reference.steps.map(([revision, direction]) => [revision, direction]));
          expect(await column(adopted, "SELECT version FROM tidemark_version"), what).toEqual(reference.rows);
          expect(await tables(adopted), what).toEqual(reference.tables);
        }
      } finally {
        await tidemark.close();
      }
      // Alembic's table is as Alembic left it.
      expect(await column(adopted, "SELECT version_num FROM alembic_version")).toEqual(alembicRows);
    } finally {
      await adopted.drop();
      await reference.drop();
    }
  });
});

describe("stamp --from-alembic refusals (SQLite)", () => {
  async function alembicDatabase(rows: readonly string[]): Promise<{ dir: string; url: string; file: string }> {
    const dir = makeProject();
    writeGraph(dir, GRAPH);
    const file = join(dir, "adopt.db");
    const values = rows.map((id) => `('${id}')`).join(", ");
    const Database = (await import("better-sqlite3")).default;
    const db = new Database(file);
    db.exec("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)");
    if (rows.length > 0) db.exec(`INSERT INTO alembic_version VALUES ${values}`);
    db.close();
    return { dir, url: `sqlite:${file}`, file };
  }

  it("refuses an id no script declares, and writes nothing", async () => {
    const { dir, url } = await alembicDatabase(["aa02", "ffff"]);
    const result = await runCli(["--url", url, "stamp", "--from-alembic"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/alembic_version records ffff, which no script of repository core declares/);
    expect(await queryDatabase(url, "SELECT name FROM sqlite_master WHERE name LIKE 'tidemark%'")).toEqual([]);
  });

  it("refuses a database without the table, and names --alembic-table", async () => {
    const { dir, url } = await alembicDatabase([]);
    const result = await runCli(["--url", url, "stamp", "--from-alembic", "--alembic-table", "other_version"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no table other_version.*--alembic-table/);
  });

  it("replaces different tidemark rows only with --purge, and reads another table name", async () => {
    const { dir, url } = await alembicDatabase(["bb02"]);
    await queryDatabase(url, "CREATE TABLE legacy_version (version_num VARCHAR(32) NOT NULL)");
    await queryDatabase(url, "INSERT INTO legacy_version VALUES ('aa03')");
    expect((await runCli(["--url", url, "stamp", "--from-alembic"], { cwd: dir })).code).toBe(0);
    const again = await runCli(["--url", url, "stamp", "--from-alembic", "--alembic-table", "legacy_version"], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already has version rows \(bb02\) that differ from legacy_version \(aa03\); add --purge/);
    const purged = await runCli(["--url", url, "stamp", "--from-alembic", "--alembic-table", "legacy_version", "--purge"], {
      cwd: dir,
    });
    expect(purged.stderr).toBe("");
    expect(purged.stdout).toMatch(/core: adopted bb02 -> aa03/);
    expect(await queryDatabase(url, "SELECT version FROM tidemark_version")).toEqual([{ version: "aa03" }]);
  });
});
