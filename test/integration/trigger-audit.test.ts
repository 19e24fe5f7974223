/**
 * The contract trigger audit reads the database (issue 13, D7): a trigger
 * the contract only seems to drop (another case of the name) refuses the
 * step and leaves the database as it was; a trigger an expand step created
 * through a DO block is seen (PostgreSQL); an INSTEAD OF trigger dropped
 * with its view counts as gone; a trigger declared permanent may stay.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadDialect } from "../../src/dialects/registry.js";
import { parseDatabaseUrl } from "../../src/config/database-url.js";
import type { DialectName } from "../../src/dialects/dialect.js";
import { runCli } from "../helpers/cli.js";
import { createTestDatabase, testDialects, type TestDatabase } from "../helpers/databases.js";
import { makeProject, removeProjects } from "../helpers/project.js";
import { queryDatabase } from "../helpers/query.js";

const dialects = await testDialects();

const BASE = "-- +expand\nCREATE TABLE people (id INTEGER PRIMARY KEY, name VARCHAR(200));\n";

/** Everything the audit could disturb: the schema with its triggers, and the version rows. */
async function snapshot(url: string): Promise<unknown> {
  const parsed = parseDatabaseUrl(url);
  const dialect = await loadDialect(parsed.dialect);
  const connection = await dialect.driver.connect(parsed);
  try {
    const schema = await dialect.introspector.introspect(connection, {});
    const rows = await connection.query("SELECT phase, version FROM tidemark_version ORDER BY phase, version");
    return { schema, rows: rows.map((row) => `${String(row.phase)}:${String(row.version)}`) };
  } finally {
    await connection.close();
  }
}

async function triggerNames(url: string): Promise<string[]> {
  const parsed = parseDatabaseUrl(url);
  const dialect = await loadDialect(parsed.dialect);
  const connection = await dialect.driver.connect(parsed);
  try {
    return (await dialect.introspector.liveTriggers(connection)).map((trigger) => trigger.name).sort();
  } finally {
    await connection.close();
  }
}

/** A trigger function (PostgreSQL needs one), marked unsafe as the closed phase rules require. */
const PG_FUNCTION =
  "-- tidemark:unsafe trigger function for the test\n" +
  "CREATE FUNCTION keep_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\n";

function createTrigger(dialect: DialectName, quotedName: string, table = "people"): string {
  const mark = "-- tidemark:unsafe a trigger of the test's own\n";
  if (dialect === "postgres")
    return `${mark}CREATE TRIGGER ${quotedName} BEFORE INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION keep_row();\n`;
  if (dialect === "mysql")
    return `${mark}CREATE TRIGGER ${quotedName} BEFORE INSERT ON ${table} FOR EACH ROW SET NEW.name = NEW.name;\n`;
  return `${mark}CREATE TRIGGER ${quotedName} AFTER INSERT ON ${table} BEGIN SELECT 1; END;\n`;
}

