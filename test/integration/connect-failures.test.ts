/**
 * Connecting fails the same way on both servers: the message names the
 * server, the database and the user, never the password. The CONNECT table
 * holds what differs; each server's own cases (roles, users, passwords) are
 * in its labelled block.
 */
import { createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDatabaseUrl } from "../../src/config/database-url.js";
import type { ConnectOptions, Connection, DatabaseUrl } from "../../src/dialects/dialect.js";
import { connectMysql } from "../../src/dialects/mysql/mysql-driver.js";
import { connectPostgres } from "../../src/dialects/postgres/postgres-driver.js";
import { DatabaseError } from "../../src/errors.js";
import { connectAdmin, testDialects, uniqueName, withDatabase } from "../helpers/databases.js";
import { rejection } from "../helpers/failures.js";

const servers = (await testDialects()).filter((name) => name !== "sqlite");

const SECRET = "Sup3r-Secret-pw";

type Failure = (raw: string, timeoutSeconds?: number) => Promise<{ error: Error; ms: number }>;

interface Endpoint {
  readonly url: string;
  readonly database: string;
  readonly user: string;
}

interface ConnectCase {
  readonly connect: (url: DatabaseUrl, options?: ConnectOptions) => Promise<Connection>;
  /** How the messages name the server. */
  readonly label: string;
  /** URLs of a database that does not exist, and what connecting to each says. */
  readonly unknownDatabase: { url: string; message: string | RegExp; fields?: Record<string, unknown> }[];
  readonly closedPort: Endpoint;
  readonly silent: (port: number) => Endpoint;
  readonly only: (failure: Failure) => void;
}

const CONNECT: Record<"postgres" | "mysql", ConnectCase> = {
  postgres: {
    connect: connectPostgres,
    label: "PostgreSQL",
    unknownDatabase: [
      {
        url: withDatabase(`postgres://postgres:${SECRET}@127.0.0.1:5432/x`, "tm_no_such_db"),
        message:
          'Cannot connect to PostgreSQL at 127.0.0.1:5432 (database "tm_no_such_db", user "postgres"): ' +
          'database "tm_no_such_db" does not exist',
        fields: { code: "3D000", endpoint: "127.0.0.1:5432" },
      },
    ],
    closedPort: { url: `postgresql+psycopg2://postgres:${SECRET}@127.0.0.1:1/postgres`, database: "postgres", user: "postgres" },
    silent: (port) => ({
      url: `postgres://postgres:${SECRET}@127.0.0.1:${port}/postgres`,
      database: "postgres",
      user: "postgres",
    }),
    only: postgresOnly,
  },
  mysql: {
    connect: connectMysql,
    label: "MySQL/MariaDB",
    unknownDatabase: [
      {
        // With a password root does not have, the server may answer either way.
        url: `mysql://root:${SECRET}@127.0.0.1:3306/tm_no_such_db`,
        message:
          /^Cannot connect to MySQL\/MariaDB at 127\.0\.0\.1:3306 \(database "tm_no_such_db", user "root"\): (Unknown database 'tm_no_such_db'|Access denied .*)$/,
      },
      {
        url: "mysql://root@127.0.0.1:3306/tm_no_such_db",
        message: `Cannot connect to MySQL/MariaDB at 127.0.0.1:3306 (database "tm_no_such_db", user "root"): Unknown database 'tm_no_such_db'`,
      },
    ],
    closedPort: { url: `mariadb://root:${SECRET}@127.0.0.1:1/x`, database: "x", user: "root" },
    silent: (port) => ({ url: `mysql://root:${SECRET}@127.0.0.1:${port}/x`, database: "x", user: "root" }),
    only: mysqlOnly,
  },
};

