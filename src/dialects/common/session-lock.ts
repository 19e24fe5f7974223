/**
 * A migration lock that lives in one database session (PostgreSQL advisory
 * lock, MySQL GET_LOCK): it is held exactly as long as that session. So
 * `verify` asks the connection whether the session is known to be gone
 * (free: the driver saw the socket close) and, now and then, asks the
 * server whether the session still holds the lock.
 */
import { LockLostError } from "../../errors.js";
import type { Connection, MigrationLock, Statement } from "../dialect.js";

/** A round trip to the server at most this often; in between, the driver's own view of the socket. */
const CHECK_EVERY_MS = 2_000;
/** Releasing waits no longer than this: a silent session is closed anyway, which frees the lock. */
const RELEASE_WAIT_MS = 2_000;

export interface SessionLockSpec {
  readonly connection: Connection;
  /** What the lock is called in messages. */
  readonly describe: string;
  /** Asks the server; true while this session still holds the lock. */
  readonly held: () => Promise<boolean>;
  readonly release: () => Promise<void>;
  /** See MigrationLock.heldCondition. */
  readonly heldCondition?: Statement;
}

export function sessionLock(spec: SessionLockSpec): MigrationLock {
  let checkedAt = Date.now();
  let released = false;
  const lost = (why: string, cause?: unknown): LockLostError =>
    new LockLostError(
      `The migration lock ${spec.describe} was lost (${why}), so another runner may be running now. This run stops ` +
        "before its next step: the steps it finished are committed, the one in progress was rolled back or fenced off. " +
        "Run the command again.",
      cause === undefined ? {} : { cause },
    );
  return {
    ...(spec.heldCondition === undefined ? {} : { heldCondition: spec.heldCondition }),
    async verify(fresh = false) {
      const gone = spec.connection.lost();
      if (gone !== undefined) throw lost(`its database session ended: ${gone.message}`, gone);
      if (!fresh && Date.now() - checkedAt < CHECK_EVERY_MS) return;
      let holds: boolean;
      try {
        holds = await spec.held();
      } catch (error) {
        throw lost("its database session does not answer", error);
      }
      if (!holds) throw lost("the server says this session no longer holds it");
      checkedAt = Date.now();
    },
    async release() {
      if (released) return;
      released = true;
      if (spec.connection.lost() !== undefined) return;
      let timer: NodeJS.Timeout | undefined;
      const enough = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, RELEASE_WAIT_MS);
      });
      try {
        await Promise.race([spec.release(), enough]);
      } catch {
        // Session-level: if the session is unusable, closing it frees the lock.
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