describe.each(dialects)("contract trigger audit on %s", (dialectName: DialectName) => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await createTestDatabase(dialectName);
  });
  afterEach(async () => {
    await database.drop();
  });
  afterAll(() => removeProjects());

  const cli = (dir: string, ...args: string[]) => runCli([...args, "--url", database.url], { cwd: dir });
  const quote = (name: string) => (dialectName === "mysql" ? `\`${name}\`` : `"${name}"`);
  const functionSql = dialectName === "postgres" ? PG_FUNCTION : "";
  /** Applies revision 1, then expand and migrate of revision 2: the window waits for its contract. */
  const upToContract = async (dir: string) => {
    expect((await cli(dir, "sync", "1")).code).toBe(0);
    expect((await cli(dir, "sync", "--expand")).code).toBe(0);
    expect((await cli(dir, "sync", "--migrate")).code).toBe(0);
  };

  it('takes DROP TRIGGER roll_tr for "Roll_Tr" only where the database folds the name (SQLite)', async () => {
    const dropOn = dialectName === "postgres" ? " ON people" : "";
    const dir = makeProject({
      "migrations/001_people.sql": BASE,
      "migrations/002_roll.sql":
        "-- +expand\nALTER TABLE people ADD COLUMN nick VARCHAR(20);\n" +
        functionSql +
        createTrigger(dialectName, quote("Roll_Tr")) +
        "-- +migrate\n-- +contract\n" +
        `DROP TRIGGER IF EXISTS roll_tr${dropOn};\nALTER TABLE people DROP COLUMN nick;\n`,
    });
    await upToContract(dir);
    const before = await snapshot(database.url);
    expect(await triggerNames(database.url)).toEqual(["Roll_Tr"]);
    const run = await cli(dir, "sync", "--contract");
    if (dialectName === "sqlite") {
      expect(run.code, run.stderr).toBe(0);
      expect(await triggerNames(database.url)).toEqual([]);
      return;
    }
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("Roll_Tr");
    expect(run.stderr).toContain("on people");
    expect(run.stderr).toContain("revision 2");
    expect(run.stderr).toContain("002_roll.sql");
    expect(await snapshot(database.url)).toEqual(before);
    // check, without running anything, says the same.
    const check = await cli(dir, "check");
    expect(check.code).toBe(3);
    expect(check.stderr).toContain("Roll_Tr");
  });

  it("allows a trigger declared permanent (an audit trigger) to outlive the window", async () => {
    const dir = makeProject({
      "migrations/001_people.sql": BASE,
      "migrations/002_audit.sql":
        "-- +expand\n" +
        functionSql +
        "-- tidemark:permanent-trigger people_audit\n" +
        createTrigger(dialectName, "people_audit") +
        "-- +migrate\n-- +contract\n",
    });
    expect((await cli(dir, "sync", "1")).code).toBe(0);
    const run = await cli(dir, "sync");
    expect(run.code, run.stderr).toBe(0);
    expect(await triggerNames(database.url)).toEqual(["people_audit"]);
    expect((await cli(dir, "check")).code).toBe(0);
  });

  it("refuses a contract that leaves an undeclared trigger, and passes once it is dropped", async () => {
    const files = {
      "migrations/001_people.sql": BASE,
      "migrations/002_audit.sql": `-- +expand\n${functionSql}${createTrigger(dialectName, "people_audit")}-- +migrate\n-- +contract\n`,
    };
    const dir = makeProject(files);
    await upToContract(dir);
    const before = await snapshot(database.url);
    const run = await cli(dir, "sync", "--contract");
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("trigger people_audit on people");
    expect(run.stderr).toContain("tidemark:permanent-trigger people_audit");
    expect(await snapshot(database.url)).toEqual(before);
  });

  it("refuses a contract that drops an expand trigger and creates it again, before anything runs", async () => {
    const dropOn = dialectName === "postgres" ? " ON people" : "";
    const dir = makeProject({
      "migrations/001_people.sql": BASE,
      "migrations/002_again.sql":
        "-- +expand\nALTER TABLE people ADD COLUMN nick VARCHAR(20);\n" +
        functionSql +
        createTrigger(dialectName, "people_copy") +
        "-- +migrate\n-- +contract\n" +
        `DROP TRIGGER people_copy${dropOn};\nALTER TABLE people DROP COLUMN nick;\n` +
        createTrigger(dialectName, "people_copy"),
    });
    await upToContract(dir);
    const before = await snapshot(database.url);
    const run = await cli(dir, "sync", "--contract");
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("trigger people_copy on people is still there after contract");
    expect(run.stderr).toContain("002_again.sql");
    expect(await snapshot(database.url)).toEqual(before);
  });

  it.runIf(dialectName !== "sqlite")(
    "reads the database: a trigger created again through dynamic SQL, which no script names, refuses the step",
    async () => {
      const dropOn = dialectName === "postgres" ? " ON people" : "";
      const recreate =
        dialectName === "postgres"
          ? "-- tidemark:unsafe creates the trigger through EXECUTE\n" +
            "DO $$ BEGIN EXECUTE 'CREATE TRIGGER people_copy BEFORE INSERT ON people FOR EACH ROW EXECUTE FUNCTION keep_row()'; END $$;\n"
          : "-- tidemark:unsafe creates the trigger through EXECUTE IMMEDIATE\n" +
            "EXECUTE IMMEDIATE 'CREATE TRIGGER people_copy BEFORE INSERT ON people FOR EACH ROW SET NEW.name = NEW.name';\n";
      const dir = makeProject({
        "migrations/001_people.sql": BASE,
        "migrations/002_again.sql":
          "-- +expand\nALTER TABLE people ADD COLUMN nick VARCHAR(20);\n" +
          functionSql +
          createTrigger(dialectName, "people_copy") +
          "-- +migrate\n-- +contract\n" +
          `DROP TRIGGER people_copy${dropOn};\nALTER TABLE people DROP COLUMN nick;\n${recreate}`,
      });
      await upToContract(dir);
      const before = await snapshot(database.url);
      const run = await cli(dir, "sync", "--contract");
      expect(run.code).toBe(1);
      expect(run.stderr).toContain("trigger people_copy on people still exists in the database after the contract step ran");
      expect(run.stderr).toContain("002_again.sql");
      if (dialectName === "postgres") {
        // Transactional DDL: the step rolled back whole.
        expect(await snapshot(database.url)).toEqual(before);
      } else {
        // MySQL commits each DDL statement: the step is marked failed and blocks the repository until repair.
        expect((await cli(dir, "status")).code).toBe(1);
      }
    },
  );

  it.runIf(dialectName !== "mysql")("counts an INSTEAD OF trigger dropped with its view as gone", async () => {
    const insteadOf =
      dialectName === "postgres"
        ? "-- tidemark:unsafe trigger function for the test\n" +
          "CREATE FUNCTION people_v_ins() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO people (id, name) VALUES (NEW.id, NEW.name); RETURN NEW; END $$;\n" +
          "-- tidemark:unsafe an INSTEAD OF trigger for the view\n" +
          "CREATE TRIGGER people_v_ins INSTEAD OF INSERT ON people_v FOR EACH ROW EXECUTE FUNCTION people_v_ins();\n"
        : "-- tidemark:unsafe an INSTEAD OF trigger for the view\n" +
          "CREATE TRIGGER people_v_ins INSTEAD OF INSERT ON people_v BEGIN INSERT INTO people (id, name) VALUES (NEW.id, NEW.name); END;\n";
    const dir = makeProject({
      "migrations/001_people.sql": BASE,
      "migrations/002_view.sql": `-- +expand\nCREATE VIEW people_v AS SELECT id, name FROM people;\n${insteadOf}-- +migrate\n-- +contract\nDROP VIEW people_v;\n`,
    });
    expect((await cli(dir, "check")).code).toBe(0);
    expect((await cli(dir, "sync", "1")).code).toBe(0);
    expect((await cli(dir, "sync", "--expand")).code).toBe(0);
    expect(await triggerNames(database.url)).toEqual(["people_v_ins"]);
    expect((await cli(dir, "sync", "--migrate")).code).toBe(0);
    const run = await cli(dir, "sync", "--contract");
    expect(run.code, run.stderr).toBe(0);
    expect(await triggerNames(database.url)).toEqual([]);
  });

  it.runIf(dialectName === "postgres")("does not take a new partition's copy of its parent's trigger for expand's", async () => {
    const dir = makeProject({
      "migrations/001_events.sql":
        "-- +expand\nCREATE TABLE events (id INTEGER NOT NULL, note TEXT) PARTITION BY RANGE (id);\n" +
        "CREATE TABLE events_1 PARTITION OF events FOR VALUES FROM (0) TO (100);\n" +
        PG_FUNCTION +
        "-- tidemark:permanent-trigger events_keep\n" +
        createTrigger(dialectName, "events_keep", "events") +
        "-- +migrate\n-- +contract\n",
      "migrations/002_partition.sql":
        "-- +expand\n-- tidemark:unsafe a new partition of the test\n" +
        "CREATE TABLE events_2 PARTITION OF events FOR VALUES FROM (100) TO (200);\n-- +migrate\n-- +contract\n",
    });
    const run = await cli(dir, "sync");
    expect(run.code, run.stderr).toBe(0);
    expect(await triggerNames(database.url)).toEqual(["events_keep", "events_keep", "events_keep"]);
  });

  it.runIf(dialectName === "postgres")("sees a trigger an expand step created through a DO block", async () => {
    const expand =
      "-- +expand\nALTER TABLE people ADD COLUMN nick VARCHAR(20);\n" +
      PG_FUNCTION +
      "-- tidemark:unsafe creates its trigger through EXECUTE\n" +
      "DO $$ BEGIN EXECUTE 'CREATE TRIGGER dyn_tr BEFORE INSERT ON people FOR EACH ROW EXECUTE FUNCTION keep_row()'; END $$;\n";
    const dir = makeProject({
      "migrations/001_people.sql": BASE,
      "migrations/002_dyn.sql": `${expand}-- +migrate\n-- +contract\nALTER TABLE people DROP COLUMN nick;\n`,
    });
    await upToContract(dir);
    const before = await snapshot(database.url);
    const run = await cli(dir, "sync", "--contract");
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("dyn_tr on people");
    expect(run.stderr).toContain("DROP TRIGGER dyn_tr ON people");
    expect(await snapshot(database.url)).toEqual(before);

    // Dropped by the contract step, it is gone and the step commits.
    const fixed = makeProject({
      "migrations/001_people.sql": BASE,
      "migrations/002_dyn.sql": `${expand}-- +migrate\n-- +contract\nDROP TRIGGER dyn_tr ON people;\nALTER TABLE people DROP COLUMN nick;\n`,
    });
    const again = await runCli(["sync", "--contract", "--url", database.url], { cwd: fixed });
    expect(again.code, again.stderr).toBe(0);
    expect(await queryDatabase(database.url, "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")).toEqual([]);
  });
});
