/** PostgreSQL: transactional DDL, schemas, CREATE INDEX CONCURRENTLY, session advisory locks. */
import type { Dialect } from "../dialect.js";
import { postgresCompiler } from "./postgres-compiler.js";
import { cancelPostgres, connectPostgres, postgresActivity } from "./postgres-driver.js";
import { introspectPostgres, postgresTableExists } from "./postgres-introspector.js";
import { postgresLiveTriggers, postgresRowTransaction } from "./postgres-live-triggers.js";
import { lockPostgres } from "./postgres-lock.js";

export const postgresDialect: Dialect = Object.freeze({
  name: "postgres",
  caps: {
    transactionalDdl: true,
    alterColumn: true,
    concurrentIndex: true,
    schemas: true,
    dedicatedLockConnection: true,
    multiTableUpdate: false,
    writableCte: true,
    clientDelimiter: false,
  },
  compiler: postgresCompiler,
  transactions: {
    begin: "BEGIN",
    commit: "COMMIT",
    rollback: "ROLLBACK",
    runSetup: [],
    runTeardown: [],
    // psql goes on after an error unless told to stop.
    offlinePrelude: ["\\set ON_ERROR_STOP on"],
    createSchema: (schema: string) => ({ sql: `CREATE SCHEMA IF NOT EXISTS ${postgresCompiler.quoteIdentifier(schema)}` }),
    useSchema: (schema: string) => ({ sql: `SET search_path TO ${postgresCompiler.quoteIdentifier(schema)}` }),
  },
  driver: { connect: connectPostgres, cancel: cancelPostgres, activity: postgresActivity },
  introspector: {
    introspect: introspectPostgres,
    tableExists: postgresTableExists,
    liveTriggers: postgresLiveTriggers,
    rowTransaction: postgresRowTransaction,
    triggerNamesFoldCase: false,
    rowEstimate: (_table: string, quoted: string) => ({
      sql: "SELECT reltuples::bigint AS n FROM pg_class WHERE oid = to_regclass(?)",
      params: [quoted],
    }),
  },
  lock: { acquire: lockPostgres },
});
