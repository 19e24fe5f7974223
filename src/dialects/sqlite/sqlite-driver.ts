/**
 * SQLite through better-sqlite3, whose synchronous calls are wrapped in
 * promises to fit `Connection`. Loaded lazily like the server drivers, so
 * that commands which never open a database never load the native module,
 * and from the project's node_modules only: it is an optional dependency (a
 * PostgreSQL-only install needs no compiler), and a missing one is an error
 * saying `npm install better-sqlite3`.
 */
import { existsSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { createRequire } from "node:module";
import type BetterSqlite3 from "better-sqlite3";
import type { ConnectOptions, Connection, DatabaseUrl, ExecResult, Row } from "../dialect.js";
import { DatabaseError, LockTimeoutError } from "../../errors.js";
import { importDriver, isPlainObject, queryError, sanitizeError, utcTimestamp } from "../driver-support.js";

/**
 * The compiled addon, found directly: better-sqlite3's own lookup (the
 * `bindings` package) probes a dozen paths and costs a few milliseconds.
 */
function nativeBinding(): string | undefined {
  try {
    const root = dirname(createRequire(import.meta.url).resolve("better-sqlite3/package.json"));
    const addon = resolve(root, "build", "Release", "better_sqlite3.node");
    return existsSync(addon) ? addon : undefined;
  } catch {
    return undefined;
  }
}

/** Statements without parameters that every step repeats, kept prepared (see #prepared). */
const REPEATED = /^(?:BEGIN|COMMIT|ROLLBACK|PRAGMA)\b[^;]{0,40}$/i;

/** SPEC §9: a second runner waits up to --lock-timeout, default 60 s. */
const DEFAULT_BUSY_TIMEOUT_MS = 60_000;

export async function connectSqlite(url: DatabaseUrl, options: ConnectOptions = {}): Promise<Connection> {
  const path = url.path ?? ":memory:";
  const memory = path === ":memory:" || path === "";
  const shownPath = memory ? ":memory:" : resolve(path);
  const readonly = url.params["mode"] === "ro";
  if (!memory) checkPath(shownPath, options.mustExist === true || readonly);

  const imported = await importDriver<{ default: typeof BetterSqlite3 }>("better-sqlite3", "better-sqlite3", "A sqlite: URL");
  const Database = imported.default;
  const addon = nativeBinding();
  const busyTimeoutMs = options.lockTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  let db: BetterSqlite3.Database;
  try {
    db = new Database(memory ? ":memory:" : path, {
      fileMustExist: options.mustExist === true || readonly,
      readonly,
      timeout: busyTimeoutMs,
      ...(addon === undefined ? {} : { nativeBinding: addon }),
    });
  } catch (error) {
    const cause = sanitizeError(error, url);
    throw new DatabaseError(
      `Cannot open the SQLite database "${shownPath}": ${cause.message}. ` +
        "Check that the directory exists and that this process may write to it.",
      { cause, fields: { path: shownPath } },
    );
  }
  let restoreJournal = false;
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
    db.pragma("foreign_keys = ON");
    if (!memory && !readonly) restoreJournal = persistJournal(db);
  } catch (error) {
    db.close();
    const cause = sanitizeError(error, url);
    throw new DatabaseError(`Cannot use the SQLite database "${shownPath}": ${cause.message}.`, {
      cause,
      fields: { path: shownPath },
    });
  }
  return new SqliteConnection(db, url, shownPath, busyTimeoutMs, restoreJournal);
}

/**
 * SQLite's default rollback journal is created and deleted by every commit,
 * and on a journaling file system the create and the unlink cost about as
 * much as the commit's own writes: 1,000 one-step commits took ~15% longer.
 * This connection keeps the file instead (PERSIST: its header is zeroed at
 * commit, with the same fsyncs, so a crash is recovered exactly as before)
 * and goes back to DELETE when it closes, which removes the file. Only a
 * database in DELETE mode is touched: WAL and modes the user chose stay.
 * The mode belongs to this connection; others keep theirs.
 */
function persistJournal(db: BetterSqlite3.Database): boolean {
  try {
    if (db.pragma("journal_mode", { simple: true }) !== "delete") return false;
    return db.pragma("journal_mode = PERSIST", { simple: true }) === "persist";
  } catch {
    // Not a database, or locked: the first real statement says so, as it did before this optimisation.
    return false;
  }
}

