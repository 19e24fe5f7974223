/**
 * Issue 18's proof: `upgrade --fleet` over 20 SQLite files, 20 PostgreSQL
 * databases, 10 PostgreSQL schemas (from a catalog query) and 10 MariaDB
 * databases, each fleet with one target broken on purpose. The others end
 * at head; the broken one is reported and left as it was; after the fix, a
 * rerun does only that one. Each run loads each script once, whatever the
 * number of targets, and never prints a password.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { connectAdmin, MYSQL_ADMIN_URL, PG_ADMIN_URL, testDialects, uniqueName, withDatabase } from "../helpers/databases.js";
import { makeProject, numberedSql, removeProjects, writeFiles } from "../helpers/project.js";
import { queryDatabase } from "../helpers/query.js";

const dialects = await testDialects();
afterAll(removeProjects);

const HEAD = "6";
const TABLES = ["t1", "t2", "t3", "t4", "t5", "t6"];

interface TargetJson {
  readonly name: string;
  readonly status: string;
  readonly steps?: number;
  readonly error?: { readonly code: string; readonly message: string };
}
interface FleetJson {
  readonly ok: boolean;
  readonly summary: { readonly targets: number; readonly succeeded: number; readonly failed: number };
  readonly targets: readonly TargetJson[];
}

/** Five SQL scripts and one module whose import appends a line to $TM_LOAD_LOG: how many times a run loaded it. */
function project(fleets: Record<string, unknown>): string {
  const files: Record<string, string> = {
    "tidemark.config.json": JSON.stringify({ repositories: { core: { path: "migrations" } }, fleets }),
    "migrations/006_six.mjs": [
      'import { appendFileSync } from "node:fs";',
      'appendFileSync(process.env.TM_LOAD_LOG, "loaded\\n");',
      'export async function upgrade(op) { await op.createTable("t6", { id: { type: "integer" } }); }',
      'export async function downgrade(op) { await op.dropTable("t6"); }',
      "",
    ].join("\n"),
  };
  for (let n = 1; n <= 5; n++)
    files[`migrations/00${n}_t${n}.sql`] = numberedSql(`CREATE TABLE t${n} (id INTEGER);`, `DROP TABLE t${n};`);
  return makeProject(files);
}

async function fleet(dir: string, args: readonly string[], env: Record<string, string> = {}) {
  const log = join(dir, "loads.log");
  const result = await runCli(["--json", ...args], { cwd: dir, env: { TM_LOAD_LOG: log, ...env } });
  const document = JSON.parse(result.stdout) as FleetJson;
  return { ...result, document, loads: existsSync(log) ? readFileSync(log, "utf8").split("\n").filter(Boolean).length : 0 };
}

function byStatus(document: FleetJson): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const target of document.targets) (out[target.status] ??= []).push(target.name);
  return out;
}

/** Per target, the steps a run did: the rerun after the fix must touch the repaired target only. */
function stepsByTarget(document: FleetJson): Record<string, number | undefined> {
  return Object.fromEntries(document.targets.map((target) => [target.name, target.steps]));
}

async function versionOf(url: string, schema?: string): Promise<string[]> {
  const table = schema === undefined ? "tidemark_version" : `${schema}.tidemark_version`;
  return (await queryDatabase(url, `SELECT version FROM ${table}`)).map((row) => String(row.version));
}

const pad = (n: number) => String(n).padStart(2, "0");

describe("a fleet of 20 SQLite files, one of them not a database", () => {
  it("upgrades the 19, reports the broken one unchanged, and the rerun after the fix does only that one", async () => {
    const dir = project({ tenants: { file: "fleet/dbs.txt" } });
    const lines = ["# twenty tenants"];
    for (let n = 1; n <= 20; n++) lines.push(`sqlite:db/${pad(n)}.db name=tenant-${pad(n)}`);
    writeFiles(dir, {
      "fleet/dbs.txt": `${lines.join("\n")}\n`,
      "fleet/db/07.db": "this is not a database, it is plain text\n".repeat(3),
    });
    const broken = join(dir, "fleet/db/07.db");
    const garbage = readFileSync(broken);

    const first = await fleet(dir, ["upgrade", "--fleet", "tenants"]);
    expect(first.code, first.stderr).toBe(1);
    expect(first.document.summary).toEqual({ targets: 20, succeeded: 19, failed: 1, notStarted: 0 });
    expect(byStatus(first.document).failed).toEqual(["tenant-07"]);
    expect(first.document.targets[6]?.error?.message).toBe("file is not a database");
    expect(readFileSync(broken)).toEqual(garbage);
    for (let n = 1; n <= 20; n++) {
      if (n === 7) continue;
      expect(await versionOf(`sqlite:${join(dir, `fleet/db/${pad(n)}.db`)}`)).toEqual([HEAD]);
    }
    expect(first.loads).toBe(1);

    rmSync(broken);
    const rerun = await fleet(dir, ["upgrade", "--fleet", "tenants"]);
    expect(rerun.code, rerun.stderr).toBe(0);
    const expected = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`tenant-${pad(i + 1)}`, i === 6 ? 6 : 0]));
    expect(stepsByTarget(rerun.document)).toEqual(expected);
    expect(await versionOf(`sqlite:${broken}`)).toEqual([HEAD]);
    expect(rerun.loads).toBe(2);

    const table = await runCli(["current", "--fleet", "tenants"], { cwd: dir });
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout.split("\n")[0]).toMatch(/^TARGET +CURRENT +TIME +STATUS$/);
    expect(table.stdout).toMatch(/\ntenant-07 +6 +\d+ ms +ok\n/);
    expect(table.stdout).toMatch(/fleet tenants: 20 targets, 20 succeeded, 0 failed in [\d.]+ m?s\n$/);
  });
});

