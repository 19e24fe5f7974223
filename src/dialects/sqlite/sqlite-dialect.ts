/** SQLite: transactional DDL, no ALTER COLUMN (the compiler rebuilds tables), the file's write lock. */
import type { Connection, Dialect } from "../dialect.js";
import { sqliteCompiler } from "./sqlite-compiler.js";
import { connectSqlite } from "./sqlite-driver.js";
import { introspectSqlite, sqliteTableExists } from "./sqlite-introspector.js";
import { sqliteLiveTriggers } from "./sqlite-live-triggers.js";
import { lockSqlite } from "./sqlite-lock.js";
import { DatabaseError } from "../../errors.js";

/** Foreign-key enforcement is off during a run; this is the check it would have made, before each step commits. */
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
  name: "sqlite",
  caps: {
    transactionalDdl: true,
    alterColumn: false,
    concurrentIndex: false,
    schemas: false,
    dedicatedLockConnection: false,
    multiTableUpdate: false,
    writableCte: false,
    clientDelimiter: false,
  },
  compiler: sqliteCompiler,
  transactions: {
    // IMMEDIATE takes the write lock up front, so two runners queue instead of deadlocking.
    begin: "BEGIN IMMEDIATE",
    commit: "COMMIT",
    rollback: "ROLLBACK",
    runSetup: [{ sql: "PRAGMA foreign_keys = OFF" }],
    runTeardown: [{ sql: "PRAGMA foreign_keys = ON" }],
    // A named CHECK fails the sqlite3 shell's script (with .bail on) when a foreign key is broken.
    verifyStep: [
      {
        sql: 'CREATE TEMP TABLE "tidemark_fk_check" ("ok" INTEGER CONSTRAINT "tidemark_foreign_key_violation" CHECK ("ok" = 1))',
      },
      { sql: 'INSERT INTO "tidemark_fk_check" ("ok") SELECT (SELECT COUNT(*) FROM pragma_foreign_key_check) = 0' },
      { sql: 'DROP TABLE "tidemark_fk_check"' },
    ],
    // The sqlite3 shell goes on after an error unless told to bail.
    offlinePrelude: [".bail on"],
  },
  driver: { connect: connectSqlite },
  introspector: {
    introspect: introspectSqlite,
    tableExists: (connection: Connection, name: string) => sqliteTableExists(connection, name),
    verifyStep: verifyForeignKeys,
    liveTriggers: sqliteLiveTriggers,
    triggerNamesFoldCase: true,
    // No row-count catalog without ANALYZE: the rowid range is two b-tree look-ups.
    rowEstimate: (_table: string, quoted: string) => ({ sql: `SELECT MAX(rowid) - MIN(rowid) + 1 AS n FROM ${quoted}` }),
  },
  lock: { acquire: lockSqlite },
});
