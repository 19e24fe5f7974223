/**
 * tidemark's connections to a MariaDB Galera node (a server with
 * `wsrep_on = ON`). On such a node every connection tidemark opens:
 *
 * - reads causally (`wsrep_sync_wait = 1`): a runner on node B that starts
 *   right after a runner on node A committed a step sees that step, instead
 *   of B's replica that may still be applying it;
 * - names the node when it goes away or leaves the primary component, so the
 *   operator knows which node to avoid on the rerun;
 * - retries tidemark's own bookkeeping writes (version and log rows) that run
 *   on their own when certification refuses them. User statements, and any
 *   statement inside a transaction, are never retried: the conflict rolled
 *   back the whole transaction.
 *
 * On a plain MySQL/MariaDB server the connection is returned as it is.
 */
import type { ConnectOptions, Connection, DatabaseUrl, ExecResult, Row } from "../dialect.js";
import { DatabaseError, messageOf } from "../../errors.js";
import { describeEndpoint } from "../driver-support.js";
import { connectMysql } from "./mysql-driver.js";

/** Which node of which cluster a connection reaches, for messages and the lease's holder. */
export interface GaleraNode {
  /** `wsrep_node_name` (the host name unless configured). */
  readonly name: string;
  readonly cluster: string;
  /** `host:port` or the socket the connection was opened to. */
  readonly endpoint: string;
}

/** `wsrep_sync_wait` bit 1: reads (SELECT, SHOW, BEGIN) wait until the node applied everything committed before them. */
const CAUSAL_READS = 1;
/** How often, and how long apart, a refused bookkeeping write is tried again. */
const BOOKKEEPING_ATTEMPTS = 6;
const BOOKKEEPING_BACKOFF_MS = 50;

const nodes = new WeakMap<Connection, GaleraNode>();

/** The Galera node behind a connection opened by `connectMysqlNode`; undefined on a plain server. */
export function galeraNodeOf(connection: Connection): GaleraNode | undefined {
  return nodes.get(connection);
}

/** Opens a MySQL/MariaDB connection and, on a Galera node, makes it cluster-aware. */
export async function connectMysqlNode(url: DatabaseUrl, options: ConnectOptions = {}): Promise<Connection> {
  const connection = await connectMysql(url, options);
  let node: GaleraNode | undefined;
  try {
    node = await detectGalera(connection, url);
    if (node === undefined) return connection;
    await assertNodeReady(connection, node);
    await connection.execute(`SET SESSION wsrep_sync_wait = ${CAUSAL_READS}`);
  } catch (error) {
    await connection.close();
    throw node === undefined ? error : nodeError(node, error);
  }
  return galeraConnection(connection, node);
}

/** `inner`, made to name `node` in its errors and to retry bookkeeping writes refused by certification. */
export function galeraConnection(inner: Connection, node: GaleraNode): Connection {
  const galera = new GaleraConnection(inner, node);
  nodes.set(galera, node);
  return galera;
}

async function detectGalera(connection: Connection, url: DatabaseUrl): Promise<GaleraNode | undefined> {
  // SHOW VARIABLES, not @@wsrep_on: MySQL has no such variable and would fail. Detection must
  // never make a plain server unusable: if the statement fails, the server counts as plain.
  const rows = await connection
    .query<{ Variable_name: string; Value: string }>(
      "SHOW VARIABLES WHERE Variable_name IN ('wsrep_on', 'wsrep_node_name', 'wsrep_cluster_name')",
    )
    .catch(() => []);
  const value = (name: string) => rows.find((row) => row.Variable_name.toLowerCase() === name)?.Value;
  if (value("wsrep_on")?.toUpperCase() !== "ON") return undefined;
  return {
    name: value("wsrep_node_name") ?? "",
    cluster: value("wsrep_cluster_name") ?? "",
    endpoint: describeEndpoint(url, "localhost", 3306),
  };
}

/** A node outside the primary component answers SHOW but refuses reads and writes: say so up front. */
async function assertNodeReady(connection: Connection, node: GaleraNode): Promise<void> {
  const rows = await connection.query<{ Variable_name: string; Value: string }>(
    "SHOW STATUS WHERE Variable_name IN ('wsrep_ready', 'wsrep_cluster_status', 'wsrep_local_state_comment')",
  );
  const value = (name: string) => rows.find((row) => row.Variable_name.toLowerCase() === name)?.Value ?? "?";
  if (value("wsrep_ready").toUpperCase() === "ON" && value("wsrep_cluster_status") === "Primary") return;
  throw new DatabaseError(
    `${describeNode(node)} is not ready for use: wsrep_ready = ${value("wsrep_ready")}, ` +
      `wsrep_cluster_status = ${value("wsrep_cluster_status")}, state ${value("wsrep_local_state_comment")}. ` +
      "It has left the cluster's primary component (or is still joining). Run tidemark against a node of the primary component.",
    { fields: { galeraNode: node.name, endpoint: node.endpoint } },
  );
}

