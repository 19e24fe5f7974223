/**
 * The contract every database implements, in roles (see `Dialect` below),
 * and the shapes they exchange: connections, statements, capability flags.
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
   * Several statements in one round trip where the driver can send them so
   * (PostgreSQL: one simple-query message); else one after another. Values
   * are inlined as literals. The error of a failing statement names it and
   * carries its index (common/batch-index.ts); those after it did not run.
   * A fenced statement (`expectRows`) that changed other rows stops the
   * batch the same way, but resolves: its result is the rows it changed,
   * the last of the results.
   */
  executeBatch?(statements: readonly Statement[]): Promise<ExecResult[]>;
  /**
   * executeBatch may be called again before an earlier call answered: the
   * batch is sent at once and the server runs the batches in the order sent
   * (PostgreSQL's pipeline mode), so the client prepares the next step while
   * the server runs this one.
   */
  readonly pipelinesBatches?: boolean;
  /** Why the connection is known to be unusable (the server closed it, the socket broke); undefined while it seems fine. */
  lost(): Error | undefined;
  /**
   * The server's id of this session (PostgreSQL backend pid, MySQL connection
   * id), so that another session can cancel its statement; none on SQLite.
   */
  readonly sessionId?: number;
  /**
   * Gives the connection up at once (the server went silent): its socket is
   * closed, and the statement waiting on it, and every later one, fail with
   * `reason`.
   */
  abandon?(reason: Error): void;
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
  /**
   * A fence: the statement must change exactly this many rows, else the
   * state it was planned from is gone (another runner moved it) and the
   * step stops. Checked online only.
   */
  readonly expectRows?: number;
  /** tidemark's own version/log row write, never a user's statement: may be retried after a conflict. */
  readonly bookkeeping?: boolean;
}

/** What a session is doing, as another session of the same user sees it. */
export type SessionActivity = "running" | "idle" | "gone";

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
  /** One UPDATE can change rows of two joined tables at once (MySQL), so a step's version row and log row move together. */
  readonly multiTableUpdate: boolean;
  /** A data-changing CTE (`WITH … AS (UPDATE …)`) in one statement (PostgreSQL): a backfill batch and its progress in one round trip. */
  readonly writableCte: boolean;
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
  /**
   * The server stops any statement of the session after this many seconds
   * (PostgreSQL statement_timeout, MariaDB max_statement_time, MySQL
   * max_execution_time for reads). None when 0 or absent.
   */
  readonly statementTimeoutSeconds?: number;
  /**
   * Client side: a statement with no answer after this many seconds means the
   * server or the network went silent; the connection is closed and the
   * statement fails. None when absent. (TCP keepalive is always on: it finds
   * a peer that is gone, not one that is there but silent.)
   */
  readonly answerTimeoutSeconds?: number;
  /** SQLite: refuse to create a database file that does not exist yet. */
  readonly mustExist?: boolean;
  /** SQLite busy timeout / lock wait. */
  readonly lockTimeoutMs?: number;
}

/** The one-runner-at-a-time lock, held from before planning until the command ends. */
export interface MigrationLock {
  /**
   * Throws LockLostError when the lock is no longer held (its session died);
   * cheap: a round trip only now and then, or now when `fresh`.
   */
  verify(fresh?: boolean): Promise<void>;
  release(): Promise<void>;
  /**
   * A condition the server finds true, from any session, while this lock is
   * held (PostgreSQL: the advisory lock in pg_locks). A step sent before its
   * turn carries it in its fence, so that it runs only under the lock.
   */
  readonly heldCondition?: Statement;
}

/**
 * SQL text of one dialect: names, literals, types, and every op as
 * statements (the rolling-upgrade trigger ops too: one exhaustive switch
 * over Op kinds). Pure: no I/O.
 */
export interface DialectCompiler {
  quoteIdentifier(name: string): string;
  /** A qualified table name: `"schema"."table"` on PostgreSQL when a schema is set. */
  quoteTable(name: string, schema?: string): string;
  /** A SQL literal for offline rendering and defaults. */
  literal(value: unknown): string;
  /** Portable type names → this dialect; anything else passes through as written. */
  mapType(type: string): string;
  /** Does compiling this op need the table's current shape (SQLite rebuild)? */
  needsTableModel(op: Op): boolean;
  /**
   * Would compiling this op use the table's current shape when it is known,
   * without needing it (a PostgreSQL type change restates the column's
   * collation)? Online it is read; offline only the tracked shape is used.
   */
  prefersTableModel?(op: Op): boolean;
  /** One op may become many statements. */
  compile(op: Op, context: CompileContext): Statement[];
  /** The FROM clause a SELECT with a WHERE needs when it reads no table: "" or ` FROM DUAL` (MySQL). */
  readonly fromNothing: string;
}

