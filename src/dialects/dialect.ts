/**
 * The one interface every database speaks through. Code outside
 * `src/dialects/` asks capability flags, never `dialect.name === …`.
 */
import type { Op } from "../ops/op.js";
import type { IntrospectOptions, SchemaModel, TableModel } from "./schema-model.js";

import type { DatabaseUrl, DialectName, Row } from "../vocabulary.js";

export type { DatabaseUrl, DialectName, Row };

export interface ExecResult {
  /** Rows changed by an INSERT/UPDATE/DELETE, when the driver reports it. */
  readonly affectedRows: number;
}

/** A live connection. Parameters use `?` placeholders on every dialect. */
export interface Connection {
  readonly dialect: DialectName;
  query<R extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  execute(sql: string, params?: readonly unknown[]): Promise<ExecResult>;
  /**
   * One of tidemark's own version/log writes (`Statement.bookkeeping`). Where a
   * server can refuse a write for a conflict with another node (Galera), it is
   * run again when it ran on its own, outside a transaction.
   */
  executeBookkeeping?(sql: string, params?: readonly unknown[]): Promise<ExecResult>;
  close(): Promise<void>;
}

export interface Statement {
  readonly sql: string;
  /** Values for `?` placeholders in `sql`. Offline rendering inlines them as literals. */
  readonly params?: readonly unknown[];
  /**
   * The statement cannot run inside a transaction block
   * (e.g. `CREATE INDEX CONCURRENTLY`).
   */
  readonly nonTransactional?: boolean;
  /** tidemark's own version/log row write, never a user's statement: may be retried after a conflict. */
  readonly bookkeeping?: boolean;
}

export interface DialectCaps {
  /** DDL runs inside transactions and rolls back (PostgreSQL, SQLite; not MySQL). */
  readonly transactionalDdl: boolean;
  /** ALTER TABLE can change a column's type, nullability and default in place (not SQLite). */
  readonly alterColumn: boolean;
  /** `CREATE INDEX CONCURRENTLY`. */
  readonly concurrentIndex: boolean;
  /** Named schemas inside a database (PostgreSQL). */
  readonly schemas: boolean;
  /** The migration lock lives on its own connection (session-level server locks, not SQLite's file lock). */
  readonly dedicatedLockConnection: boolean;
  /** Offline scripts need `DELIMITER` around compound statements (the mysql client). */
  readonly clientDelimiter: boolean;
}

export interface CompileContext {
  /**
   * The current shape of `op.table`, when `needsTableModel(op)` said so
   * (SQLite's table rebuild). Online it is introspected, offline tracked.
   */
  readonly table?: TableModel;
  /** PostgreSQL schema to qualify names with; undefined means unqualified. */
  readonly schema?: string;
}

export interface ConnectOptions {
  /** Seconds to wait for a connection before giving up. */
  readonly connectTimeoutSeconds?: number;
  /** SQLite: refuse to create a database file that does not exist yet. */
  readonly mustExist?: boolean;
  /** SQLite busy timeout / lock wait. */
  readonly lockTimeoutMs?: number;
}

export type ReleaseLock = () => Promise<void>;

export interface Dialect {
  readonly name: DialectName;
  readonly caps: DialectCaps;

  quoteIdentifier(name: string): string;
  /** A qualified table name: `"schema"."table"` on PostgreSQL when a schema is set. */
  quoteTable(name: string, schema?: string): string;
  /** A SQL literal for offline rendering and defaults. */
  literal(value: unknown): string;
  /** Portable type names → this dialect; anything else passes through as written. */
  mapType(type: string): string;

  /** Does compiling this op need the table's current shape (SQLite rebuild)? */
  needsTableModel(op: Op): boolean;
  /** One op may become many statements. Pure: no I/O. */
  compile(op: Op, context: CompileContext): Statement[];

  /** Client directives that make the dialect's own client stop at the first error (offline scripts). */
  readonly offlinePrelude: readonly string[];

  /**
   * Statements before a step's transaction and after it ends. SQLite turns
   * foreign keys off around a step: a table rebuild drops and re-creates the
   * table, which with foreign keys on would cascade into the child rows.
   */
  readonly stepSetup: readonly Statement[];
  readonly stepTeardown: readonly Statement[];
  /** Online, before a step that creates triggers: throws when the user may not create them (MySQL binary logging). */
  checkTriggerPrivilege?(connection: Connection): Promise<void>;
  /**
   * The error says the server rolled back the whole transaction for a conflict
   * (a deadlock, or Galera's certification refusing it): tidemark's own
   * self-contained transactions (backfill batches) may run it again.
   */
  isConflict?(error: unknown): boolean;
  /** Online, before COMMIT: throws when the step left the data inconsistent (foreign keys). */
  verifyStep?(connection: Connection): Promise<void>;
  /** The same check as statements that fail, for offline scripts. */
  readonly verifyStepSql?: readonly Statement[];

  readonly beginSql: string;
  readonly commitSql: string;
  readonly rollbackSql: string;

  /** Opens a connection; loads the driver package lazily. */
  connect(url: DatabaseUrl, options?: ConnectOptions): Promise<Connection>;
  introspect(connection: Connection, options?: IntrospectOptions): Promise<SchemaModel>;
  /** `CREATE SCHEMA IF NOT EXISTS`, where the dialect has schemas. */
  createSchemaSql?(schema: string): Statement;
  /** Makes unqualified names resolve in `schema` (offline scripts; online the connection does it). */
  useSchemaSql?(schema: string): Statement;
  /** Cheap catalog lookup, so read-only commands never create tidemark's tables. */
  tableExists(connection: Connection, name: string, schema?: string): Promise<boolean>;
  /**
   * Takes the migration lock for `key` on `connection`, waiting up to
   * `timeoutMs`; throws LockTimeoutError after that.
   */
  lock(connection: Connection, key: string, timeoutMs: number): Promise<ReleaseLock>;
}