/** The secret must be nowhere: message, stack, cause chain, fields. */
function expectNoSecret(error: Error): void {
  let current: unknown = error;
  while (current instanceof Error) {
    expect(current.message).not.toContain(SECRET);
    expect(String(current.stack)).not.toContain(SECRET);
    expect(JSON.stringify(current)).not.toContain(SECRET);
    current = current.cause;
  }
  expect(JSON.stringify((error as DatabaseError).fields)).not.toContain(SECRET);
}

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe.each(servers)("connecting to %s: failures name the server and never the password", (name) => {
  const server = CONNECT[name];
  let silentServer: Server;
  let silentPort = 0;

  beforeAll(async () => {
    silentServer = createServer(() => undefined);
    await new Promise<void>((resolve) => silentServer.listen(0, "127.0.0.1", resolve));
    silentPort = (silentServer.address() as { port: number }).port;
  });
  afterAll(() => {
    silentServer?.close();
  });

  const failure: Failure = async (raw, timeoutSeconds) => {
    const started = Date.now();
    const options = timeoutSeconds === undefined ? {} : { connectTimeoutSeconds: timeoutSeconds };
    const error = await rejection(server.connect(parseDatabaseUrl(raw), options));
    return { error, ms: Date.now() - started };
  };

  it("an unknown database", async () => {
    for (const expected of server.unknownDatabase) {
      const { error, ms } = await failure(expected.url);
      expect(error).toBeInstanceOf(DatabaseError);
      if (typeof expected.message === "string") expect(error.message).toBe(expected.message);
      else expect(error.message).toMatch(expected.message);
      expect((error as DatabaseError).fields).toMatchObject(expected.fields ?? {});
      expect(ms).toBeLessThan(10_000);
      expectNoSecret(error);
    }
  });

  it("a closed port", async () => {
    const { url, database, user } = server.closedPort;
    const { error, ms } = await failure(url);
    expect(error).toBeInstanceOf(DatabaseError);
    expect(error.message).toBe(
      `Cannot connect to ${server.label} at 127.0.0.1:1 (database "${database}", user "${user}"): connect ECONNREFUSED 127.0.0.1:1`,
    );
    expect(ms).toBeLessThan(10_000);
    expectNoSecret(error);
  });

  it("a server that never answers, within the connect timeout", async () => {
    const { url, database, user } = server.silent(silentPort);
    const { error, ms } = await failure(url, 1);
    expect(error).toBeInstanceOf(DatabaseError);
    expect(error.message).toMatch(
      new RegExp(
        `^${escaped(`Cannot connect to ${server.label} at 127.0.0.1:${silentPort} (database "${database}", user "${user}"): no answer within 1 s (`)}`,
      ),
    );
    expect(ms).toBeGreaterThanOrEqual(900);
    expect(ms).toBeLessThan(3_000);
    expectNoSecret(error);
  });

  describe(`${name} only`, () => server.only(failure));
});

function postgresOnly(failure: Failure): void {
  let role: string;
  let passwordsChecked = false;

  beforeAll(async () => {
    role = uniqueName("tm_role");
    const admin = await connectAdmin("postgres");
    try {
      await admin.execute(`CREATE ROLE "${role}" LOGIN PASSWORD '${SECRET}x'`);
      const rules = await admin.query<{ m: string }>(
        "SELECT auth_method AS m FROM pg_hba_file_rules WHERE type = 'host' AND address IS NOT NULL",
      );
      passwordsChecked = rules.some((rule) => rule.m !== "trust");
    } finally {
      await admin.close();
    }
  });
  afterAll(async () => {
    const admin = await connectAdmin("postgres");
    await admin.execute(`DROP ROLE IF EXISTS "${role}"`);
    await admin.close();
  });

  it("an unknown role that gave a password", async () => {
    const { error } = await failure(`postgres://tm_no_such_role:${SECRET}@127.0.0.1:5432/postgres`);
    expect(error).toBeInstanceOf(DatabaseError);
    expect(error.message).toMatch(
      /^Cannot connect to PostgreSQL at 127\.0\.0\.1:5432 \(database "postgres", user "tm_no_such_role"\): (role "tm_no_such_role" does not exist|password authentication failed for user "tm_no_such_role")$/,
    );
    expectNoSecret(error);
  });

  it("a wrong password (when pg_hba asks for one)", async (context) => {
    if (!passwordsChecked) {
      context.skip("pg_hba.conf trusts 127.0.0.1: the server ignores passwords");
    }
    const { error } = await failure(`postgres://${role}:${encodeURIComponent(SECRET)}@127.0.0.1:5432/postgres`);
    expect(error).toBeInstanceOf(DatabaseError);
    expect(error.message).toContain(`password authentication failed for user "${role}"`);
    expectNoSecret(error);
  });
}

function mysqlOnly(failure: Failure): void {
  let user: string;

  beforeAll(async () => {
    user = uniqueName("tm_u").slice(0, 32);
    const admin = await connectAdmin("mysql");
    try {
      for (const host of ["127.0.0.1", "localhost"]) {
        await admin.execute(`CREATE USER '${user}'@'${host}' IDENTIFIED BY '${SECRET}-right'`);
      }
    } finally {
      await admin.close();
    }
  });
  afterAll(async () => {
    const admin = await connectAdmin("mysql");
    for (const host of ["127.0.0.1", "localhost"]) await admin.execute(`DROP USER IF EXISTS '${user}'@'${host}'`);
    await admin.close();
  });

  it("a wrong password", async () => {
    const { error, ms } = await failure(`mysql+pymysql://${user}:${SECRET}@127.0.0.1:3306/mysql`);
    expect(error).toBeInstanceOf(DatabaseError);
    expect(error.message).toBe(
      `Cannot connect to MySQL/MariaDB at 127.0.0.1:3306 (database "mysql", user "${user}"): ` +
        `Access denied for user '${user}'@'127.0.0.1' (using password: YES)`,
    );
    expect((error as DatabaseError).fields).toMatchObject({ code: "ER_ACCESS_DENIED_ERROR", endpoint: "127.0.0.1:3306" });
    expect(ms).toBeLessThan(10_000);
    expectNoSecret(error);
  });

  it("the right password works (so the failure above was the password)", async () => {
    const ok = await connectMysql(parseDatabaseUrl(`mysql://${user}:${SECRET}-right@127.0.0.1:3306`));
    expect(await ok.query("SELECT CURRENT_USER() AS u")).toEqual([{ u: `${user}@127.0.0.1` }]);
    await ok.close();
  });
}
