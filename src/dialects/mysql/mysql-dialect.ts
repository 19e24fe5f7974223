/**
 * MySQL/MariaDB: DDL commits implicitly (steps are logged, not atomic), GET_LOCK (a lease row on a
 * Galera node, whose connections also read causally), DELIMITER for bodies.
 */
import type { Connection, Dialect } from "../dialect.js";
import { mysqlCompiler } from "./mysql-compiler.js";
import { connectMysqlNode, isGaleraConflict } from "./galera-session.js";
import { introspectMysql, mysqlTableExists } from "./mysql-introspector.js";
import { mysqlLiveTriggers } from "./mysql-live-triggers.js";
import { lockMysql } from "./mysql-lock.js";
import { cancelMysql, mysqlActivity } from "./mysql-driver.js";
import { checkTriggerPrivilege } from "./mysql-triggers.js";

export const mysqlDialect: Dialect = Object.freeze({
  name: "mysql",
  caps: {
    transactionalDdl: false,
    alterColumn: true,
    concurrentIndex: false,
    schemas: false,
    dedicatedLockConnection: true,
    multiTableUpdate: true,
    writableCte: false,
    clientDelimiter: true,
  },
  compiler: mysqlCompiler,
  transactions: {
    begin: "START TRANSACTION",
    commit: "COMMIT",
    rollback: "ROLLBACK",
    runSetup: [],
    runTeardown: [],
    // The mysql/mariadb client stops at the first error in batch mode.
    offlinePrelude: [],
  },
  driver: { connect: connectMysqlNode, isConflict: isGaleraConflict, cancel: cancelMysql, activity: mysqlActivity },
  introspector: {
    introspect: introspectMysql,
    tableExists: (connection: Connection, name: string) => mysqlTableExists(connection, name),
    checkTriggerPrivilege,
    liveTriggers: mysqlLiveTriggers,
    triggerNamesFoldCase: false,
    rowEstimate: (table: string) => {
      const dot = table.lastIndexOf(".");
      return {
        sql: `SELECT TABLE_ROWS AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ${dot < 0 ? "DATABASE()" : "?"} AND TABLE_NAME = ?`,
        params: dot < 0 ? [table] : [table.slice(0, dot), table.slice(dot + 1)],
      };
    },
  },
  lock: { acquire: lockMysql },
});
