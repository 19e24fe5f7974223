/**
 * The PostgreSQL migration lock: a session-level advisory lock on a 64-bit
 * hash of the key, so it dies with the session (a killed runner frees it at
 * once) and never depends on a transaction. It is polled with
 * pg_try_advisory_lock rather than waited for with `lock_timeout`, which
 * would change session settings and abort an open transaction on timeout.
 * Advisory locks are per database, so the same key in two databases of one
 * server does not collide.
 */
import { createHash } from "../../util/lazy-crypto.js";
import type { Connection, MigrationLock } from "../dialect.js";
import { sessionLock } from "../common/session-lock.js";
import { LockTimeoutError } from "../../errors.js";

const FIRST_WAIT_MS = 25;
const LONGEST_WAIT_MS = 250;

/** The signed 64-bit advisory lock id for a key (first 8 bytes of its SHA-256). */
export function advisoryLockId(key: string): bigint {
  return createHash("sha256").update(key).digest().readBigInt64BE(0);
}

export async function lockPostgres(connection: Connection, key: string, timeoutMs: number): Promise<MigrationLock> {
  const id = advisoryLockId(key).toString();
  const deadline = Date.now() + Math.max(0, timeoutMs);
  let wait = FIRST_WAIT_MS;
  for (;;) {
    const [row] = await connection.query<{ locked: boolean }>("SELECT pg_try_advisory_lock(?::bigint) AS locked", [id]);
    if (row?.locked === true) break;
    const left = deadline - Date.now();
    if (left <= 0)
      throw new LockTimeoutError(await timeoutMessage(connection, key, id, timeoutMs), { fields: { key, timeoutMs } });
    await new Promise((resolve) => setTimeout(resolve, Math.min(wait, left)));
    wait = Math.min(wait * 2, LONGEST_WAIT_MS);
  }
  const big = BigInt.asUintN(64, BigInt(id));
  return sessionLock({
    connection,
    describe: `"${key}" (PostgreSQL advisory lock)`,
    held: async () => {
      const [row] = await connection.query<{ held: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1
            AND pid = pg_backend_pid() AND classid::bigint = ? AND objid::bigint = ?) AS held`,
        [(big >> 32n).toString(), (big & 0xffffffffn).toString()],
      );
      return row?.held === true;
    },
    release: async () => {
      await connection.query("SELECT pg_advisory_unlock(?::bigint) AS unlocked", [id]);
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
