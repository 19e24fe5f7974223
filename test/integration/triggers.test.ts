/**
 * The rolling-upgrade triggers on real databases: an old-release writer and
 * a new-release writer share one table while syncColumns keeps both shapes
 * filled; forbidWrites stops every write; dropSync/allowWrites leave no
 * trigger (or PostgreSQL function) behind. SQLite always; PostgreSQL and
 * MariaDB when their servers answer (always in CI).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDatabaseUrl } from "../../src/config/database-url.js";
import type { CompileContext, Connection, Dialect, DialectName, Row } from "../../src/dialects/dialect.js";
import { mysqlDialect } from "../../src/dialects/mysql/mysql-dialect.js";
import { checkTriggerPrivilege } from "../../src/dialects/mysql/mysql-triggers.js";
import { postgresDialect } from "../../src/dialects/postgres/postgres-dialect.js";
import { sqliteDialect } from "../../src/dialects/sqlite/sqlite-dialect.js";
import type { ColumnDef, Op } from "../../src/ops/op.js";
import { TidemarkError } from "../../src/errors.js";
import {
  connectAdmin,
  createTestDatabase,
  MYSQL_ADMIN_URL,
  testDialects,
  uniqueName,
  type TestDatabase,
} from "../helpers/databases.js";

const DIALECTS: Readonly<Record<DialectName, Dialect>> = {
  sqlite: sqliteDialect,
  postgres: postgresDialect,
  mysql: mysqlDialect,
};

/** name → first_name + last_name (first word / the rest) and back, per dialect. */
const SPLIT: Readonly<Record<DialectName, { first: string; last: string; name: string }>> = {
  sqlite: {
    first: "substr(NEW.name, 1, instr(NEW.name, ' ') - 1)",
    last: "substr(NEW.name, instr(NEW.name, ' ') + 1)",
    name: "NEW.first_name || ' ' || NEW.last_name",
  },
  postgres: {
    first: "split_part(NEW.name, ' ', 1)",
    last: "substr(NEW.name, strpos(NEW.name, ' ') + 1)",
    name: "concat_ws(' ', NEW.first_name, NEW.last_name)",
  },
  mysql: {
    first: "SUBSTRING_INDEX(NEW.name, ' ', 1)",
    last: "SUBSTRING(NEW.name, LOCATE(' ', NEW.name) + 1)",
    name: "CONCAT_WS(' ', NEW.first_name, NEW.last_name)",
  },
};

const TRIGGERS_SQL: Readonly<Record<DialectName, string>> = {
  sqlite: "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? ORDER BY name",
  postgres:
    "SELECT t.tgname AS name FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid " +
    "WHERE NOT t.tgisinternal AND c.relname = ? ORDER BY 1",
  mysql:
    "SELECT TRIGGER_NAME AS name FROM information_schema.TRIGGERS " +
    "WHERE TRIGGER_SCHEMA = DATABASE() AND EVENT_OBJECT_TABLE = ? ORDER BY 1",
};

const text = (name: string, nullable = true): ColumnDef => ({ name, type: "varchar(100)", nullable });
const ID: ColumnDef = { name: "id", type: "integer", primaryKey: true, autoIncrement: true };

const dialects = await testDialects();