export function describeNode(node: GaleraNode): string {
  const name = node.name === "" ? "" : ` "${node.name}"`;
  const cluster = node.cluster === "" ? "" : ` of cluster "${node.cluster}"`;
  return `Galera node${name} at ${node.endpoint}${cluster}`;
}

function errorField(error: unknown, field: "code" | "errno"): unknown {
  if (typeof error !== "object" || error === null) return undefined;
  const fields = (error as { fields?: Record<string, unknown> }).fields;
  if (fields?.[field] !== undefined) return fields[field];
  const direct = (error as Record<string, unknown>)[field];
  if (direct !== undefined) return direct;
  const cause = (error as { cause?: unknown }).cause;
  return cause === undefined || cause === error ? undefined : errorField(cause, field);
}

/**
 * A write Galera refused because another node's committed write touched the
 * same rows (certification failure, brute-force abort): MariaDB reports both
 * as ER_LOCK_DEADLOCK. The transaction is gone and may be run again.
 */
export function isGaleraConflict(error: unknown): boolean {
  return errorField(error, "errno") === 1213 || /WSREP detected deadlock\/conflict/i.test(messageOf(error));
}

const LOST_CODES = new Set([
  "PROTOCOL_CONNECTION_LOST",
  "ECONNRESET",
  "EPIPE",
  "ECONNREFUSED",
  "ETIMEDOUT",
  "ER_SERVER_SHUTDOWN",
]);

/** The node went away (crash, kill, network) or refuses work because it left the primary component. */
export function isNodeGone(error: unknown): boolean {
  const code = errorField(error, "code");
  const errno = errorField(error, "errno");
  // 1047: "WSREP has not yet prepared node for application use"; 1053: server shutdown in progress.
  if (errno === 1047 || errno === 1053 || errno === 2013 || errno === 2006) return true;
  if (typeof code === "string" && LOST_CODES.has(code)) return true;
  return /connection (was )?lost|closed state|WSREP has not yet prepared node/i.test(messageOf(error));
}

function nodeError(node: GaleraNode, error: unknown): DatabaseError {
  if (!isNodeGone(error)) return error instanceof DatabaseError ? error : new DatabaseError(messageOf(error), { cause: error });
  return new DatabaseError(
    // No closing period: a failed step's report continues after this message.
    `${describeNode(node)} went away or left the cluster during the run (${messageOf(error).replace(/\.$/, "")}); ` +
      "what tidemark committed before that is in the cluster: run the command again against a surviving node",
    { cause: error, fields: { galeraNode: node.name, endpoint: node.endpoint } },
  );
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

class GaleraConnection implements Connection {
  readonly dialect = "mysql" as const;
  /** An explicit transaction is open: a conflict there rolled back more than the one statement. */
  #inTransaction = false;
  #autocommitOff = false;

  constructor(
    private readonly inner: Connection,
    private readonly node: GaleraNode,
  ) {}

  async query<R extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<R[]> {
    try {
      return await this.inner.query<R>(sql, params);
    } catch (error) {
      throw nodeError(this.node, error);
    }
  }

  async execute(sql: string, params?: readonly unknown[]): Promise<ExecResult> {
    this.track(sql);
    try {
      return await this.inner.execute(sql, params);
    } catch (error) {
      throw nodeError(this.node, error);
    }
  }

  async executeBookkeeping(sql: string, params?: readonly unknown[]): Promise<ExecResult> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.inner.execute(sql, params);
      } catch (error) {
        if (this.#inTransaction || !isGaleraConflict(error) || attempt >= BOOKKEEPING_ATTEMPTS) throw nodeError(this.node, error);
        await pause(BOOKKEEPING_BACKOFF_MS * attempt);
      }
    }
  }

  lost(): Error | undefined {
    return this.inner.lost();
  }

  get sessionId(): number | undefined {
    return this.inner.sessionId;
  }

  abandon(reason: Error): void {
    this.inner.abandon?.(reason);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /** Conservative: after a script turned autocommit off, every statement may be inside a transaction. */
  private track(sql: string): void {
    const head = sql.trimStart().slice(0, 17).toUpperCase();
    if (head.startsWith("START TRANSACTION") || head.startsWith("BEGIN")) this.#inTransaction = true;
    else if ((head.startsWith("COMMIT") || head.startsWith("ROLLBACK")) && !this.#autocommitOff) this.#inTransaction = false;
    else if (/^\s*SET\s+(SESSION\s+|@@(SESSION\.)?)?AUTOCOMMIT\s*=\s*(0|OFF)\b/i.test(sql)) {
      this.#autocommitOff = true;
      this.#inTransaction = true;
    }
  }
}
