/**
 * The MySQL/MariaDB migration lock: GET_LOCK, which belongs to the session
 * (a killed runner's lock is freed with its connection) and is server-wide,
 * so the name hashes the database together with the key; names are limited
 * to 64 characters. GET_LOCK is local to one node of a Galera cluster, so
 * there the lock is a lease row instead (galera-lease-lock.ts).
 */
import { createHash } from "../../util/lazy-crypto.js";
import type { Connection, MigrationLock } from "../dialect.js";
import { sessionLock } from "../common/session-lock.js";
import { DatabaseError, LockTimeoutError } from "../../errors.js";
import { takeGaleraLease } from "./galera-lease-lock.js";
import { galeraNodeOf } from "./galera-session.js";

/** `tidemark:` + 48 hex characters of SHA-256(database NUL key): 57 characters. */
export function mysqlLockName(database: string, key: string): string {
  return `tidemark:${createHash("sha256").update(`${database}\u0000${key}`).digest("hex").slice(0, 48)}`;
}

/** GET_LOCK waits at most this long per statement. */
const WAIT_SLICE_SECONDS = 5;

export async function lockMysql(connection: Connection, key: string, timeoutMs: number): Promise<MigrationLock> {
  const galera = galeraNodeOf(connection);
  if (galera !== undefined) return takeGaleraLease(connection, galera, key, timeoutMs);
  const [info] = await connection.query<{ db: string | null }>("SELECT DATABASE() AS db");
  const name = mysqlLockName(info?.db ?? "", key);
  const deadline = Date.now() + Math.max(0, timeoutMs);
  let got: number | null;
  // In slices: every statement of the lock's session answers within seconds, so a silent server is noticed.
  for (;;) {
    const seconds = Math.min(WAIT_SLICE_SECONDS, Math.max(0, deadline - Date.now()) / 1000);
    const [row] = await connection.query<{ got: number | null }>("SELECT GET_LOCK(?, ?) AS got", [name, seconds]);
    got = row?.got === null || row?.got === undefined ? null : Number(row.got);
    if (got !== 0 || Date.now() >= deadline) break;
  }
  if (got === null) {
    throw new DatabaseError(`GET_LOCK('${name}') failed for the migration lock "${key}" (the server returned NULL).`);
  }
  if (got !== 1) {
    throw new LockTimeoutError(await timeoutMessage(connection, key, name, timeoutMs), {
      fields: { key, lockName: name, timeoutMs },
    });
  }
  return sessionLock({
    connection,
    describe: `"${key}" (GET_LOCK name ${name})`,
    held: async () => {
      const [row] = await connection.query<{ mine: number | null }>("SELECT IS_USED_LOCK(?) = CONNECTION_ID() AS mine", [name]);
      return Number(row?.mine) === 1;
    },
    release: async () => {
      await connection.query("SELECT RELEASE_LOCK(?) AS released", [name]);
    },
  });
}

async function timeoutMessage(connection: Connection, key: string, name: string, timeoutMs: number): Promise<string> {
  const head = `Could not take the MySQL migration lock "${key}" (GET_LOCK name ${name}) within ${timeoutMs / 1000} s`;
  const tail = "Another tidemark run is probably in progress: wait for it to finish, or raise --lock-timeout.";
  try {
    const [used] = await connection.query<{ holder: number | null }>("SELECT IS_USED_LOCK(?) AS holder", [name]);
    const holder = used?.holder;
    if (holder === null || holder === undefined) return `${head}: another session held it. ${tail}`;
    const [proc] = await connection.query<{ user: string; host: string; seconds: number }>(
      "SELECT USER AS user, HOST AS host, TIME AS seconds FROM information_schema.PROCESSLIST WHERE ID = ?",
      [holder],
    );
    const about = proc === undefined ? "" : ` (user "${proc.user}" from ${proc.host}, connected for ${proc.seconds} s)`;
    return `${head}: it is held by connection id ${holder}${about}. ${tail}`;
  } catch {
    return `${head}: another session holds it. ${tail}`;
  }
}