describe.each(dialects)("rolling-upgrade triggers on %s", (name) => {
  const dialect = DIALECTS[name];
  // PostgreSQL: qualified names, as a project with a configured schema compiles them.
  const context: CompileContext = name === "postgres" ? { schema: "public" } : {};
  let database: TestDatabase;
  let connection: Connection;

  beforeAll(async () => {
    database = await createTestDatabase(name);
    connection = await dialect.driver.connect(parseDatabaseUrl(database.url));
  });
  afterAll(async () => {
    await connection?.close();
    await database?.drop();
  });

  async function apply(...ops: Op[]): Promise<void> {
    for (const op of ops) {
      for (const statement of dialect.compiler.compile(op, context))
        await connection.execute(statement.sql, statement.params ?? []);
    }
  }
  const createTable = (table: string, ...columns: ColumnDef[]): Promise<void> =>
    apply({ kind: "createTable", table, columns: [ID, ...columns] });
  const run = (sql: string, params: readonly unknown[] = []): Promise<unknown> => connection.execute(sql, params);
  const select = (sql: string): Promise<Row[]> => connection.query(sql);
  const triggers = async (table: string): Promise<string[]> =>
    (await connection.query(TRIGGERS_SQL[name], [table])).map((row) => String(row["name"]));
  const functions = async (): Promise<string[]> =>
    name !== "postgres"
      ? []
      : (await connection.query("SELECT proname FROM pg_proc WHERE proname LIKE 'tidemark%' ORDER BY 1")).map((r) =>
          String(r["proname"]),
        );

  it("rename (name → full_name): each release's writes fill the other release's column", async () => {
    await createTable("rename_t", text("name"), text("full_name"), text("email"));
    await apply({
      kind: "syncColumns",
      table: "rename_t",
      name: "rename_t_name",
      from: ["name"],
      to: ["full_name"],
      forward: { full_name: "NEW.name" },
      backward: { name: "NEW.full_name" },
    });
    expect(await triggers("rename_t")).toEqual(["tidemark_sync_rename_t_name_ins", "tidemark_sync_rename_t_name_upd"]);

    await run("INSERT INTO rename_t (name, email) VALUES (?, ?)", ["Ada", "ada@x"]); // old release
    await run("INSERT INTO rename_t (full_name, email) VALUES (?, ?)", ["Grace", "grace@x"]); // new release
    await run("INSERT INTO rename_t (name, full_name) VALUES (?, ?)", ["Both", "Written"]); // knows both: kept
    expect(await select("SELECT name, full_name FROM rename_t ORDER BY id")).toEqual([
      { name: "Ada", full_name: "Ada" },
      { name: "Grace", full_name: "Grace" },
      { name: "Both", full_name: "Written" },
    ]);

    await run("UPDATE rename_t SET name = ? WHERE id = 1", ["Ada L."]); // old release
    await run("UPDATE rename_t SET full_name = ? WHERE id = 2", ["Grace H."]); // new release
    await run("UPDATE rename_t SET email = ? WHERE id = 3", ["both@x"]); // neither side: untouched
    await run("UPDATE rename_t SET name = NULL WHERE id = 1");
    expect(await select("SELECT name, full_name, email FROM rename_t ORDER BY id")).toEqual([
      { name: null, full_name: null, email: "ada@x" },
      { name: "Grace H.", full_name: "Grace H.", email: "grace@x" },
      { name: "Both", full_name: "Written", email: "both@x" },
    ]);
  });

  it("split (name → first_name + last_name, backward = concatenation)", async () => {
    await createTable("split_t", text("name"), text("first_name"), text("last_name"));
    const split = SPLIT[name];
    await apply({
      kind: "syncColumns",
      table: "split_t",
      name: "split_t_name",
      from: ["name"],
      to: ["first_name", "last_name"],
      forward: { first_name: split.first, last_name: split.last },
      backward: { name: split.name },
    });

    await run("INSERT INTO split_t (name) VALUES (?)", ["Ada Lovelace"]);
    await run("INSERT INTO split_t (first_name, last_name) VALUES (?, ?)", ["Grace", "Hopper"]);
    await run("UPDATE split_t SET name = ? WHERE id = 1", ["Ada Byron"]);
    await run("UPDATE split_t SET last_name = ? WHERE id = 2", ["Brewster"]);
    expect(await select("SELECT name, first_name, last_name FROM split_t ORDER BY id")).toEqual([
      { name: "Ada Byron", first_name: "Ada", last_name: "Byron" },
      { name: "Grace Brewster", first_name: "Grace", last_name: "Brewster" },
    ]);
  });

  it("a pair that does not round-trip (code → upper(code)) keeps what each writer wrote; new columns win a conflict", async () => {
    await createTable("fold_t", text("code"), text("code_upper"));
    await apply({
      kind: "syncColumns",
      table: "fold_t",
      name: "fold_t_code",
      from: ["code"],
      to: ["code_upper"],
      forward: { code_upper: "upper(NEW.code)" },
      backward: { code: "lower(NEW.code_upper)" },
    });
    await run("INSERT INTO fold_t (code) VALUES ('AbC')");
    await run("INSERT INTO fold_t (code_upper) VALUES ('XY')");
    await run("INSERT INTO fold_t (code) VALUES ('Mm')");
    await run("INSERT INTO fold_t (code) VALUES ('n')");
    await run("UPDATE fold_t SET code = 'dEf' WHERE id = 1"); // old writer
    await run("UPDATE fold_t SET code_upper = 'QQ' WHERE id = 2"); // new writer
    await run("UPDATE fold_t SET code = 'zz', code_upper = 'WW' WHERE id = 3"); // inconsistent: the new side wins
    await run("UPDATE fold_t SET code = 'Kk', code_upper = 'KK' WHERE id = 4"); // consistent: kept as written
    expect(await select("SELECT code, code_upper FROM fold_t ORDER BY id")).toEqual([
      { code: "dEf", code_upper: "DEF" },
      { code: "qq", code_upper: "QQ" },
      { code: "ww", code_upper: "WW" },
      { code: "Kk", code_upper: "KK" },
    ]);
  });

  it.runIf(name === "sqlite")(
    "SQLite: the same results with recursive_triggers on (the conditions stop the recursion)",
    async () => {
      await run("PRAGMA recursive_triggers = ON");
      try {
        await createTable("rec_t", text("code"), text("code_upper"));
        await apply({
          kind: "syncColumns",
          table: "rec_t",
          name: "rec_t_code",
          from: ["code"],
          to: ["code_upper"],
          forward: { code_upper: "upper(NEW.code)" },
          backward: { code: "lower(NEW.code_upper)" },
        });
        await run("INSERT INTO rec_t (code) VALUES ('AbC')");
        await run("INSERT INTO rec_t (code_upper) VALUES ('XY')");
        await run("UPDATE rec_t SET code = 'dEf' WHERE id = 1");
        await run("UPDATE rec_t SET code_upper = 'QQ' WHERE id = 2");
        expect(await select("SELECT code, code_upper FROM rec_t ORDER BY id")).toEqual([
          { code: "dEf", code_upper: "DEF" },
          { code: "qq", code_upper: "QQ" },
        ]);
      } finally {
        await run("PRAGMA recursive_triggers = OFF");
      }
    },
  );

  it(
    name === "sqlite"
      ? "SQLite: a NOT NULL old column refuses a new writer's row (AFTER triggers fix up too late; documented)"
      : "a NOT NULL old column is filled by the BEFORE trigger for a new writer",
    async () => {
      await createTable("strict_t", text("name", false), text("full_name"));
      await apply({
        kind: "syncColumns",
        table: "strict_t",
        name: "strict_t_name",
        from: ["name"],
        to: ["full_name"],
        forward: { full_name: "NEW.name" },
        backward: { name: "NEW.full_name" },
      });
      const insert = run("INSERT INTO strict_t (full_name) VALUES ('Ada')");
      if (name === "sqlite") {
        await expect(insert).rejects.toThrow(/NOT NULL constraint failed: strict_t\.name/);
        return;
      }
      await insert;
      expect(await select("SELECT name, full_name FROM strict_t")).toEqual([{ name: "Ada", full_name: "Ada" }]);
    },
  );

  it("dropSync removes every trigger (and the PostgreSQL function); writes are no longer synced", async () => {
    await createTable("drop_t", text("name"), text("full_name"));
    const sync: Op = {
      kind: "syncColumns",
      table: "drop_t",
      name: "drop_t_name",
      from: ["name"],
      to: ["full_name"],
      forward: { full_name: "NEW.name" },
      backward: { name: "NEW.full_name" },
    };
    await apply(sync);
    expect(await triggers("drop_t")).toHaveLength(2);
    if (name === "postgres") expect(await functions()).toContain("tidemark_sync_drop_t_name_fn");

    await apply({ kind: "dropSync", table: "drop_t", name: "drop_t_name" });
    expect(await triggers("drop_t")).toEqual([]);
    expect(await functions()).not.toContain("tidemark_sync_drop_t_name_fn");
    await run("INSERT INTO drop_t (name) VALUES ('Ada')");
    expect(await select("SELECT name, full_name FROM drop_t")).toEqual([{ name: "Ada", full_name: null }]);
    // IF EXISTS: a contract step that runs again (or after a manual cleanup) does not fail.
    await apply({ kind: "dropSync", table: "drop_t", name: "drop_t_name" });
    // Dropped means gone: the same sync can be created again.
    await apply(sync);
    expect(await triggers("drop_t")).toHaveLength(2);
  });

  it("forbidWrites rejects INSERT, UPDATE and DELETE with the message; allowWrites removes every trigger", async () => {
    await createTable("frozen_t", text("name"));
    await run("INSERT INTO frozen_t (name) VALUES ('Ada')");
    await apply({ kind: "forbidWrites", table: "frozen_t" });
    expect(await triggers("frozen_t")).toEqual([
      "tidemark_forbid_frozen_t_del",
      "tidemark_forbid_frozen_t_ins",
      "tidemark_forbid_frozen_t_upd",
    ]);

    const message = /writes to frozen_t are forbidden during a rolling upgrade \(tidemark\)/;
    await expect(run("INSERT INTO frozen_t (name) VALUES ('Grace')")).rejects.toThrow(message);
    await expect(run("UPDATE frozen_t SET name = 'Grace'")).rejects.toThrow(message);
    await expect(run("DELETE FROM frozen_t")).rejects.toThrow(message);
    expect(await select("SELECT name FROM frozen_t")).toEqual([{ name: "Ada" }]);

    await apply({ kind: "allowWrites", table: "frozen_t" });
    expect(await triggers("frozen_t")).toEqual([]);
    expect(await functions()).not.toContain("tidemark_forbid_frozen_t_fn");
    await run("UPDATE frozen_t SET name = 'Grace'");
    await run("DELETE FROM frozen_t");
    expect(await select("SELECT name FROM frozen_t")).toEqual([]);
  });

  it("forbidWrites raises a script's own message verbatim (quotes, %, backslash)", async () => {
    await createTable("custom_t", text("name"));
    const custom = "orders are frozen: it's 100% read-only \\ see runbook";
    await apply({ kind: "forbidWrites", table: "custom_t", message: custom });
    let caught: unknown;
    try {
      await run("INSERT INTO custom_t (name) VALUES ('x')");
    } catch (error) {
      caught = error;
    }
    expect((caught as Error).message).toContain(custom);
    await apply({ kind: "allowWrites", table: "custom_t" });
    await run("INSERT INTO custom_t (name) VALUES ('x')");
    expect(await triggers("custom_t")).toEqual([]);
  });
});

