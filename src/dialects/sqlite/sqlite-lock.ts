/**
 * SQLite's migration lock is its own write lock; there is nothing to take
 * here. Each step begins with `BEGIN IMMEDIATE`, which waits for the write
 * lock up to the busy timeout (ConnectOptions.lockTimeoutMs, i.e.
 * --lock-timeout) and then fails with LockTimeoutError (see the driver);
 * inside that transaction the runner re-reads the version rows, so a second
 * runner that waited sees the work the first one committed and skips it.
 * Holding a lock across steps would need a lock file, which a crash would
 * leave behind; SQLite's own lock dies with the process.
 */
import type { Connection, MigrationLock } from "../dialect.js";

/** Nothing is held between steps, so nothing can be lost: each step's fence does the checking. */
const NO_LOCK: MigrationLock = Object.freeze({
  verify: async () => undefined,
  release: async () => undefined,
});

export async function lockSqlite(_connection: Connection, _key: string, _timeoutMs: number): Promise<MigrationLock> {
  return NO_LOCK;
}
