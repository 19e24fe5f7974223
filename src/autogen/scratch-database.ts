/**
 * Where a `.sql` schema is turned into a SchemaModel: the desired-state DDL
 * runs on a scratch database, the dialect's own introspector reads it back,
 * and the scratch objects are always dropped, also after an error.
 *
 * - SQLite: a database in memory.
 * - PostgreSQL: a new schema inside one transaction that is rolled back, on
 *   the target database or on `shadowUrl` — nothing is ever committed, so
 *   not even a crash leaves it behind.
 * - MySQL/MariaDB (DDL commits at once): a new database on the target's
 *   server, dropped afterwards; or `shadowUrl`, emptied afterwards.
 * A `shadowUrl` that holds tables is refused: emptying it would destroy them.
 */
import type { Connection, DatabaseUrl, Dialect } from "../dialects/dialect.js";
import type { SchemaModel } from "../dialects/schema-model.js";
import { parseDatabaseUrl } from "../config/database-url.js";
import { messageOf } from "../errors.js";
import type { SqlStatement } from "../sql/splitter.js";
import { randomBytes } from "../util/lazy-crypto.js";
import { SchemaError } from "../errors.js";

export interface ScratchDatabase {
  /** Runs a file's statements; a failure is a SchemaError naming the file, line and statement. */
  run(statements: readonly SqlStatement[], file: string): Promise<void>;
  introspect(): Promise<SchemaModel>;
  /** Drops everything the scratch run made. Safe to call twice. */
  dispose(): Promise<void>;
}

export interface ScratchOptions {
  readonly dialect: Dialect;
  /** The target database's URL (its server hosts the scratch objects). */
  readonly url: DatabaseUrl;
  readonly shadowUrl?: string;
}

export async function openScratch(options: ScratchOptions): Promise<ScratchDatabase> {
  const { dialect } = options;
  if (dialect.name === "sqlite") {
    const connection = await dialect.driver.connect(parseDatabaseUrl("sqlite::memory:"));
    return scratch(dialect, connection, {}, () => connection.close());
  }
  const shadow = options.shadowUrl === undefined ? undefined : parseDatabaseUrl(options.shadowUrl);
  if (shadow !== undefined && shadow.dialect !== dialect.name) {
    throw new SchemaError(
      `shadowUrl ${shadow.redacted} is a ${shadow.dialect} database, but the target is ${dialect.name}; the scratch database must be of the target's kind.`,
    );
  }
  const connection = await dialect.driver.connect(shadow ?? options.url, { connectTimeoutSeconds: 10 });
  try {
    if (shadow !== undefined) await refuseNonEmpty(connection, dialect, shadow);
    return dialect.name === "postgres"
      ? await postgresScratch(dialect, connection)
      : await mysqlScratch(dialect, connection, shadow !== undefined);
  } catch (error) {
    await connection.close().catch(() => undefined);
    throw error;
  }
}

function scratchName(): string {
  return `tidemark_scratch_${randomBytes(6).toString("hex")}`;
}

async function refuseNonEmpty(connection: Connection, dialect: Dialect, shadow: DatabaseUrl): Promise<void> {
  const rows = await connection.query<{ name: string }>(
    dialect.name === "postgres"
      ? "SELECT table_schema || '.' || table_name AS name FROM information_schema.tables " +
          "WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND table_schema NOT LIKE 'pg\\_%' ORDER BY 1 LIMIT 5"
      : "SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY 1 LIMIT 5",
  );
  if (rows.length === 0) return;
  throw new SchemaError(
    `shadowUrl ${shadow.redacted} is not empty (it holds ${rows.map((row) => String(row.name)).join(", ")}${rows.length === 5 ? ", …" : ""}); ` +
      "tidemark runs the .sql schema there and then removes everything it finds, so it refuses a database that holds tables. Point shadowUrl at an empty database.",
    { fields: { shadowUrl: shadow.redacted } },
  );
}

async function postgresScratch(dialect: Dialect, connection: Connection): Promise<ScratchDatabase> {
  const schema = scratchName();
  const [row] = await connection.query<{ s: string | null }>("SELECT current_schema() AS s");
  const fallback = row?.s ?? "public";
  await connection.execute("BEGIN");
  try {
    await connection.execute(`CREATE SCHEMA ${dialect.compiler.quoteIdentifier(schema)}`);
    // Unqualified names land in the scratch schema; types and functions of the usual schema stay visible.
    await connection.execute(
      `SET LOCAL search_path TO ${dialect.compiler.quoteIdentifier(schema)}, ${dialect.compiler.quoteIdentifier(fallback)}`,
    );
  } catch (error) {
    await connection.execute("ROLLBACK").catch(() => undefined);
    throw error;
  }
  return scratch(dialect, connection, { schema }, async () => {
    try {
      await connection.execute("ROLLBACK");
    } finally {
      await connection.close();
    }
  });
}

async function mysqlScratch(dialect: Dialect, connection: Connection, shadow: boolean): Promise<ScratchDatabase> {
  if (shadow) {
    return scratch(dialect, connection, {}, async () => {
      try {
        await emptyMysqlDatabase(connection, dialect);
      } finally {
        await connection.close();
      }
    });
  }
  const database = scratchName();
  await connection.execute(`CREATE DATABASE ${dialect.compiler.quoteIdentifier(database)} CHARACTER SET utf8mb4`);
  const drop = async (): Promise<void> => {
    try {
      await connection.execute(`DROP DATABASE IF EXISTS ${dialect.compiler.quoteIdentifier(database)}`);
    } finally {
      await connection.close();
    }
  };
  try {
    await connection.execute(`USE ${dialect.compiler.quoteIdentifier(database)}`);
  } catch (error) {
    await drop();
    throw error;
  }
  return scratch(dialect, connection, {}, drop);
}

async function emptyMysqlDatabase(connection: Connection, dialect: Dialect): Promise<void> {
  const objects = await connection.query<{ name: string; kind: string }>(
    "SELECT TABLE_NAME AS name, TABLE_TYPE AS kind FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()",
  );
  await connection.execute("SET FOREIGN_KEY_CHECKS = 0");
  try {
    for (const object of objects) {
      const kind = String(object.kind) === "VIEW" ? "VIEW" : "TABLE";
      await connection.execute(`DROP ${kind} IF EXISTS ${dialect.compiler.quoteIdentifier(String(object.name))}`);
    }
  } finally {
    await connection.execute("SET FOREIGN_KEY_CHECKS = 1");
  }
}

function scratch(
  dialect: Dialect,
  connection: Connection,
  options: { readonly schema?: string },
  close: () => Promise<void>,
): ScratchDatabase {
  let disposed = false;
  return {
    async run(statements, file) {
      for (const statement of statements) {
        try {
          await connection.execute(statement.sql);
        } catch (error) {
          const text = statement.sql.trim();
          const shown = text.length > 200 ? `${text.slice(0, 200)}…` : text;
          throw new SchemaError(
            `${file}:${statement.line}: this statement of the schema fails on the scratch ${dialect.name} database: ${messageOf(error)}\n  ${shown.replace(/\n/g, "\n  ")}`,
            { cause: error, fields: { file, line: statement.line } },
          );
        }
      }
    },
    introspect() {
      return dialect.introspector.introspect(connection, {
        ...(options.schema === undefined ? {} : { schema: options.schema }),
        exclude: [],
      });
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      await close();
    },
  };
}
