/**
 * PostgreSQL through `pg` (one `pg.Client`, no pool: a migration runs its
 * steps in order on one session, and the advisory lock is session-level).
 *
 * URL query parameters understood here: `sslmode` (disable, allow, prefer →
 * no TLS; require → TLS without certificate check; verify-ca, verify-full →
 * TLS with check), `ssl=true`, `connect_timeout` (seconds), `application_name`
 * (default `tidemark`), `options` (passed to the server, e.g.
 * `-c statement_timeout=0`), and `schema`: when given, the session runs
 * `SET search_path TO "schema"` so that unqualified names land there.
 *
 * Bounded waits: TCP keepalive on the socket; the server's own keepalive
 * for the session (tcp_keepalives_*), so that it drops a vanished runner's
 * session — and the advisory lock on it — within a minute; and, from
 * PostgreSQL 14, client_connection_check_interval, so that the server stops
 * a statement whose client died instead of running it to the end.
 */
import type * as Pg from "pg";
import type { ConnectOptions, Connection, DatabaseUrl, ExecResult, Row, SessionActivity, Statement } from "../dialect.js";
import { DatabaseError } from "../../errors.js";
import { markBatchIndex } from "../common/batch-index.js";
import { batchText, fenceStopRows, rowsOfTag } from "./postgres-batch.js";
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
import { toNumberedPlaceholders } from "../../sql/placeholders.js";

type PgModule = typeof Pg;

const DEFAULT_CONNECT_TIMEOUT_SECONDS = 10;
const CLOSE_GRACE_MS = 2000;
const INT8_OID = 20;
const TIMESTAMP_OID = 1114;
const TIMESTAMPTZ_OID = 1184;
/** The server probes an idle client after 15 s, every 5 s, 3 times: a vanished runner's session ends within ~30 s. */
const SERVER_KEEPALIVE = ["SET tcp_keepalives_idle = 15", "SET tcp_keepalives_interval = 5", "SET tcp_keepalives_count = 3"];
/** PostgreSQL 14+: while a statement runs, the server checks every 2 s that its client is still there. */
const CLIENT_CHECK =
  "SELECT set_config('client_connection_check_interval', '2000', false) WHERE current_setting('server_version_num')::int >= 140000";

export async function connectPostgres(url: DatabaseUrl, options: ConnectOptions = {}): Promise<Connection> {
  const pg = await loadPg();
  const timeoutSeconds = connectTimeout(url, options);
  const client = new pg.Client(clientConfig(pg, url, timeoutSeconds));
  // An idle session killed by the server must not become an uncaught 'error' event.
  let broken: Error | undefined;
  client.on("error", (error: Error) => {
    broken = error;
  });

  try {
    await withDeadline(client.connect(), timeoutSeconds * 1000 + 1000, () => {
      void client.end().catch(() => undefined);
    });
    // One round trip: the session's settings in one simple-query message.
    await client.query(sessionSettings(url, options).join(";\n"));
  } catch (error) {
    void client.end().catch(() => undefined);
    throw connectError(error, url, timeoutSeconds);
  }
  return new PostgresConnection(client, pg.Query, url, () => broken, options.answerTimeoutSeconds, pipelineMode(client));
}

/**
 * pg 8.23 and later write a query while earlier ones still wait for their
 * answers (pipeline mode); the server runs them in the order sent. Older
 * versions queue it until the previous answer, which is correct but slower.
 */
function pipelineMode(client: Pg.Client): boolean {
  const settable = client as unknown as { pipeline?: unknown };
  if (typeof settable.pipeline !== "boolean") return false;
  settable.pipeline = true;
  return true;
}

/**
 * pg asks at load whether it runs in a Cloudflare Worker: without a
 * `navigator` global (Node before 21) it builds a `Response`, which loads
 * Node's fetch implementation, a third of pg's load time. A `navigator`
 * that says Node answers the question; it is there only while pg loads.
 */
async function loadPg(): Promise<PgModule> {
  const global = globalThis as { navigator?: unknown };
  const lend = global.navigator === undefined;
  if (lend) global.navigator = { userAgent: `Node.js/${process.versions.node}` };
  try {
    const imported = await importDriver<PgModule & { default?: PgModule }>("pg", "pg", "A postgres: URL");
    return imported.default ?? imported;
  } finally {
    if (lend) delete global.navigator;
  }
}

