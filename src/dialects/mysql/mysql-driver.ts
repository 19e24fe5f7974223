/**
 * MySQL and MariaDB through `mysql2/promise` (one connection: GET_LOCK is
 * held by the session). A statement with values is a server-side prepared
 * statement, so the server binds them and no escaping can depend on the
 * session's sql_mode (`NO_BACKSLASH_ESCAPES`, which a script may set). The
 * few statements the server will not prepare (ER_UNSUPPORTED_PS, or a `?`
 * where its grammar wants a literal) go as text, with literals that mean the
 * same in every sql_mode (common/literal.ts); nothing ran when prepare failed.
 * Statements without values go as text, as the mysql client sends them.
 *
 * The session runs in UTC (`time_zone = '+00:00'`, mysql2 `timezone: 'Z'`),
 * so Date values read and written here mean the same instant on every
 * dialect. URL query parameters: `charset` (default utf8mb4),
 * `connect_timeout` (seconds), `ssl-mode`/`sslmode` (REQUIRED → TLS without
 * certificate check, VERIFY_CA/VERIFY_IDENTITY → with), `ssl=true`.
 */
import type * as Mysql from "mysql2/promise";
import type { ConnectOptions, Connection, DatabaseUrl, ExecResult, Row, SessionActivity } from "../dialect.js";
import { DatabaseError } from "../../errors.js";
import {
  KEEPALIVE_IDLE_MS,
  Silence,
  answerWithin,
  describeEndpoint,
  errorFields,
  importDriver,
  isPlainObject,
  queryError,
  sanitizeError,
} from "../driver-support.js";
import { checkPlaceholderCount, inlinePlaceholders } from "../../sql/placeholders.js";
import { renderLiteral } from "../common/literal.js";

type MysqlModule = typeof Mysql;

const DEFAULT_CONNECT_TIMEOUT_SECONDS = 10;
const CLOSE_GRACE_MS = 2000;
/**
 * Prepared statements kept open per connection (mysql2 closes the least
 * recently used): tidemark's own writes come back every step, a script's
 * mostly once, and the server caps them for all sessions together
 * (max_prepared_stmt_count, 16382 by default).
 */
const MAX_PREPARED_STATEMENTS = 64;
/**
 * The server will not prepare this statement (ER_UNSUPPORTED_PS), take a `?`
 * where it stands (ER_PARSE_ERROR: `COMMENT ?`, `SHOW TABLES LIKE ?`), or
 * keep a value in a view (ER_VIEW_SELECT_VARIABLE): nothing ran.
 */
const NOT_PREPARABLE = new Set([1295, 1064, 1351]);

export async function connectMysql(url: DatabaseUrl, options: ConnectOptions = {}): Promise<Connection> {
  const imported = await importDriver<MysqlModule & { default?: MysqlModule }>(
    "mysql2/promise",
    "mysql2",
    "A mysql: or mariadb: URL",
  );
  const mysql = imported.default ?? imported;
  const timeoutSeconds = connectTimeout(url, options);
  let connection: Mysql.Connection;
  try {
    connection = await mysql.createConnection(connectionOptions(url, timeoutSeconds));
  } catch (error) {
    throw connectError(error, url, timeoutSeconds);
  }
  let broken: Error | undefined;
  // A session dropped by the server must not become an uncaught 'error' event.
  connection.on("error", (error: Error) => {
    broken = error;
  });
  try {
    await connection.query("SET time_zone = '+00:00'");
    await limitStatements(connection, options.statementTimeoutSeconds ?? 0);
  } catch (error) {
    connection.destroy();
    throw connectError(error, url, timeoutSeconds);
  }
  return new MysqlConnection(connection, url, () => broken, options.answerTimeoutSeconds);
}

/**
 * The server's own statement limit: MariaDB's max_statement_time (seconds,
 * every statement) and idle_transaction_timeout (a transaction left open by
 * a client that went silent); MySQL has only max_execution_time (ms, SELECT
 * only).
 */
async function limitStatements(connection: Mysql.Connection, seconds: number): Promise<void> {
  if (!(seconds > 0)) return;
  try {
    await connection.query(`SET SESSION max_statement_time = ${Number(seconds)}`);
  } catch (error) {
    if ((error as { errno?: unknown }).errno !== UNKNOWN_SYSTEM_VARIABLE) throw error;
    await connection.query(`SET SESSION max_execution_time = ${Math.max(1, Math.round(seconds * 1000))}`);
    return;
  }
  await connection.query(`SET SESSION idle_transaction_timeout = ${Math.max(1, Math.ceil(seconds))}`).catch((error: unknown) => {
    if ((error as { errno?: unknown }).errno !== UNKNOWN_SYSTEM_VARIABLE) throw error;
  });
}