describe.runIf(dialects.includes("mysql"))("MySQL/MariaDB: checkTriggerPrivilege on a real server", () => {
  let database: TestDatabase;
  let admin: Connection;
  const user = uniqueName("tm_trg").slice(0, 32);
  const password = "trigger-pw";

  beforeAll(async () => {
    database = await createTestDatabase("mysql");
    admin = await connectAdmin("mysql");
    await admin.execute(`CREATE USER '${user}'@'%' IDENTIFIED BY '${password}'`);
    await admin.execute(`GRANT SELECT, INSERT, CREATE ON \`${database.name}\`.* TO '${user}'@'%'`);
  });
  afterAll(async () => {
    await admin?.execute(`DROP USER IF EXISTS '${user}'@'%'`);
    await admin?.close();
    await database?.drop();
  });

  async function asUser<T>(body: (connection: Connection) => Promise<T>): Promise<T> {
    const url = new URL(MYSQL_ADMIN_URL);
    url.username = user;
    url.password = password;
    url.pathname = `/${database.name}`;
    const connection = await mysqlDialect.driver.connect(parseDatabaseUrl(url.toString()));
    try {
      return await body(connection);
    } finally {
      await connection.close();
    }
  }

  it("passes for an account with ALL PRIVILEGES", async () => {
    const connection = await mysqlDialect.driver.connect(parseDatabaseUrl(database.url));
    try {
      await expect(checkTriggerPrivilege(connection)).resolves.toBeUndefined();
    } finally {
      await connection.close();
    }
  });

  it("names the missing TRIGGER privilege and the GRANT that fixes it, then passes once granted", async () => {
    const error = await asUser((connection) =>
      checkTriggerPrivilege(connection).then(
        () => undefined,
        (e: unknown) => e,
      ),
    );
    expect(error).toBeInstanceOf(TidemarkError);
    expect((error as TidemarkError).code).toBe("trigger-privilege");
    expect((error as TidemarkError).exitCode).toBe(1);
    expect((error as Error).message).toContain(`'${user}'@'%' has no TRIGGER privilege on database \`${database.name}\``);
    expect((error as Error).message).toContain(`GRANT TRIGGER ON \`${database.name}\`.* TO '${user}'@'%'`);
    // The check is right: without the privilege the server refuses the trigger.
    await asUser(async (connection) => {
      await connection.execute("CREATE TABLE priv_t (id integer PRIMARY KEY, name varchar(10))");
      const statements = mysqlDialect.compiler.compile({ kind: "forbidWrites", table: "priv_t" }, {});
      await expect(connection.execute(statements[0]!.sql)).rejects.toThrow(/TRIGGER command denied|denied/i);
    });

    await admin.execute(`GRANT TRIGGER ON \`${database.name}\`.* TO '${user}'@'%'`);
    await asUser(async (connection) => {
      await expect(checkTriggerPrivilege(connection)).resolves.toBeUndefined();
      for (const statement of mysqlDialect.compiler.compile({ kind: "forbidWrites", table: "priv_t" }, {})) {
        await connection.execute(statement.sql);
      }
      await expect(connection.execute("INSERT INTO priv_t VALUES (1, 'x')")).rejects.toThrow(
        /forbidden during a rolling upgrade/,
      );
    });
  });
});