function sessionSettings(url: DatabaseUrl, options: ConnectOptions): string[] {
  const settings: string[] = [];
  const schema = url.params["schema"];
  if (schema !== undefined && schema !== "") settings.push(`SET search_path TO ${quoteIdent(schema)}`);
  const statementTimeout = options.statementTimeoutSeconds ?? 0;
  if (statementTimeout > 0) {
    const ms = Math.max(1, Math.round(statementTimeout * 1000));
    // A transaction left open by a client that went silent would hold its locks: bounded alike.
    settings.push(`SET statement_timeout = ${ms}`, `SET idle_in_transaction_session_timeout = ${ms}`);
  }
  return [...settings, ...SERVER_KEEPALIVE, CLIENT_CHECK];
}

function connectTimeout(url: DatabaseUrl, options: ConnectOptions): number {
  const fromUrl = Number(url.params["connect_timeout"]);
  if (Number.isFinite(fromUrl) && fromUrl > 0) return fromUrl;
  return options.connectTimeoutSeconds ?? DEFAULT_CONNECT_TIMEOUT_SECONDS;
}

function clientConfig(pg: PgModule, url: DatabaseUrl, timeoutSeconds: number): Pg.ClientConfig {
  const config: Pg.ClientConfig = {
    host: url.socket ?? url.host ?? "localhost",
    port: url.port ?? 5432,
    connectionTimeoutMillis: Math.max(1, Math.round(timeoutSeconds * 1000)),
    application_name: url.params["application_name"] ?? "tidemark",
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_IDLE_MS,
    types: { getTypeParser: typeParser(pg) as Pg.CustomTypesConfig["getTypeParser"] },
  };
  if (url.user !== undefined) config.user = url.user;
  if (url.password !== undefined) config.password = url.password;
  if (url.database !== undefined) config.database = url.database;
  if (url.params["options"] !== undefined) config.options = url.params["options"];
  const ssl = sslConfig(url.params);
  if (ssl !== undefined) config.ssl = ssl;
  return config;
}

function sslConfig(params: Readonly<Record<string, string>>): Pg.ClientConfig["ssl"] {
  const mode = params["sslmode"];
  if (mode === "require") return { rejectUnauthorized: false };
  if (mode === "verify-ca" || mode === "verify-full") return { rejectUnauthorized: true };
  if (mode !== undefined) return false;
  if (params["ssl"] === "true" || params["ssl"] === "1") return { rejectUnauthorized: false };
  return undefined;
}

/**
 * bigint (COUNT(*), bigserial ids) as a number when it is exact, as on the
 * other dialects; `timestamp` (without time zone) read as UTC, the way Date
 * parameters are written.
 */
function typeParser(pg: PgModule): (oid: number, format?: string) => unknown {
  const base = (oid: number, format?: string): unknown =>
    (pg.types.getTypeParser as (oid: number, format?: string) => unknown)(oid, format);
  const parseTimestamptz = base(TIMESTAMPTZ_OID) as (text: string) => unknown;
  return (oid, format) => {
    if (format === "binary") return base(oid, format);
    if (oid === INT8_OID) {
      return (text: string) => {
        const value = Number(text);
        return Number.isSafeInteger(value) ? value : text;
      };
    }
    if (oid === TIMESTAMP_OID) {
      return (text: string) => (/^-?infinity$|BC$/.test(text) ? text : parseTimestamptz(`${text}+00`));
    }
    return base(oid, format);
  };
}

function connectError(error: unknown, url: DatabaseUrl, timeoutSeconds: number): DatabaseError {
  const cause = sanitizeError(error, url);
  const where = describeEndpoint(url, "localhost", 5432);
  const who = [`database "${url.database ?? url.user ?? "(default)"}"`];
  if (url.user !== undefined) who.push(`user "${url.user}"`);
  const reason = /timeout/i.test(cause.message) ? `no answer within ${timeoutSeconds} s (${cause.message})` : cause.message;
  return new DatabaseError(`Cannot connect to PostgreSQL at ${where} (${who.join(", ")}): ${reason}`, {
    cause,
    fields: { ...errorFields(cause), endpoint: where, database: url.database ?? null },
  });
}

