/** SQLite: transactional DDL, no ALTER COLUMN (the compiler rebuilds tables), the file's write lock. */
import type { Connection, Dialect } from "../dialect.js";
import { sqliteCompiler } from "./sqlite-compiler.js";
import { connectSqlite } from "./sqlite-driver.js";
import { introspectSqlite, sqliteTableExists } from "./sqlite-introspector.js";
import { lockSqlite } from "./sqlite-lock.js";
import { DatabaseError } from "../../errors.js";

/** Foreign keys are off during a step; this is the check they would have made, before COMMIT. */
async function verifyForeignKeys(connection: Connection): Promise<void> {
  const rows = await connection.query("PRAGMA foreign_key_check");
  if (rows.length === 0) return;
  const shown = rows
    .slice(0, 5)
    .map((row) => `${String(row.table)} row ${String(row.rowid)} -> ${String(row.parent)}`)
    .join("; ");
  throw new DatabaseError(
    `FOREIGN KEY constraint failed: ${rows.length} row${rows.length === 1 ? "" : "s"} reference missing parents (${shown}).`,
    { fields: { violations: rows.length } },
  );
}

export const sqliteDialect: Dialect = Object.freeze({
  ...sqliteCompiler,
  caps: {
    transactionalDdl: true,
    alterColumn: false,
    concurrentIndex: false,
    schemas: false,
    dedicatedLockConnection: false,
    clientDelimiter: false,
  },
  // The sqlite3 shell goes on after an error unless told to bail.
  offlinePrelude: [".bail on"],
  stepSetup: [{ sql: "PRAGMA foreign_keys = OFF" }],
  stepTeardown: [{ sql: "PRAGMA foreign_keys = ON" }],
  verifyStep: verifyForeignKeys,
  // IMMEDIATE takes the write lock up front, so two runners queue instead of deadlocking.
  beginSql: "BEGIN IMMEDIATE",
  commitSql: "COMMIT",
  rollbackSql: "ROLLBACK",
  connect: connectSqlite,
  introspect: introspectSqlite,
  tableExists: (connection: Connection, name: string) => sqliteTableExists(connection, name),
  lock: lockSqlite,
});
