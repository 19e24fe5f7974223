/**
 * MySQL/MariaDB: DDL commits implicitly (steps are logged, not atomic), GET_LOCK (a lease row on a
 * Galera node, whose connections also read causally), DELIMITER for bodies.
 */
import type { Connection, Dialect } from "../dialect.js";
import { mysqlCompiler } from "./mysql-compiler.js";
import { connectMysqlNode, isGaleraConflict } from "./galera-session.js";
import { introspectMysql, mysqlTableExists } from "./mysql-introspector.js";
import { lockMysql } from "./mysql-lock.js";
import { checkTriggerPrivilege } from "./mysql-triggers.js";

export const mysqlDialect: Dialect = Object.freeze({
  ...mysqlCompiler,
  caps: {
    transactionalDdl: false,
    alterColumn: true,
    concurrentIndex: false,
    schemas: false,
    dedicatedLockConnection: true,
    clientDelimiter: true,
  },
  // The mysql/mariadb client stops at the first error in batch mode.
  offlinePrelude: [],
  stepSetup: [],
  stepTeardown: [],
  beginSql: "START TRANSACTION",
  commitSql: "COMMIT",
  rollbackSql: "ROLLBACK",
  connect: connectMysqlNode,
  introspect: introspectMysql,
  tableExists: (connection: Connection, name: string) => mysqlTableExists(connection, name),
  lock: lockMysql,
  checkTriggerPrivilege,
  isConflict: isGaleraConflict,
});