describe.runIf(dialects.includes("postgres"))("PostgreSQL fleets", () => {
  it("20 databases, one whose role may not log in: 19 at head, the password never shown, the rerun does only the fixed one", async () => {
    const role = uniqueName("tm_fleet_role");
    const names = Array.from({ length: 20 }, (_, i) => uniqueName(`tm_fleet_${pad(i + 1)}`));
    const admin = await connectAdmin("postgres");
    const password = "pg-Secret-Pw-4242";
    try {
      await admin.execute(`CREATE ROLE ${role} NOLOGIN PASSWORD '${password}'`);
      for (const [i, name] of names.entries())
        await admin.execute(`CREATE DATABASE "${name}"${i === 12 ? ` OWNER ${role}` : ""}`);
      const urls = names.map((name, i) =>
        i === 12
          ? { url: withDatabase(PG_ADMIN_URL, name).replace("postgres@", `${role}:${password}@`), name: "tenant-13" }
          : { url: withDatabase(PG_ADMIN_URL, name), name: `tenant-${pad(i + 1)}` },
      );
      const dir = project({ tenants: { urls } });

      const first = await fleet(dir, ["upgrade", "--fleet", "tenants", "--concurrency", "4"]);
      expect(first.code, first.stderr).toBe(1);
      expect(byStatus(first.document).failed).toEqual(["tenant-13"]);
      expect(first.document.targets[12]?.error?.message).toContain(`role "${role}" is not permitted to log in`);
      for (const output of [first.stdout, first.stderr]) expect(output).not.toContain(password);
      const text = await runCli(["upgrade", "--fleet", "tenants"], { cwd: dir, env: { TM_LOAD_LOG: join(dir, "loads.log") } });
      expect(text.stdout).toMatch(/\ntenant-13 +\d+ ms +FAILED +Cannot connect to PostgreSQL .* is not permitted to log in\n/);
      for (const output of [text.stdout, text.stderr]) expect(output).not.toContain(password);
      for (const [i, name] of names.entries()) {
        if (i === 12) continue;
        expect(await versionOf(withDatabase(PG_ADMIN_URL, name))).toEqual([HEAD]);
      }
      const untouched = await queryDatabase(
        withDatabase(PG_ADMIN_URL, names[12] as string),
        "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'",
      );
      expect(untouched).toEqual([{ n: 0 }]);
      expect(first.loads).toBe(1);

      await admin.execute(`ALTER ROLE ${role} LOGIN`);
      const rerun = await fleet(dir, ["upgrade", "--fleet", "tenants"]);
      expect(rerun.code, rerun.stderr).toBe(0);
      const steps = stepsByTarget(rerun.document);
      expect(Object.entries(steps).filter(([, n]) => n !== 0)).toEqual([["tenant-13", 6]]);
      expect(await versionOf(withDatabase(PG_ADMIN_URL, names[12] as string))).toEqual([HEAD]);
    } finally {
      for (const name of names) {
        await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ?", [name]);
        await admin.execute(`DROP DATABASE IF EXISTS "${name}"`);
      }
      await admin.execute(`DROP ROLE IF EXISTS ${role}`);
      await admin.close();
    }
  });

  it("10 schemas of one database from a catalog query, one ahead of the scripts", async () => {
    const database = uniqueName("tm_fleet_schemas");
    const admin = await connectAdmin("postgres");
    const url = withDatabase(PG_ADMIN_URL, database);
    try {
      await admin.execute(`CREATE DATABASE "${database}"`);
      const schemas = Array.from({ length: 10 }, (_, i) => `tenant_${pad(i + 1)}`);
      await queryDatabase(url, "CREATE TABLE tenants (id integer PRIMARY KEY, schema_name text NOT NULL)");
      await queryDatabase(url, `INSERT INTO tenants VALUES ${schemas.map((s, i) => `(${i + 1}, '${s}')`).join(", ")}`);
      const dir = project({ tenants: { catalog: { url, sql: "SELECT schema_name FROM tenants ORDER BY id" } } });
      // tenant_04 records a revision no script declares (a newer release ran there).
      const setup = await runCli(["upgrade", "1", "--url", url, "--schema", "tenant_04"], { cwd: dir });
      expect(setup.code, setup.stderr).toBe(0);
      await queryDatabase(url, "UPDATE tenant_04.tidemark_version SET version = '99'");

      const first = await fleet(dir, ["upgrade", "--fleet", "tenants"]);
      expect(first.code, first.stderr).toBe(1);
      const broken = `${url}#tenant_04`;
      expect(byStatus(first.document).failed).toEqual([broken]);
      expect(first.document.targets[3]?.error?.message).toContain("The database records revision 99 for repository core");
      for (const schema of schemas) {
        expect(await versionOf(url, schema)).toEqual(schema === "tenant_04" ? ["99"] : [HEAD]);
      }
      const tables = await queryDatabase(
        url,
        "SELECT table_schema AS s, count(*)::int AS n FROM information_schema.tables WHERE table_name ~ '^t[0-9]$' GROUP BY 1 ORDER BY 1",
      );
      expect(tables).toEqual(schemas.map((s) => ({ s, n: s === "tenant_04" ? 1 : TABLES.length })));

      await queryDatabase(url, "UPDATE tenant_04.tidemark_version SET version = '1'");
      const rerun = await fleet(dir, ["upgrade", "--fleet", "tenants"]);
      expect(rerun.code, rerun.stderr).toBe(0);
      expect(Object.entries(stepsByTarget(rerun.document)).filter(([, n]) => n !== 0)).toEqual([[broken, 5]]);
      expect(await versionOf(url, "tenant_04")).toEqual([HEAD]);
      expect(rerun.loads).toBe(2);
    } finally {
      await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ?", [database]);
      await admin.execute(`DROP DATABASE IF EXISTS "${database}"`);
      await admin.close();
    }
  });
});

