/**
 * The PostgreSQL migration lock: a session-level advisory lock on a 64-bit
 * hash of the key, so it dies with the session (a killed runner frees it at
 * once) and never depends on a transaction. It is polled with
 * pg_try_advisory_lock rather than waited for with `lock_timeout`, which
 * would change session settings and abort an open transaction on timeout.
 * Advisory locks are per database, so the same key in two databases of one
 * server does not collide.
 *
 * The lock dies with its runner, but a killed runner's statement may not: a
 * backend runs its statement to the end before it notices that its client is
 * gone (unless client_connection_check_interval stops it). With the lock
 * taken, any other busy session of tidemark in the database is such a
 * leftover; it may hold the locks the next step needs, so the wait for it
 * is reported and counts against the same --lock-timeout.
 */
import { createHash } from "../../util/lazy-crypto.js";
import type { Connection, LockWaitOptions, MigrationLock } from "../dialect.js";
import { sessionLock } from "../common/session-lock.js";
import { LockTimeoutError } from "../../errors.js";

/**
 * With the lock, its session also takes the advisory lock (SESSION_MARK,
 * its own pid): no other session ever takes that one, so another session
 * can ask cheaply whether this one is still there and holds the lock — a
 * shared try of it fails while it is held. pg_locks would tell the same,
 * but reading it costs ~0.15 ms per step. (Two int4 keys are a key space
 * of their own, apart from the 64-bit keys of the lock itself.)
 */
const SESSION_MARK = 0x7469646d; // "tidm"

const FIRST_WAIT_MS = 25;
const LONGEST_WAIT_MS = 250;

/** The signed 64-bit advisory lock id for a key (first 8 bytes of its SHA-256). */
export function advisoryLockId(key: string): bigint {
  return createHash("sha256").update(key).digest().readBigInt64BE(0);
}

