/**
 * The comparison against real databases, per dialect: a declared schema's
 * ops, run, leave nothing to compare; their inverses bring the old schema
 * back; a `.sql` schema is read through a scratch database that is gone
 * afterwards; introspection costs the same few queries whatever the size.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseDatabaseUrl } from "../../src/config/database-url.js";
import type { Connection, Dialect, DialectName } from "../../src/dialects/dialect.js";
import { loadDialect } from "../../src/dialects/registry.js";
import { diffSchemas, type SchemaDiffInputs } from "../../src/autogen/schema-diff.js";
import { downgradeOps, upgradeOps } from "../../src/autogen/change.js";
import { SchemaError } from "../../src/errors.js";
import { applyOps, countingConnection } from "../helpers/autogen.js";
import {
  connectAdmin,
  createTestDatabase,
  testDialects,
  withDatabase,
  PG_ADMIN_URL,
  MYSQL_ADMIN_URL,
  uniqueName,
  type TestDatabase,
} from "../helpers/databases.js";
import { makeProject, removeProjects } from "../helpers/project.js";

const dialects = await testDialects();
afterAll(removeProjects);

function shop(dialect: DialectName, version: 1 | 2): string {
  const partial = dialect === "mysql" ? "" : `, { columns: ["email"], where: "score > 0" }`;
  const customers1 = `
    customers: {
      columns: {
        id: { type: "integer", primaryKey: true, autoIncrement: true },
        email: { type: "varchar(255)", nullable: false },
        name: { type: "varchar(100)" },
        nickname: { type: "varchar(40)" },
        active: { type: "boolean", nullable: false, default: true },
        score: { type: "real" },
        balance: { type: "decimal(10,2)", nullable: false, default: 0 },
        born: { type: "date" },
        created_at: { type: "timestamp", default: sql("CURRENT_TIMESTAMP") },
        updated_at: { type: "timestamptz" },
        profile: { type: "json" },
        avatar: { type: "blob" },
        token: { type: "uuid" },
        visits: { type: "bigint", nullable: false, default: 0 },
        rank: { type: "smallint", default: -1 },
        ratio: { type: "double" },
        motto: { type: "varchar(20)", default: "it's" },
      },
      uniques: [{ columns: ["email"] }],
      indexes: [{ columns: ["name", "born"] }${partial}],
      checks: [{ expression: "balance >= 0" }],
    },`;
  const customers2 = `
    customers: {
      columns: {
        id: { type: "integer", primaryKey: true, autoIncrement: true },
        email: { type: "varchar(255)", nullable: false },
        full_name: { type: "varchar(120)", renamedFrom: "name" },
        handle: { type: "varchar(40)" },
        active: { type: "boolean", nullable: false, default: false },
        score: { type: "double" },
        balance: { type: "decimal(12,2)", nullable: false, default: 0 },
        born: { type: "date", nullable: false, default: "2000-01-01" },
        created_at: { type: "timestamp", default: sql("CURRENT_TIMESTAMP") },
        profile: { type: "json" },
        avatar: { type: "blob" },
        token: { type: "uuid" },
        visits: { type: "bigint", nullable: false, default: 0 },
        rank: { type: "smallint" },
        ratio: { type: "double" },
        motto: { type: "varchar(20)", default: "it's" },
        country: { type: "varchar(2)", nullable: false, default: "NL" },
      },
      uniques: [{ columns: ["email", "country"] }],
      indexes: [{ columns: ["full_name", "born"] }, { columns: ["country"], unique: true }],
      checks: [{ expression: "balance >= -100" }],
    },`;
  const orders = `
    orders: {
      columns: {
        customer_id: { type: "integer", nullable: false, references: { table: "customers", column: "id", onDelete: "${version === 1 ? "cascade" : "restrict"}" } },
        number: { type: "integer", nullable: false },
        note: { type: "varchar(100)", default: "none" },
      },
      primaryKey: ["customer_id", "number"],
      checks: [{ name: "ck_orders_number", expression: "number > 0" }],
    },`;
  const lines = `
    order_lines: {
      columns: {
        customer_id: { type: "integer", nullable: false },
        number: { type: "integer", nullable: false },
        line: { type: "integer", nullable: false },
        qty: { type: "integer", nullable: false, default: 1 },
      },
      primaryKey: ["customer_id", "number", "line"],
      foreignKeys: [{ columns: ["customer_id", "number"], refTable: "orders", refColumns: ["customer_id", "number"], onDelete: "cascade" }],
    },`;
  const tags = `
    tags: { columns: { id: { type: "integer", primaryKey: true }, label: { type: "varchar(30)", nullable: false } } },`;
  const view =
    version === 1
      ? "SELECT id, email FROM customers WHERE balance > 0"
      : "SELECT id, email, country FROM customers WHERE balance > 0";
  return [
    'import { defineSchema, sql } from "tidemark";',
    "export default defineSchema({",
    "  tables: {",
    version === 1 ? customers1 : customers2,
    orders,
    version === 1 ? lines : tags,
    "  },",
    `  views: { rich_customers: ${JSON.stringify(view)} },`,
    "});",
  ].join("\n");
}

describe.each(dialects)("%s", (name) => {
  let db: TestDatabase;
  let dialect: Dialect;
  let connection: Connection;
  let dir: string;

  beforeEach(async () => {
    db = await createTestDatabase(name);
    dialect = await loadDialect(name);
    connection = await dialect.driver.connect(parseDatabaseUrl(db.url));
    dir = makeProject({ "v1.ts": shop(name, 1), "v2.ts": shop(name, 2) });
  });
  afterEach(async () => {
    await connection.close();
    await db.drop();
  });

  const inputs = (schema: string, extra: Partial<SchemaDiffInputs> = {}): SchemaDiffInputs => ({
    dialect,
    url: parseDatabaseUrl(db.url),
    connection,
    schemaPath: join(dir, schema),
    tidemarkTables: ["tidemark_version", "tidemark_log"],
    otherSchemaPaths: [],
    ignoreTables: [],
    ...extra,
  });

  it("creates a rich schema that then compares equal, changes it, and its downgrade brings it back", async () => {
    const first = await diffSchemas(inputs("v1.ts"));
    expect(first.comparison.warnings).toEqual([]);
    await applyOps(dialect, connection, upgradeOps(first.comparison.changes));
    const again = await diffSchemas(inputs("v1.ts"));
    expect(upgradeOps(again.comparison.changes)).toEqual([]);
    expect(again.comparison.warnings).toEqual([]);

    await connection.execute(
      "INSERT INTO customers (email, name, nickname, balance, born) VALUES ('a@x', 'Ann', 'annie', 5, '1990-02-03')",
    );
    const second = await diffSchemas(inputs("v2.ts"));
    // On SQLite a timestamptz is text too, so dropping updated_at and adding country looks like a rename there as well.
    expect(second.comparison.warnings.map((w) => w.message)).toEqual([
      expect.stringContaining("looks like a rename of customers.nickname to customers.handle"),
      ...(name === "sqlite" ? [expect.stringContaining("looks like a rename of customers.updated_at to customers.country")] : []),
    ]);
    await applyOps(dialect, connection, upgradeOps(second.comparison.changes));
    expect(upgradeOps((await diffSchemas(inputs("v2.ts"))).comparison.changes)).toEqual([]);
    const [row] = await connection.query("SELECT full_name, country, born FROM customers");
    expect(row?.["full_name"]).toBe("Ann");
    expect(row?.["country"]).toBe("NL");

    await applyOps(dialect, connection, downgradeOps(second.comparison.changes));
    const back = await diffSchemas(inputs("v1.ts"));
    expect(upgradeOps(back.comparison.changes)).toEqual([]);
    expect(back.comparison.warnings).toEqual([]);
  });

  it("reads a .sql schema through a scratch database that is gone afterwards", async () => {
    const ddl = {
      sqlite:
        "CREATE TABLE t (id INTEGER PRIMARY KEY, label VARCHAR(20) NOT NULL DEFAULT 'x', d DATE);\nCREATE INDEX ix_t_label ON t (label);",
      postgres:
        "CREATE TABLE t (id serial PRIMARY KEY, label varchar(20) NOT NULL DEFAULT 'x', d date, j json);\nCREATE INDEX ix_t_label ON t (label);",
      mysql:
        "CREATE TABLE t (id int AUTO_INCREMENT PRIMARY KEY, label varchar(20) NOT NULL DEFAULT 'x', d date, body text, at timestamp NULL);\nCREATE INDEX ix_t_label ON t (label);",
    }[name];
    writeFileSync(join(dir, "schema.sql"), ddl);
    const before = await scratchObjects(name, connection);
    const diff = await diffSchemas(inputs("schema.sql"));
    expect(await scratchObjects(name, connection)).toEqual(before);
    await applyOps(dialect, connection, upgradeOps(diff.comparison.changes));
    expect(upgradeOps((await diffSchemas(inputs("schema.sql"))).comparison.changes)).toEqual([]);
  });

  it("names the file, line and statement of a .sql schema that fails, and drops the scratch objects", async () => {
    writeFileSync(
      join(dir, "bad.sql"),
      "CREATE TABLE a (id integer PRIMARY KEY);\n\nCREATE TABLE b (id integer REFERENCES nowhere_at_all (id), x nosuchtype);\n",
    );
    const before = await scratchObjects(name, connection);
    const error = await diffSchemas(inputs("bad.sql")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaError);
    if (name === "sqlite") {
      // SQLite accepts any type name and unresolved references: the schema is valid there.
      return;
    }
    expect((error as Error).message).toContain(
      `${join(dir, "bad.sql")}:3: this statement of the schema fails on the scratch ${name} database`,
    );
    expect((error as Error).message).toContain("CREATE TABLE b");
    expect(await scratchObjects(name, connection)).toEqual(before);
    expect((await dialect.introspector.introspect(connection)).tables).toEqual([]);
  });

  it("refuses a declared type the dialect cannot create", async () => {
    const type = { sqlite: "int[]", postgres: "tinyint", mysql: "jsonb" }[name];
    writeFileSync(
      join(dir, "typo.ts"),
      `export default { tables: { t: { columns: { id: { type: ${JSON.stringify(type)} } } } } };`,
    );
    await expect(diffSchemas(inputs("typo.ts"))).rejects.toThrow(
      `Column t.id declares type "${type}", which ${name} cannot create`,
    );
  });

  it.runIf(name === "mysql")("refuses a partial index on MySQL", async () => {
    writeFileSync(
      join(dir, "partial.ts"),
      'export default { tables: { t: { columns: { id: { type: "integer" } }, indexes: [{ columns: ["id"], where: "id > 0" }] } } };',
    );
    await expect(diffSchemas(inputs("partial.ts"))).rejects.toThrow(
      "Table t declares a partial index on (id) where id > 0, which MySQL and MariaDB cannot create",
    );
  });

  it("refuses a foreign key to a table the schema does not declare, unless ignoreTables covers it", async () => {
    writeFileSync(
      join(dir, "fk.ts"),
      'export default { tables: { t: { columns: { id: { type: "integer", references: { table: "legacy_users", column: "id" } } } } } };',
    );
    await expect(diffSchemas(inputs("fk.ts"))).rejects.toThrow(
      'Table t has a foreign key (id) to table "legacy_users", which the schema does not declare.',
    );
    await expect(diffSchemas(inputs("fk.ts", { ignoreTables: ["legacy_*"] }))).resolves.toBeDefined();
  });

  it("leaves tidemark's tables, other repositories' tables and ignored tables alone", async () => {
    for (const table of ["tidemark_version", "ext_things", "legacy_a", "mine"]) {
      await connection.execute(`CREATE TABLE ${table} (id integer)`);
    }
    writeFileSync(join(dir, "ext.ts"), 'export default { tables: { ext_things: { columns: { id: { type: "integer" } } } } };');
    writeFileSync(join(dir, "mine.ts"), 'export default { tables: { mine: { columns: { id: { type: "integer" } } } } };');
    const diff = await diffSchemas(inputs("mine.ts", { otherSchemaPaths: [join(dir, "ext.ts")], ignoreTables: ["legacy_?"] }));
    expect(diff.comparison.changes).toEqual([]);
    expect(diff.live.tables.map((t) => t.name)).toEqual(["mine"]);
  });

  it("introspects in the same few queries for 3 tables as for 40", async () => {
    const queriesFor = async (tables: number): Promise<number> => {
      for (let i = 0; i < tables; i += 1) {
        await connection.execute(
          `CREATE TABLE IF NOT EXISTS q${i} (id integer PRIMARY KEY, a integer, b varchar(10), CONSTRAINT uq_q${i} UNIQUE (b))`,
        );
        await connection.execute(`CREATE INDEX ${i === 0 ? "" : ""}ix_q${i}_a ON q${i} (a)`).catch(() => undefined);
      }
      const counting = countingConnection(connection);
      const model = await dialect.introspector.introspect(counting.connection);
      expect(model.tables.length).toBeGreaterThanOrEqual(tables);
      return counting.count();
    };
    const few = await queriesFor(3);
    expect(await queriesFor(40)).toBe(few);
    expect(few).toBeLessThanOrEqual(10);
  });
});

describe.each(dialects.filter((d) => d !== "sqlite"))("%s shadowUrl", (name) => {
  let target: TestDatabase;
  let shadow: TestDatabase;
  let dialect: Dialect;
  let dir: string;

  beforeEach(async () => {
    target = await createTestDatabase(name);
    shadow = await createTestDatabase(name);
    dialect = await loadDialect(name);
    dir = makeProject({ "schema.sql": "CREATE TABLE t (id integer PRIMARY KEY);\nCREATE VIEW v AS SELECT id FROM t;\n" });
  });
  afterEach(async () => {
    await target.drop();
    await shadow.drop();
  });

  const run = async (): Promise<unknown> => {
    const connection = await dialect.driver.connect(parseDatabaseUrl(target.url));
    try {
      return await diffSchemas({
        dialect,
        url: parseDatabaseUrl(target.url),
        connection,
        schemaPath: join(dir, "schema.sql"),
        shadowUrl: shadow.url,
        tidemarkTables: [],
        otherSchemaPaths: [],
        ignoreTables: [],
      });
    } finally {
      await connection.close();
    }
  };

  it("runs the schema there and leaves it empty", async () => {
    const diff = (await run()) as Awaited<ReturnType<typeof diffSchemas>>;
    expect(diff.declared.tables.map((t) => t.name)).toEqual(["t"]);
    const shadowConnection = await dialect.driver.connect(parseDatabaseUrl(shadow.url));
    try {
      expect(await dialect.introspector.introspect(shadowConnection)).toMatchObject({ tables: [], views: [] });
    } finally {
      await shadowConnection.close();
    }
  });

  it("refuses a shadow database that holds tables, and leaves them", async () => {
    const shadowConnection = await dialect.driver.connect(parseDatabaseUrl(shadow.url));
    try {
      await shadowConnection.execute("CREATE TABLE precious (id integer)");
      await expect(run()).rejects.toThrow(/shadowUrl .* is not empty \(it holds (public\.)?precious\)/);
      expect((await dialect.introspector.introspect(shadowConnection)).tables.map((t) => t.name)).toEqual(["precious"]);
    } finally {
      await shadowConnection.close();
    }
  });
});

/** Scratch schemas (PostgreSQL, in this database) or databases (MySQL, server-wide) that exist now. */
async function scratchObjects(name: DialectName, connection: Connection): Promise<string[]> {
  if (name === "sqlite") return [];
  const rows =
    name === "postgres"
      ? await connection.query("SELECT nspname AS n FROM pg_namespace WHERE nspname LIKE 'tidemark\\_scratch%'")
      : await connection.query(
          "SELECT SCHEMA_NAME AS n FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'tidemark\\_scratch%'",
        );
  return rows.map((row) => String(row["n"])).sort();
}

// Keep the helpers' unused exports referenced for the type checker.
void connectAdmin;
void withDatabase;
void PG_ADMIN_URL;
void MYSQL_ADMIN_URL;
void uniqueName;