describe.runIf(dialects.includes("mysql"))("a MariaDB fleet", () => {
  it("10 databases, one with a wrong password from ${ENV}: 9 at head, the password never shown, fixed by the environment", async () => {
    const user = uniqueName("tm_fu").slice(0, 32);
    const names = Array.from({ length: 10 }, (_, i) => uniqueName(`tm_fleet_${pad(i + 1)}`));
    const admin = await connectAdmin("mysql");
    const right = "Maria-Right-Pw-1";
    const wrong = "Maria-Wrong-Pw-2";
    try {
      for (const name of names) await admin.execute(`CREATE DATABASE \`${name}\``);
      await admin.execute(`CREATE USER '${user}'@'%' IDENTIFIED BY '${right}'`);
      await admin.execute(`GRANT ALL ON \`${names[4]}\`.* TO '${user}'@'%'`);
      const urls = names.map((name, i) =>
        i === 4
          ? withDatabase(MYSQL_ADMIN_URL, name).replace("root@", `${user}:\${TM_MARIA_PW}@`)
          : withDatabase(MYSQL_ADMIN_URL, name),
      );
      const dir = project({ tenants: { urls } });
      const brokenName = withDatabase(MYSQL_ADMIN_URL, names[4] as string).replace("root@", `${user}@`);

      const first = await fleet(dir, ["upgrade", "--fleet", "tenants"], { TM_MARIA_PW: wrong });
      expect(first.code, first.stderr).toBe(1);
      expect(byStatus(first.document).failed).toEqual([brokenName]);
      expect(first.document.targets[4]?.error?.message).toContain("Access denied");
      for (const output of [first.stdout, first.stderr]) {
        expect(output).not.toContain(wrong);
        expect(output).not.toContain(right);
      }
      for (const [i, name] of names.entries()) {
        if (i === 4) continue;
        expect(await versionOf(withDatabase(MYSQL_ADMIN_URL, name))).toEqual([HEAD]);
      }
      const untouched = await admin.query("SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = ?", [
        names[4],
      ]);
      expect(Number(untouched[0]?.n)).toBe(0);
      expect(first.loads).toBe(1);

      const rerun = await fleet(dir, ["upgrade", "--fleet", "tenants"], { TM_MARIA_PW: right });
      expect(rerun.code, rerun.stderr).toBe(0);
      expect(Object.entries(stepsByTarget(rerun.document)).filter(([, n]) => n !== 0)).toEqual([[brokenName, 6]]);
      for (const output of [rerun.stdout, rerun.stderr]) expect(output).not.toContain(right);
      expect(await versionOf(withDatabase(MYSQL_ADMIN_URL, names[4] as string))).toEqual([HEAD]);
    } finally {
      for (const name of names) await admin.execute(`DROP DATABASE IF EXISTS \`${name}\``);
      await admin.execute(`DROP USER IF EXISTS '${user}'@'%'`);
      await admin.close();
    }
  });
});