/** Refuses to let SQLite create a file (or fail with its terse "unable to open"). */
function checkPath(path: string, mustExist: boolean): void {
  if (existsSync(path)) {
    if (statSync(path).isDirectory()) {
      throw new DatabaseError(`The SQLite database path "${path}" is a directory, not a file.`, {
        fields: { path },
      });
    }
    return;
  }
  if (mustExist) {
    throw new DatabaseError(
      `The SQLite database "${path}" does not exist. This command only reads the database, ` +
        "so tidemark does not create it; run a command that writes (e.g. upgrade) or check the URL.",
      { fields: { path } },
    );
  }
  const dir = dirname(path);
  if (!existsSync(dir)) {
    throw new DatabaseError(`Cannot create the SQLite database "${path}": the directory "${dir}" does not exist.`, {
      fields: { path },
    });
  }
  if (!statSync(dir).isDirectory()) {
    throw new DatabaseError(`Cannot create the SQLite database "${path}": "${dir}" is not a directory.`, {
      fields: { path },
    });
  }
}

class SqliteConnection implements Connection {
  readonly dialect = "sqlite" as const;
  #db: BetterSqlite3.Database;
  #closed = false;

  readonly url: DatabaseUrl;
  readonly path: string;
  readonly busyTimeoutMs: number;

  readonly #restoreJournal: boolean;

  constructor(db: BetterSqlite3.Database, url: DatabaseUrl, path: string, busyTimeoutMs: number, restoreJournal: boolean) {
    this.#db = db;
    this.#restoreJournal = restoreJournal;
    this.url = url;
    this.path = path;
    this.busyTimeoutMs = busyTimeoutMs;
  }

  async query<R extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    return this.#run(sql, params, (statement, values) => {
      if (statement.reader) return statement.all(...values) as R[];
      statement.run(...values);
      return [];
    });
  }

  async execute(sql: string, params: readonly unknown[] = []): Promise<ExecResult> {
    return this.#guard(sql, () => {
      const statement = this.#prepare(sql, params.length === 0, params.length > 0);
      if (statement === undefined) {
        // A chunk of several statements without parameters (a trigger and
        // its index, say): exec() runs them all; there is no row count.
        this.#db.exec(sql);
        return { affectedRows: 0 };
      }
      const values = params.map(toSqliteValue);
      if (statement.reader) {
        statement.all(...values);
        return { affectedRows: 0 };
      }
      return { affectedRows: statement.run(...values).changes };
    });
  }

  /** An in-process database is never lost while it is open. */
  lost(): Error | undefined {
    return undefined;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#prepared.clear();
    if (this.#restoreJournal) {
      try {
        this.#db.pragma("journal_mode = DELETE");
      } catch {
        // Busy: the journal file stays, with a zeroed header that no connection mistakes for a hot journal.
      }
    }
    this.#db.close();
  }

  #run<T>(sql: string, params: readonly unknown[], body: (statement: BetterSqlite3.Statement, values: unknown[]) => T): T {
    return this.#guard(sql, () => body(this.#prepare(sql, false, params.length > 0)!, params.map(toSqliteValue)));
  }

  /**
   * Statements with parameters repeat (version rows, log rows, one per step),
   * and so do a few without (BEGIN IMMEDIATE, COMMIT, the foreign-key check),
   * so they are kept prepared; SQLite re-prepares them itself after a schema
   * change. Other statements without parameters are mostly one-off DDL.
   */
  readonly #prepared = new Map<string, BetterSqlite3.Statement>();

  /** undefined when `sql` holds several statements and `allowMany` says exec() may run them. */
  #prepare(sql: string, allowMany: boolean, hasParams: boolean): BetterSqlite3.Statement | undefined {
    const cached = this.#prepared.get(sql);
    if (cached !== undefined) return cached;
    try {
      const statement = this.#db.prepare(sql);
      if (hasParams || REPEATED.test(sql)) {
        if (this.#prepared.size >= 200) this.#prepared.delete(this.#prepared.keys().next().value as string);
        this.#prepared.set(sql, statement);
      }
      return statement;
    } catch (error) {
      if (allowMany && error instanceof RangeError && /more than one statement/i.test(error.message)) return undefined;
      throw error;
    }
  }

  #guard<T>(sql: string, body: () => T): T {
    if (this.#closed) throw new DatabaseError(`The SQLite connection to "${this.path}" is closed.`);
    try {
      return body();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code === "string" && code.startsWith("SQLITE_BUSY")) {
        throw new LockTimeoutError(
          `The SQLite database "${this.path}" stayed locked by another connection for ` +
            `${this.busyTimeoutMs} ms (the lock timeout). Another tidemark run or an application ` +
            "transaction holds its write lock; retry later or raise --lock-timeout.",
          { cause: sanitizeError(error, this.url), fields: { path: this.path, timeoutMs: this.busyTimeoutMs } },
        );
      }
      throw queryError(error, this.url, sql);
    }
  }
}

/** better-sqlite3 binds numbers, bigints, strings, buffers and null only. */
function toSqliteValue(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (value instanceof Date) return utcTimestamp(value);
  if (isPlainObject(value) || Array.isArray(value)) return JSON.stringify(value);
  return value;
}