export async function lockPostgres(
  connection: Connection,
  key: string,
  timeoutMs: number,
  options: LockWaitOptions = {},
): Promise<MigrationLock> {
  const id = advisoryLockId(key).toString();
  const deadline = Date.now() + Math.max(0, timeoutMs);
  const pid = connection.sessionId;
  // The mark in the same round trip, taken only with the lock (CASE evaluates its branch only when chosen).
  const tryLock =
    pid === undefined
      ? "SELECT pg_try_advisory_lock(?::bigint) AS locked"
      : `SELECT CASE WHEN pg_try_advisory_lock(?::bigint) THEN pg_try_advisory_lock(${SESSION_MARK}, pg_backend_pid()) ELSE false END AS locked`;
  let wait = FIRST_WAIT_MS;
  for (;;) {
    const [row] = await connection.query<{ locked: boolean }>(tryLock, [id]);
    if (row?.locked === true) break;
    const left = deadline - Date.now();
    if (left <= 0)
      throw new LockTimeoutError(await timeoutMessage(connection, key, id, timeoutMs), { fields: { key, timeoutMs } });
    await new Promise((resolve) => setTimeout(resolve, Math.min(wait, left)));
    wait = Math.min(wait * 2, LONGEST_WAIT_MS);
  }
  const unlock =
    pid === undefined
      ? "SELECT pg_advisory_unlock(?::bigint) AS unlocked"
      : `SELECT pg_advisory_unlock(?::bigint) AS unlocked, pg_advisory_unlock(${SESSION_MARK}, pg_backend_pid()) AS unmarked`;
  try {
    await waitForLeftovers(connection, deadline, timeoutMs, options);
  } catch (error) {
    await connection.query(unlock, [id]).catch(() => undefined);
    throw error;
  }
  const big = BigInt.asUintN(64, BigInt(id));
  const halves = [(big >> 32n).toString(), (big & 0xffffffffn).toString()];
  return sessionLock({
    connection,
    describe: `"${key}" (PostgreSQL advisory lock)`,
    held: async () => {
      const [row] = await connection.query<{ held: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1
            AND pid = pg_backend_pid() AND classid::bigint = ? AND objid::bigint = ?) AS held`,
        halves,
      );
      return row?.held === true;
    },
    ...(pid === undefined
      ? {}
      : { heldCondition: { sql: `NOT pg_try_advisory_xact_lock_shared(${SESSION_MARK}, ?::int)`, params: [pid] } }),
    release: async () => {
      await connection.query(unlock, [id]);
    },
  });
}

interface HolderRow {
  readonly pid: number;
  readonly application_name: string | null;
  readonly usename: string | null;
  readonly client_addr: string | null;
  readonly backend_start: Date | null;
  [key: string]: unknown;
}

async function timeoutMessage(connection: Connection, key: string, id: string, timeoutMs: number): Promise<string> {
  const head = `Could not take the PostgreSQL migration lock "${key}" within ${timeoutMs / 1000} s`;
  const tail = "Another tidemark run is probably in progress: wait for it to finish, or raise --lock-timeout.";
  let holder: HolderRow | undefined;
  try {
    const big = BigInt.asUintN(64, BigInt(id));
    [holder] = await connection.query<HolderRow>(
      `SELECT l.pid, a.application_name, a.usename, a.client_addr::text AS client_addr, a.backend_start
         FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
          AND l.classid::bigint = ? AND l.objid::bigint = ?
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [(big >> 32n).toString(), (big & 0xffffffffn).toString()],
    );
  } catch {
    holder = undefined; // Who holds it is a courtesy; the timeout is the error.
  }
  if (holder === undefined) return `${head}: another session holds it. ${tail}`;
  const about = [
    holder.application_name ? `application "${holder.application_name}"` : undefined,
    holder.usename ? `user "${holder.usename}"` : undefined,
    holder.client_addr ? `from ${holder.client_addr}` : undefined,
    holder.backend_start ? `connected since ${new Date(holder.backend_start).toISOString()}` : undefined,
  ].filter((part) => part !== undefined);
  return `${head}: it is held by the session with pid ${holder.pid}${about.length > 0 ? ` (${about.join(", ")})` : ""}. ${tail}`;
}

interface LeftoverRow {
  readonly pid: number;
  readonly state: string;
  readonly query: string | null;
  readonly seconds: number | null;
  [key: string]: unknown;
}

/** Busy sessions of tidemark (same application_name) in this database, other than this one: a dead runner's. */
const LEFTOVERS = `SELECT pid, state, query,
    EXTRACT(EPOCH FROM clock_timestamp() - COALESCE(query_start, xact_start, backend_start))::float8 AS seconds
  FROM pg_stat_activity
 WHERE datname = current_database() AND pid <> pg_backend_pid()
   AND application_name = current_setting('application_name')
   AND state IS NOT NULL AND state <> 'idle'
 ORDER BY pid`;

async function waitForLeftovers(
  connection: Connection,
  deadline: number,
  timeoutMs: number,
  options: LockWaitOptions,
): Promise<void> {
  const told = new Set<number>();
  let wait = FIRST_WAIT_MS;
  for (;;) {
    const rows = await connection.query<LeftoverRow>(LEFTOVERS);
    if (rows.length === 0) return;
    for (const row of rows) {
      if (told.has(row.pid)) continue;
      told.add(row.pid);
      options.onWait?.(
        `Waiting for a statement of an earlier tidemark run that is still running on the server (its runner is gone): ` +
          `${describeLeftover(row)}. It may hold locks the next step needs; tidemark waits for it up to --lock-timeout ` +
          `(${timeoutMs / 1000} s). \`SELECT pg_cancel_backend(${row.pid})\` stops it.`,
      );
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      const first = rows[0] as LeftoverRow;
      throw new LockTimeoutError(
        `A statement of an earlier tidemark run is still running on the server after --lock-timeout (${timeoutMs / 1000} s): ` +
          `${rows.map(describeLeftover).join("; ")}. Its runner is gone, but the server has not stopped it, and it may hold ` +
          `locks the next step needs. Wait for it to finish, or stop it (\`SELECT pg_cancel_backend(${first.pid})\`, or ` +
          "pg_terminate_backend), then run the command again.",
        { fields: { pids: rows.map((row) => row.pid), timeoutMs } },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(wait, left)));
    wait = Math.min(wait * 2, LONGEST_WAIT_MS);
  }
}

function describeLeftover(row: LeftoverRow): string {
  const query = (row.query ?? "").replace(/\s+/g, " ").trim();
  const shown = query.length > 200 ? `${query.slice(0, 197)}...` : query;
  const age = row.seconds === null ? "" : `, ${row.state} for ${Math.round(Number(row.seconds))} s`;
  return `pid ${row.pid}${age}: ${shown === "" ? "(no statement text)" : shown}`;
}
