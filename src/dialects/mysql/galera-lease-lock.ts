/**
 * The migration lock on a Galera cluster. GET_LOCK belongs to one node, so a
 * runner on another node would not wait for it; instead the lock is a lease
 * row in `tidemark_lock`, taken and renewed by committed transactions. Two
 * runners on different nodes that take a free lease at once both update the
 * row; certification lets the first commit through and refuses the second
 * (a deadlock error, or zero rows once it sees the winner), which is read as
 * "someone else got it".
 *
 * A held lease is renewed in the background. A runner that dies stops
 * renewing, and a waiter takes the lease over once it has seen the row
 * unchanged for a whole lease period, measured on the waiter's own clock: no
 * trust in the clocks of other nodes, and a renewal that a long TOI DDL held
 * up still counts when it lands.
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Connection, MigrationLock } from "../dialect.js";
import { LockLostError, LockTimeoutError, messageOf } from "../../errors.js";
import { describeNode, isGaleraConflict, isNodeGone, type GaleraNode } from "./galera-session.js";
import { mysqlTableExists } from "./mysql-introspector.js";
import { monotonicMs } from "../../util/clock.js";

export const LEASE_TABLE = "tidemark_lock";
export const DEFAULT_LEASE_SECONDS = 20;

export interface LeaseOptions {
  /** How long a lease lives without renewal. Default TIDEMARK_GALERA_LEASE_SECONDS, else 20 s. */
  readonly leaseMs?: number;
  /** Who holds it, for the messages of waiting runners. Default "HOST pid PID". */
  readonly holder?: string;
}

interface LeaseRow {
  token: string | null;
  holder: string | null;
  node: string | null;
  renewals: number | string;
  acquired_at: string | Date | null;
  renewed_at: string | Date | null;
}

export function leaseMsFromEnvironment(): number {
  const seconds = Number(process.env["TIDEMARK_GALERA_LEASE_SECONDS"]);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : DEFAULT_LEASE_SECONDS * 1000;
}

const CREATE_TABLE =
  `CREATE TABLE IF NOT EXISTS \`${LEASE_TABLE}\` (` +
  "`name` VARCHAR(64) NOT NULL, `token` VARCHAR(64) NULL, `holder` VARCHAR(255) NULL, `node` VARCHAR(255) NULL, " +
  "`renewals` BIGINT NOT NULL DEFAULT 0, `acquired_at` DATETIME(3) NULL, `renewed_at` DATETIME(3) NULL, " +
  "`expires_at` DATETIME(3) NULL, PRIMARY KEY (`name`)) ENGINE=InnoDB";
const SELECT_ROW = `SELECT token, holder, node, renewals, acquired_at, renewed_at FROM \`${LEASE_TABLE}\` WHERE name = ?`;
const EXPIRES = "DATE_ADD(UTC_TIMESTAMP(3), INTERVAL ? MICROSECOND)";
const TAKE =
  `UPDATE \`${LEASE_TABLE}\` SET token = ?, holder = ?, node = ?, renewals = renewals + 1, ` +
  `acquired_at = UTC_TIMESTAMP(3), renewed_at = UTC_TIMESTAMP(3), expires_at = ${EXPIRES} ` +
  "WHERE name = ? AND token <=> ? AND renewals = ?";
const RENEW =
  `UPDATE \`${LEASE_TABLE}\` SET renewals = renewals + 1, renewed_at = UTC_TIMESTAMP(3), expires_at = ${EXPIRES} ` +
  "WHERE name = ? AND token = ?";
const RELEASE =
  `UPDATE \`${LEASE_TABLE}\` SET token = NULL, holder = NULL, node = NULL, renewals = renewals + 1, expires_at = NULL ` +
  "WHERE name = ? AND token = ?";

const RELEASE_ATTEMPTS = 5;

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Errors worth waiting out: a conflict, or a causal read that timed out behind a long TOI DDL. */
function transient(error: unknown): boolean {
  if (isNodeGone(error)) return false;
  const errno = (error as { fields?: Record<string, unknown> }).fields?.["errno"];
  return isGaleraConflict(error) || errno === 1205;
}

function text(value: string | Date | null): string {
  if (value === null) return "?";
  return value instanceof Date ? value.toISOString().replace("T", " ").replace("Z", "") : String(value);
}

/** Takes the lease `key` through `connection` (a dedicated one), waiting up to `timeoutMs`. */
export async function takeGaleraLease(
  connection: Connection,
  node: GaleraNode,
  key: string,
  timeoutMs: number,
  options: LeaseOptions = {},
): Promise<MigrationLock> {
  const leaseMs = options.leaseMs ?? leaseMsFromEnvironment();
  const holder = options.holder ?? `${hostname()} pid ${process.pid}`;
  const token = randomBytes(16).toString("hex");
  const nodeText = describeNode(node);
  await ensureLeaseRow(connection, key);
  const deadline = monotonicMs() + Math.max(0, timeoutMs);
  // The row as this waiter last saw it change, and when (this process's clock).
  let seen: { token: string | null; renewals: string; since: number } | undefined;
  let last: LeaseRow | undefined;
  for (;;) {
    try {
      const [row] = await connection.query<LeaseRow & Record<string, unknown>>(SELECT_ROW, [key]);
      if (row === undefined) {
        await ensureLeaseRow(connection, key);
        continue;
      }
      last = row;
      const renewals = String(row.renewals);
      const now = monotonicMs();
      if (seen === undefined || seen.token !== row.token || seen.renewals !== renewals)
        seen = { token: row.token, renewals, since: now };
      if (row.token === null || now - seen.since >= leaseMs) {
        const taken = await connection.execute(TAKE, [token, holder, nodeText, leaseMs * 1000, key, row.token, renewals]);
        if (taken.affectedRows === 1) return new HeldLease(connection, key, token, leaseMs).asMigrationLock();
      }
    } catch (error) {
      if (!transient(error)) throw error;
    }
    const remaining = deadline - monotonicMs();
    if (remaining <= 0) throw timeoutError(key, timeoutMs, leaseMs, last);
    await pause(Math.min(remaining, 150 + Math.random() * 200));
  }
}