/** Rejects when `promise` has not settled in time; pg's own timer normally fires first. */
async function withDeadline<T>(promise: Promise<T>, ms: number, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new Error("connection timeout"));
    }, ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

class PostgresConnection implements Connection {
  readonly dialect = "postgres" as const;
  readonly sessionId: number | undefined;
  readonly pipelinesBatches: boolean;
  readonly #client: Pg.Client;
  readonly #Query: PgModule["Query"];
  readonly #url: DatabaseUrl;
  readonly #broken: () => Error | undefined;
  readonly #answerTimeoutSeconds: number | undefined;
  /** Declared when tidemark gave up waiting for an answer and closed the socket. */
  readonly #silence = new Silence();
  #closing: Promise<void> | undefined;
  /** Settles when the last query sent has its answer: a query sent behind it waits for that first. */
  #answered: Promise<void> = Promise.resolve();

  constructor(
    client: Pg.Client,
    Query: PgModule["Query"],
    url: DatabaseUrl,
    broken: () => Error | undefined,
    answerTimeoutSeconds: number | undefined,
    pipelines: boolean,
  ) {
    this.#client = client;
    this.pipelinesBatches = pipelines;
    this.#Query = Query;
    this.#url = url;
    this.#broken = () => this.#silence.reason ?? broken();
    this.#answerTimeoutSeconds = answerTimeoutSeconds;
    const pid = (client as unknown as { processID?: unknown }).processID;
    this.sessionId = typeof pid === "number" ? pid : undefined;
  }