/** The statements that frame a transaction and a step, and what the dialect's own client needs offline. */
export interface TransactionSql {
  readonly begin: string;
  readonly commit: string;
  readonly rollback: string;
  /**
   * Statements before the first step of a run and after the last, outside
   * any transaction. SQLite turns foreign-key enforcement off for the run, as
   * its documentation prescribes for schema changes: a table rebuild (create
   * new, copy, drop old, rename) would otherwise cascade deletes into the
   * child tables. Each step is checked before it commits (`verifyStep`).
   */
  readonly runSetup: readonly Statement[];
  readonly runTeardown: readonly Statement[];
  /** Offline, before COMMIT: statements that fail when the step left the data inconsistent (foreign keys). */
  readonly verifyStep?: readonly Statement[];
  /** Client directives that make the dialect's own client stop at the first error (offline scripts). */
  readonly offlinePrelude: readonly string[];
  /** `CREATE SCHEMA IF NOT EXISTS`, where the dialect has schemas. */
  createSchema?(schema: string): Statement;
  /** Makes unqualified names resolve in `schema` (offline scripts; online the connection does it). */
  useSchema?(schema: string): Statement;
}

export interface DialectDriver {
  /** Opens a connection; loads the driver package lazily. */
  connect(url: DatabaseUrl, options?: ConnectOptions): Promise<Connection>;
  /**
   * From the session `via`, stops the statement session `sessionId` is
   * running (pg_cancel_backend, KILL QUERY): Ctrl-C must not leave a
   * statement running on the server after tidemark exits.
   */
  cancel?(via: Connection, sessionId: number): Promise<void>;
  /** From the session `via`: is session `sessionId` running a statement, idle, or gone? */
  activity?(via: Connection, sessionId: number): Promise<SessionActivity>;
  /**
   * The error says the server rolled back the whole transaction for a conflict
   * (a deadlock, or Galera's certification refusing it): tidemark's own
   * self-contained transactions (backfill batches) may run it again.
   */
  isConflict?(error: unknown): boolean;
}

/** What tidemark reads from a live database: its schema, and the checks it makes before a step commits. */
export interface DialectIntrospector {
  introspect(connection: Connection, options?: IntrospectOptions): Promise<SchemaModel>;
  /** Cheap catalog lookup, so read-only commands never create tidemark's tables. */
  tableExists(connection: Connection, name: string, schema?: string): Promise<boolean>;
  /** Online, before COMMIT: throws when the step left the data inconsistent (foreign keys). */
  verifyStep?(connection: Connection): Promise<void>;
  /** Online, before a step that creates triggers: throws when the user may not create them (MySQL binary logging). */
  checkTriggerPrivilege?(connection: Connection): Promise<void>;
  /** The triggers that exist now, in the connection's schema (the contract trigger audit reads them). */
  liveTriggers(connection: Connection): Promise<LiveTrigger[]>;
  /**
   * How the database compares trigger names: PostgreSQL and MySQL/MariaDB
   * exactly (PostgreSQL's parser has already folded unquoted names to lower
   * case), SQLite without regard to ASCII case.
   */
  readonly triggerNamesFoldCase: boolean;
  /**
   * PostgreSQL: the transaction that wrote the newest row `where` selects in
   * `table` (its xmin), to compare with LiveTrigger.transaction.
   */
  rowTransaction?(connection: Connection, table: string, where: Statement): Promise<string | undefined>;
  /**
   * The catalog's idea of a table's row count, one row with column `n`,
   * without reading the table (a backfill's progress estimate). `table` is the
   * name as the user wrote it, `quoted` as the compiler quotes it.
   */
  rowEstimate(table: string, quoted: string): Statement;
}

/** A trigger as the catalog shows it. */
export interface LiveTrigger {
  readonly name: string;
  /** The table (or view) it belongs to. */
  readonly table: string;
  /**
   * PostgreSQL: the id of the transaction that created it (pg_trigger.xmin),
   * so that a trigger created through a function or DO block can be tied to
   * the step that ran it.
   */
  readonly transaction?: string;
  /** PostgreSQL: a partition's copy of its parent table's trigger (it comes and goes with the parent's). */
  readonly inherited?: boolean;
}

export interface LockWaitOptions {
  /** Told, once per cause, why the lock is not ready yet (e.g. a dead runner's statement still running). */
  readonly onWait?: (message: string) => void;
}

export interface DialectLock {
  /**
   * Takes the migration lock for `key` on `connection`, waiting up to
   * `timeoutMs`; throws LockTimeoutError after that.
   */
  acquire(connection: Connection, key: string, timeoutMs: number, options?: LockWaitOptions): Promise<MigrationLock>;
}

/**
 * One database, in roles as Kysely splits them: the compiler (SQL text),
 * the transaction framing, the driver, the introspector and the lock, with
 * capability flags for what differs. Code outside `src/dialects/` asks the
 * flags, never `dialect.name === …`.
 */
export interface Dialect {
  readonly name: DialectName;
  readonly caps: DialectCaps;
  readonly compiler: DialectCompiler;
  readonly transactions: TransactionSql;
  readonly driver: DialectDriver;
  readonly introspector: DialectIntrospector;
  readonly lock: DialectLock;
}