const UNKNOWN_SYSTEM_VARIABLE = 1193;

function connectTimeout(url: DatabaseUrl, options: ConnectOptions): number {
  const fromUrl = Number(url.params["connect_timeout"]);
  if (Number.isFinite(fromUrl) && fromUrl > 0) return fromUrl;
  return options.connectTimeoutSeconds ?? DEFAULT_CONNECT_TIMEOUT_SECONDS;
}

function connectionOptions(url: DatabaseUrl, timeoutSeconds: number): Mysql.ConnectionOptions {
  const config: Mysql.ConnectionOptions = {
    connectTimeout: Math.max(1, Math.round(timeoutSeconds * 1000)),
    multipleStatements: false,
    maxPreparedStatements: MAX_PREPARED_STATEMENTS,
    enableKeepAlive: true,
    keepAliveInitialDelay: KEEPALIVE_IDLE_MS,
    timezone: "Z",
    supportBigNumbers: true,
    bigNumberStrings: false,
    charset: url.params["charset"] ?? "utf8mb4",
    // mysql2 asks for IGNORE_SPACE by default, which the server adds to the session's sql_mode (and stores
    // with every trigger and routine): built-in function names become reserved (`CREATE TABLE count …`
    // fails). The mysql and mariadb clients do not ask for it; neither does tidemark.
    flags: ["-IGNORE_SPACE"],
  };
  if (url.socket !== undefined) config.socketPath = url.socket;
  else {
    config.host = url.host ?? "localhost";
    config.port = url.port ?? 3306;
  }
  if (url.user !== undefined) config.user = url.user;
  if (url.password !== undefined) config.password = url.password;
  if (url.database !== undefined) config.database = url.database;
  const mode = (url.params["ssl-mode"] ?? url.params["sslmode"] ?? url.params["ssl_mode"])?.toUpperCase();
  if (mode === "REQUIRED" || mode === "REQUIRE" || url.params["ssl"] === "true") {
    config.ssl = { rejectUnauthorized: false };
  } else if (mode === "VERIFY_CA" || mode === "VERIFY_IDENTITY" || mode === "VERIFY-FULL") {
    config.ssl = { rejectUnauthorized: true };
  }
  return config;
}

function connectError(error: unknown, url: DatabaseUrl, timeoutSeconds: number): DatabaseError {
  const cause = sanitizeError(error, url);
  const where = describeEndpoint(url, "localhost", 3306);
  const who = [`database "${url.database ?? "(none)"}"`];
  if (url.user !== undefined) who.push(`user "${url.user}"`);
  const code = (cause as { code?: unknown }).code;
  const reason =
    code === "ETIMEDOUT" || /timeout/i.test(cause.message)
      ? `no answer within ${timeoutSeconds} s (${cause.message})`
      : cause.message;
  return new DatabaseError(`Cannot connect to MySQL/MariaDB at ${where} (${who.join(", ")}): ${reason}`, {
    cause,
    fields: { ...errorFields(cause), endpoint: where, database: url.database ?? null },
  });
}

class MysqlConnection implements Connection {
  readonly dialect = "mysql" as const;
  readonly sessionId: number | undefined;
  readonly #connection: Mysql.Connection;
  readonly #url: DatabaseUrl;
  readonly #broken: () => Error | undefined;
  readonly #answerTimeoutSeconds: number | undefined;
  /** Declared when tidemark gave up waiting for an answer and closed the socket. */
  readonly #silence = new Silence();
  #closing: Promise<void> | undefined;

  constructor(
    connection: Mysql.Connection,
    url: DatabaseUrl,
    broken: () => Error | undefined,
    answerTimeoutSeconds: number | undefined,
  ) {
    this.#connection = connection;
    this.#url = url;
    this.#broken = () => this.#silence.reason ?? broken();
    this.#answerTimeoutSeconds = answerTimeoutSeconds;
    this.sessionId = typeof connection.threadId === "number" ? connection.threadId : undefined;
  }

