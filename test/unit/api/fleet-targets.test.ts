/**
 * A fleet's targets from its three sources: stable names without passwords,
 * relative SQLite paths from the listing file's folder, duplicates and bad
 * entries reported in place (the others still usable), catalog rows as URLs
 * or schema names, and a failing catalog query as one unusable entry.
 */
import Database from "better-sqlite3";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { FleetTargetEntry, ResolvedFleet } from "../../../src/config/fleet-types.js";
import { resolveFleetTargets, type FleetEntry } from "../../../src/api/fleet-targets.js";
import { makeProject, removeProjects } from "../../helpers/project.js";

afterAll(removeProjects);

function summary(entries: readonly FleetEntry[]): unknown[] {
  return entries.map((entry) =>
    entry.kind === "target"
      ? { name: entry.target.name, where: entry.target.where, url: entry.target.url, schema: entry.target.schema }
      : { unusable: entry.info.name, where: entry.info.where, code: entry.error.code, message: entry.error.message },
  );
}

const urls = (entries: readonly FleetTargetEntry[], dir: string): ResolvedFleet => ({
  name: "f",
  declaredIn: "tidemark.config.json",
  source: { kind: "urls", entries, dir },
});

describe("fleet targets", () => {
  it("names a target by its URL without the password, or by the name given, and adds #schema", async () => {
    const entries = await resolveFleetTargets(
      urls(
        [
          "postgres://app:s3cr3t-pw@db1:5432/tenant_a",
          "mysql://root:${DB_PW}@db2/tenant_b?password=other-secret&charset=utf8mb4",
          { url: "postgres://app:s3cr3t-pw@db1/shared", schema: "tenant_c" },
          { url: "postgres://app@db1/shared", schema: "tenant_d", name: "acme" },
        ],
        "/srv",
      ),
      { DB_PW: "from-env-pw" },
    );
    expect(summary(entries)).toEqual([
      {
        name: "postgres://app@db1:5432/tenant_a",
        where: "urls[0]",
        url: "postgres://app:s3cr3t-pw@db1:5432/tenant_a",
        schema: undefined,
      },
      {
        name: "mysql://root@db2/tenant_b?charset=utf8mb4",
        where: "urls[1]",
        url: "mysql://root:from-env-pw@db2/tenant_b?password=other-secret&charset=utf8mb4",
        schema: undefined,
      },
      {
        name: "postgres://app@db1/shared#tenant_c",
        where: "urls[2]",
        url: "postgres://app:s3cr3t-pw@db1/shared",
        schema: "tenant_c",
      },
      { name: "acme", where: "urls[3]", url: "postgres://app@db1/shared", schema: "tenant_d" },
    ]);
  });

  it("reports duplicates, unset variables and unparseable URLs in place, without quoting a password", async () => {
    const entries = await resolveFleetTargets(
      urls(
        [
          "sqlite:a.db",
          "sqlite:///a.db",
          "postgres://u:pw1@h/db",
          "postgres://other:pw2@h:5432/db",
          "postgres://u:${MISSING}@h/db2",
          "postgres://u:hunter2-secret@h:99999/db3",
          { url: "sqlite:b.db", name: "acme" },
          { url: "sqlite:c.db", name: "acme" },
        ],
        "/srv",
      ),
      {},
    );
    // Names and messages are shown; the URL to connect to is not.
    const text = JSON.stringify(summary(entries).map((entry) => ({ ...(entry as object), url: undefined })));
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("pw1");
    expect(summary(entries)).toEqual([
      { name: "sqlite:a.db", where: "urls[0]", url: "sqlite:/srv/a.db", schema: undefined },
      {
        unusable: "sqlite:///a.db",
        where: "urls[1]",
        code: "usage",
        message: "urls[1] lists the same database as urls[0] (sqlite:a.db); each target is run once.",
      },
      { name: "postgres://u@h/db", where: "urls[2]", url: "postgres://u:pw1@h/db", schema: undefined },
      // Port 5432 is not the same text as no port: two spellings of one server are not guessed equal.
      { name: "postgres://other@h:5432/db", where: "urls[3]", url: "postgres://other:pw2@h:5432/db", schema: undefined },
      { unusable: "urls[4]", where: "urls[4]", code: "config", message: "urls[4]: ${MISSING} is not set in the environment." },
      {
        unusable: "urls[5]",
        where: "urls[5]",
        code: "config",
        message:
          "urls[5]: The postgres: database URL has an invalid port (expected 1-65535). Percent-encode special characters in the user name and password.",
      },
      { name: "acme", where: "urls[6]", url: "sqlite:/srv/b.db", schema: undefined },
      {
        unusable: "acme",
        where: "urls[7]",
        code: "usage",
        message: "urls[7] lists the same name as urls[6] (acme); each target is run once.",
      },
    ]);
  });

  it("reads a fleet file: relative SQLite paths from its folder, bad lines in place", async () => {
    const dir = makeProject({
      "fleet/dbs.txt": "# two tenants\nsqlite:t1.db\n\nsqlite:t2.db name=second # the second\npostgres://h/db bogus\n",
    });
    const file = join(dir, "fleet/dbs.txt");
    const entries = await resolveFleetTargets({ name: "f", declaredIn: "c", source: { kind: "file", file } }, {});
    expect(summary(entries)).toEqual([
      { name: "sqlite:t1.db", where: `${file}:2`, url: `sqlite:${join(dir, "fleet/t1.db")}`, schema: undefined },
      { name: "second", where: `${file}:4`, url: `sqlite:${join(dir, "fleet/t2.db")}`, schema: undefined },
      {
        unusable: `${file}:5`,
        where: `${file}:5`,
        code: "config",
        message: `${file}:5: expected \`URL [schema=NAME] [name=NAME]\`, but the text after the URL is not schema=… or name=… (write a space inside a password as %20)`,
      },
    ]);
  });

  it("refuses a missing fleet file as a configuration error", async () => {
    const dir = makeProject();
    await expect(
      resolveFleetTargets({ name: "f", declaredIn: "c", source: { kind: "file", file: join(dir, "nope.txt") } }, {}),
    ).rejects.toMatchObject({
      code: "config",
      message: `The file of fleet "f" (declared in c), ${join(dir, "nope.txt")}, does not exist.`,
    });
  });

  it("takes a catalog's rows as URLs, schema names (of the catalog database), or url/schema/name columns", async () => {
    const dir = makeProject();
    const catalog = new Database(join(dir, "catalog.db"));
    catalog.exec(
      "CREATE TABLE tenants (id INTEGER, url TEXT); INSERT INTO tenants VALUES (1, 'sqlite:t1.db'), (2, NULL), (3, 'sqlite:t3.db');" +
        "CREATE TABLE shards (u TEXT, s TEXT, n TEXT); INSERT INTO shards VALUES ('postgres://a:pw@h/x', 'tenant_1', 'one');",
    );
    catalog.close();
    const fleet = (sql: string): ResolvedFleet => ({
      name: "f",
      declaredIn: "c",
      source: { kind: "catalog", url: "sqlite:catalog.db", sql, dir },
    });
    expect(summary(await resolveFleetTargets(fleet("SELECT url FROM tenants ORDER BY id"), {}))).toEqual([
      { name: "sqlite:t1.db", where: "catalog row 1", url: `sqlite:${join(dir, "t1.db")}`, schema: undefined },
      {
        unusable: "catalog row 2",
        where: "catalog row 2",
        code: "config",
        message: "catalog row 2: the row has no URL or schema name (a NULL or empty value)",
      },
      { name: "sqlite:t3.db", where: "catalog row 3", url: `sqlite:${join(dir, "t3.db")}`, schema: undefined },
    ]);
    expect(summary(await resolveFleetTargets(fleet("SELECT 'tenant_9' AS tenant"), {}))).toEqual([
      {
        name: `sqlite:${join(dir, "catalog.db")}#tenant_9`,
        where: "catalog row 1",
        url: `sqlite:${join(dir, "catalog.db")}`,
        schema: "tenant_9",
      },
    ]);
    expect(summary(await resolveFleetTargets(fleet("SELECT u AS url, s AS schema, n AS name FROM shards"), {}))).toEqual([
      { name: "one", where: "catalog row 1", url: "postgres://a:pw@h/x", schema: "tenant_1" },
    ]);
  });

  it("reports a failing catalog query as one unusable entry", async () => {
    const dir = makeProject();
    new Database(join(dir, "catalog.db")).close();
    const entries = await resolveFleetTargets(
      {
        name: "f",
        declaredIn: "c",
        source: { kind: "catalog", url: "sqlite:catalog.db", sql: "SELECT url FROM missing_table", dir },
      },
      {},
    );
    expect(summary(entries)).toEqual([
      {
        unusable: "catalog sqlite:catalog.db",
        where: "catalog",
        code: "database",
        message: 'The catalog query of fleet "f" failed, so its targets are unknown: no such table: missing_table',
      },
    ]);
  });
});
