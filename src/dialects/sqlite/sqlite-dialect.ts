/** SQLite: transactional DDL, no ALTER COLUMN (the compiler rebuilds tables), the file's write lock. */
import type { Connection, Dialect } from "../dialect.js";
import { sqliteCompiler } from "./sqlite-compiler.js";
import { connectSqlite } from "./sqlite-driver.js";
import { introspectSqlite, sqliteTableExists } from "./sqlite-introspector.js";
import { lockSqlite } from "./sqlite-lock.js";

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
  // IMMEDIATE takes the write lock up front, so two runners queue instead of deadlocking.
  beginSql: "BEGIN IMMEDIATE",
  commitSql: "COMMIT",
  rollbackSql: "ROLLBACK",
  connect: connectSqlite,
  introspect: introspectSqlite,
  tableExists: (connection: Connection, name: string) => sqliteTableExists(connection, name),
  lock: lockSqlite,
});