  async query<R extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    const result = await this.#run(sql, params);
    return (result?.rows ?? []) as R[];
  }

  async execute(sql: string, params: readonly unknown[] = []): Promise<ExecResult> {
    const result = await this.#run(sql, params);
    return { affectedRows: result?.rowCount ?? 0 };
  }

  /**
   * One simple-query message (postgres-batch.ts): BEGIN with a step's fence,
   * its script, its log row and COMMIT cost one round trip. A failing
   * statement's error carries its index; a broken fence stops the batch and
   * is reported as the rows it changed, with no results after it.
   */
  async executeBatch(statements: readonly Statement[]): Promise<ExecResult[]> {
    if (statements.length === 0) return [];
    const text = batchText(statements, toPgValue);
    const rows: number[] = [];
    let sent = false;
    let fenceStopped: number | undefined;
    const submit = () =>
      new Promise<Pg.QueryResult | Pg.QueryResult[]>((resolve, reject) => {
        sent = true;
        let answered = false;
        const query = new this.#Query({ text }, (error, result) => {
          // After an error pg calls back once more, at ReadyForQuery, with no error (null, not undefined).
          if (answered) return;
          answered = true;
          // Only a fenced statement's own failure is a broken fence.
          fenceStopped = error && statements[rows.length]?.expectRows !== undefined ? fenceStopRows(error) : undefined;
          if (error && fenceStopped === undefined) reject(error);
          else resolve(result as unknown as Pg.QueryResult | Pg.QueryResult[]);
        });
        // The Submittable protocol's handler for each statement's CommandComplete.
        const handlers = query as unknown as { handleCommandComplete(message: unknown, connection: unknown): void };
        const handleCommandComplete = handlers.handleCommandComplete;
        handlers.handleCommandComplete = function (this: unknown, message: unknown, connection: unknown) {
          rows.push(rowsOfTag(message));
          handleCommandComplete.call(this, message, connection);
        };
        this.#client.query(query);
      });
    try {
      await this.#send(submit, () => statements[rows.length]?.sql ?? statements.map((one) => one.sql).join(";\n"));
    } catch (error) {
      throw sent && rows.length < statements.length && error instanceof Error ? markBatchIndex(error, rows.length) : error;
    }
    // A fence that passed changed what it must (its text returns one row, not the rows changed).
    const results = rows.map((affectedRows, i) => ({ affectedRows: statements[i]?.expectRows ?? affectedRows }));
    if (fenceStopped !== undefined) results.push({ affectedRows: fenceStopped });
    return results;
  }

  lost(): Error | undefined {
    return this.#broken();
  }

  close(): Promise<void> {
    this.#closing ??= this.#end();
    return this.#closing;
  }

  /** A polite end, but no longer than CLOSE_GRACE_MS: a silent server would never confirm it. */
  async #end(): Promise<void> {
    if (this.#broken() !== undefined) {
      this.#destroySocket();
      await this.#client.end().catch(() => undefined);
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<"late">((resolve) => {
      timer = setTimeout(() => resolve("late"), CLOSE_GRACE_MS);
    });
    const ended = await Promise.race([this.#client.end().catch(() => undefined), grace]);
    clearTimeout(timer);
    if (ended === "late") this.#destroySocket();
  }

  #destroySocket(): void {
    (this.#client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
  }

  /** The last result when the text held several statements (simple protocol). */
  async #run(sql: string, params: readonly unknown[]): Promise<Pg.QueryResult | undefined> {
    // Without values the text goes as is, so that jsonb's `?` operators stay usable.
    const text = params.length === 0 ? sql : toNumberedPlaceholders(sql, params);
    const values = params.length === 0 ? undefined : params.map(toPgValue);
    const result = await this.#send(
      () => this.#client.query({ text, values }),
      () => sql,
    );
    return Array.isArray(result) ? result[result.length - 1] : result;
  }

  async #send(
    submit: () => Promise<Pg.QueryResult | Pg.QueryResult[]>,
    failedSql: () => string,
  ): Promise<Pg.QueryResult | Pg.QueryResult[]> {
    const broken = this.#broken();
    if (broken !== undefined) {
      throw new DatabaseError(`The PostgreSQL connection was lost: ${sanitizeError(broken, this.#url).message}`, {
        cause: sanitizeError(broken, this.#url),
      });
    }
    if (this.#closing !== undefined) {
      throw new DatabaseError(`The PostgreSQL connection to ${this.#url.redacted} is closed.`);
    }
    try {
      const work = submit();
      const abandon = (error: DatabaseError) => this.#abandon(error);
      const seconds = this.#answerTimeoutSeconds;
      let answer: Promise<Pg.QueryResult | Pg.QueryResult[]>;
      if (seconds === undefined) answer = work;
      else {
        // Sent behind another (pipeline mode), the query starts on the server when that one ends: so does its deadline.
        const before = this.#answered;
        // Its failure is read below, once the query before it answered.
        work.catch(() => undefined);
        answer = before.then(() => answerWithin(work, seconds, abandon, "PostgreSQL"));
        this.#answered = answer.then(
          () => undefined,
          () => undefined,
        );
      }
      return await this.#silence.race(answer);
    } catch (error) {
      throw queryError(error, this.#url, failedSql());
    }
  }

  abandon(reason: Error): void {
    this.#abandon(reason);
  }

  /** The server went silent: close the socket at once (a polite end would wait for it). */
  #abandon(error: Error): void {
    if (this.#silence.reason !== undefined) return;
    this.#silence.declare(error);
    this.#destroySocket();
  }
}

/** Dates as UTC text (as on SQLite and MySQL); plain objects as JSON. */
function toPgValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? value : value.toISOString();
  if (isPlainObject(value)) return JSON.stringify(value);
  return value;
}

/** Stops the statement the session `sessionId` runs, from the session `via` (Ctrl-C); its transaction then rolls back. */
export async function cancelPostgres(via: Connection, sessionId: number): Promise<void> {
  await via.query("SELECT pg_cancel_backend(?::int) AS cancelled", [sessionId]);
}

/** What backend `sessionId` is doing, from the session `via` (the same user sees its own sessions' state). */
export async function postgresActivity(via: Connection, sessionId: number): Promise<SessionActivity> {
  const [row] = await via.query<{ state: string | null }>("SELECT state FROM pg_stat_activity WHERE pid = ?::int", [sessionId]);
  if (row === undefined) return "gone";
  return row.state === "active" ? "running" : "idle";
}