/** The table (created once, under TOI) and the lease's row; a row inserted on two nodes at once is one row. */
async function ensureLeaseRow(connection: Connection, key: string): Promise<void> {
  if (!(await mysqlTableExists(connection, LEASE_TABLE))) await connection.execute(CREATE_TABLE);
  try {
    await connection.execute(`INSERT IGNORE INTO \`${LEASE_TABLE}\` (name, renewals) VALUES (?, 0)`, [key]);
  } catch (error) {
    if (!isGaleraConflict(error)) throw error;
  }
}

function timeoutError(key: string, timeoutMs: number, leaseMs: number, row: LeaseRow | undefined): LockTimeoutError {
  const head = `Could not take the migration lock "${key}" (a Galera lease in ${LEASE_TABLE}) within ${timeoutMs / 1000} s`;
  const who =
    row === undefined || row.token === null
      ? "other runners kept taking it first"
      : `it is held by ${row.holder ?? "an unknown runner"} through ${row.node ?? "an unknown node"}, ` +
        `taken at ${text(row.acquired_at)} UTC, last renewed at ${text(row.renewed_at)} UTC`;
  return new LockTimeoutError(
    `${head}: ${who}. Another tidemark run is probably in progress: wait for it to finish, or raise --lock-timeout. ` +
      `A runner that was killed stops renewing its lease, which then frees itself ${leaseMs / 1000} s after its last renewal.`,
    { fields: { key, timeoutMs, leaseMs, holder: row?.holder ?? null, holderNode: row?.node ?? null } },
  );
}

/** A lease this runner holds: renewed in the background until released or lost. */
class HeldLease implements MigrationLock {
  #timer: NodeJS.Timeout | undefined;
  #renewing: Promise<void> = Promise.resolve();
  #lastRenewed = monotonicMs();
  #lost: string | undefined;
  #released = false;

  constructor(
    private readonly connection: Connection,
    private readonly key: string,
    private readonly token: string,
    private readonly leaseMs: number,
  ) {
    this.schedule();
  }

  asMigrationLock(): MigrationLock {
    return { release: () => this.release(), verify: () => this.verify() };
  }

  private schedule(): void {
    if (this.#released || this.#lost !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#renewing = this.renew().finally(() => this.schedule());
    }, this.leaseMs / 4);
    // The lease must not keep a finished command alive.
    this.#timer.unref();
  }

  private async renew(): Promise<void> {
    try {
      const renewed = await this.connection.execute(RENEW, [this.leaseMs * 1000, this.key, this.token]);
      if (renewed.affectedRows === 1) {
        this.#lastRenewed = monotonicMs();
        return;
      }
      this.#lost = "another runner took it over";
    } catch (error) {
      // One failed renewal is not a lost lease: the next one may pass before the lease runs out.
      if (monotonicMs() - this.#lastRenewed >= this.leaseMs) this.#lost = `it could not be renewed (${messageOf(error)})`;
    }
  }

  async verify(): Promise<void> {
    if (this.#released) throw this.lostError("it was released");
    if (this.#lost === undefined && monotonicMs() - this.#lastRenewed >= this.leaseMs) {
      this.#lost = `it was not renewed for ${this.leaseMs / 1000} s`;
    }
    if (this.#lost === undefined) {
      const [row] = await this.connection.query<{ token: string | null }>(`SELECT token FROM \`${LEASE_TABLE}\` WHERE name = ?`, [
        this.key,
      ]);
      if (row?.token !== this.token) this.#lost = "another runner took it over";
    }
    if (this.#lost !== undefined) throw this.lostError(this.#lost);
  }

  private lostError(reason: string): LockLostError {
    return new LockLostError(
      `The migration lock "${this.key}" (its Galera lease in ${LEASE_TABLE}) was lost: ${reason}. ` +
        "This run stops before its next step; run the command again.",
      { fields: { key: this.key } },
    );
  }

  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    clearTimeout(this.#timer);
    await this.#renewing;
    if (this.#lost !== undefined) return;
    for (let attempt = 1; attempt <= RELEASE_ATTEMPTS; attempt += 1) {
      try {
        await this.connection.execute(RELEASE, [this.key, this.token]);
        return;
      } catch (error) {
        // A node that is gone cannot be told; the lease then runs out by itself.
        if (!transient(error)) return;
        await pause(50 * attempt);
      }
    }
  }
}