  async query<R extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    const result = await this.#run(sql, params);
    return (Array.isArray(result) ? result : []) as R[];
  }

  async execute(sql: string, params: readonly unknown[] = []): Promise<ExecResult> {
    const result = await this.#run(sql, params);
    if (Array.isArray(result)) return { affectedRows: 0 };
    return { affectedRows: (result as Mysql.ResultSetHeader).affectedRows ?? 0 };
  }

  lost(): Error | undefined {
    return this.#broken();
  }

  close(): Promise<void> {
    this.#closing ??= this.#end();
    return this.#closing;
  }

  async #end(): Promise<void> {
    if (this.#broken() !== undefined) {
      this.#connection.destroy();
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<"late">((resolve) => {
      timer = setTimeout(() => resolve("late"), CLOSE_GRACE_MS);
    });
    const ended = await Promise.race([this.#connection.end().catch(() => undefined), grace]);
    clearTimeout(timer);
    if (ended === "late") this.#connection.destroy();
  }

  async #run(sql: string, params: readonly unknown[]): Promise<unknown> {
    const broken = this.#broken();
    if (broken !== undefined) {
      const cause = sanitizeError(broken, this.#url);
      throw new DatabaseError(`The MySQL connection was lost: ${cause.message}`, { cause });
    }
    if (this.#closing !== undefined) {
      throw new DatabaseError(`The MySQL connection to ${this.#url.redacted} is closed.`);
    }
    try {
      const work = params.length === 0 ? this.#connection.query(sql).then(([result]) => result) : this.#bound(sql, params);
      return await this.#silence.race(
        answerWithin(work, this.#answerTimeoutSeconds, (error) => this.#abandon(error), "MySQL/MariaDB"),
      );
    } catch (error) {
      throw queryError(error, this.#url, sql);
    }
  }

  abandon(reason: Error): void {
    this.#abandon(reason);
  }

  /** The server went silent: close the socket at once (a polite end would wait for it). */
  #abandon(error: Error): void {
    if (this.#silence.reason !== undefined) return;
    this.#silence.declare(error);
    this.#connection.destroy();
  }

  /** A statement with values: prepared and bound by the server, else (not preparable) text with neutral literals. */
  async #bound(sql: string, params: readonly unknown[]): Promise<unknown> {
    checkPlaceholderCount(sql, params, "mysql");
    const values = params.map(toMysqlValue);
    let statement: Mysql.PreparedStatementInfo;
    try {
      statement = await this.#connection.prepare(sql);
    } catch (error) {
      if (!NOT_PREPARABLE.has(Number((error as { errno?: unknown }).errno))) throw error;
      const literal = await this.#sessionLiteral();
      return (await this.#connection.query(inlinePlaceholders(sql, values, "mysql", literal)))[0];
    }
    return (await statement.execute(values))[0];
  }

  /**
   * Literals for a statement the server would not prepare, spelled for the
   * session's sql_mode as it is now (a script may have changed it): such
   * statements put values where the grammar takes a plain quoted string only
   * (`COMMENT '…'`), so the mode-neutral hex form of offline scripts will not do.
   */
  async #sessionLiteral(): Promise<(value: unknown) => string> {
    const [row] = (await this.#connection.query("SELECT @@SESSION.sql_mode AS mode"))[0] as { mode?: unknown }[];
    const noBackslashEscapes = String(row?.mode ?? "")
      .toUpperCase()
      .split(",")
      .includes("NO_BACKSLASH_ESCAPES");
    return (value) => {
      if (typeof value !== "string") return renderLiteral(value, "mysql");
      return noBackslashEscapes ? `'${value.replace(/'/g, "''")}'` : this.#connection.escape(value);
    };
  }
}

/**
 * Values as tidemark binds them on every dialect: NULL for undefined, plain
 * objects and arrays as JSON text (as offline literals render them), bytes
 * as a Buffer.
 */
function toMysqlValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (isPlainObject(value) || Array.isArray(value)) return JSON.stringify(value);
  if (value instanceof Uint8Array && !Buffer.isBuffer(value))
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return value;
}

/** Stops the statement the session `sessionId` runs, from the session `via` (Ctrl-C); the session stays open. */
export async function cancelMysql(via: Connection, sessionId: number): Promise<void> {
  if (!Number.isSafeInteger(sessionId) || sessionId < 0) return;
  // KILL takes no placeholder; the id is a checked integer.
  await via.execute(`KILL QUERY ${sessionId}`);
}

/** What connection `sessionId` is doing, from the session `via` (the same user sees its own threads). */
export async function mysqlActivity(via: Connection, sessionId: number): Promise<SessionActivity> {
  const [row] = await via.query<{ command: string }>(
    "SELECT COMMAND AS command FROM information_schema.PROCESSLIST WHERE ID = ?",
    [sessionId],
  );
  if (row === undefined) return "gone";
  return row.command === "Sleep" ? "idle" : "running";
}
