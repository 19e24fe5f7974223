/**
 * The database side of a command: the dialect, a lazily opened connection,
 * the migration lock, and reading tidemark's own tables. Read-only commands
 * never create a database file or a table.
 */
import { existsSync } from "node:fs";
import type { Connection, DatabaseUrl, Dialect, MigrationLock, Statement } from "../dialects/dialect.js";
import type { TableModel } from "../dialects/schema-model.js";
import { LOG_TABLE, LogStore, type LogRow } from "../runtime/log-store.js";
import { VersionStore, type VersionRow } from "../runtime/version-store.js";
import { BlockedError } from "../errors.js";
import { createHash } from "../util/lazy-crypto.js";
import { watchAnswers } from "../dialects/common/answer-watchdog.js";

export interface SessionOptions {
  readonly dbSchema?: string;
  readonly lockTimeoutSeconds: number;
  /** `--statement-timeout`: the server stops a statement after this long; 0 or absent: no limit. */
  readonly statementTimeoutSeconds?: number;
  /** Told why the lock is not ready yet (a dead runner's statement still running). */
  readonly onNotice?: (message: string) => void;
}

/**
 * A statement that has a server-side limit gets this much longer before
 * tidemark stops waiting for its answer: the server's own error is the
 * better message, when it can still send one.
 */
const ANSWER_GRACE_SECONDS = 5;
/** The lock session's statements are all short (MySQL's GET_LOCK waits in slices of 5 s). */
const LOCK_ANSWER_SECONDS = 15;
/** A statement without an answer for this long makes tidemark ask the server, from a second session, whether it still runs. */
const ANSWER_CHECK_MS = 15_000;

export class Session {
  /** The session that runs the steps, once open; `connecting` while it opens. */
  private connection: Connection | undefined;
  private connecting: Promise<Connection> | undefined;
  private lockConnection: Connection | undefined;
  /** A second session for the watchdog's questions when there is no lock session (read-only commands). */
  private probeConnection: Promise<Connection> | undefined;
  readonly logStore: LogStore;
  private readonly stores = new Map<string, VersionStore>();
  private readonly existing = new Map<string, boolean>();

  constructor(
    readonly dialect: Dialect,
    readonly url: DatabaseUrl,
    readonly options: SessionOptions,
  ) {
    this.logStore = new LogStore(dialect, options.dbSchema);
  }

  /** False for a SQLite file that does not exist yet: there is nothing to read. */
  databaseExists(): boolean {
    if (this.url.path === undefined || this.url.path === ":memory:") return true;
    return existsSync(this.url.path);
  }

  connect(): Promise<Connection> {
    if (this.connecting === undefined) {
      const opening = this.open();
      this.connecting = opening;
      opening.then(
        (connection) => {
          if (this.connecting === opening) this.connection = connection;
        },
        // A failed attempt is not kept: the next call tries again.
        () => {
          if (this.connecting === opening) this.connecting = undefined;
        },
      );
    }
    return this.connecting;
  }

  private async open(): Promise<Connection> {
    const limit = this.options.statementTimeoutSeconds ?? 0;
    const connection = await this.dialect.driver.connect(this.url, {
      connectTimeoutSeconds: 10,
      lockTimeoutMs: this.options.lockTimeoutSeconds * 1000,
      ...(limit > 0 ? { statementTimeoutSeconds: limit, answerTimeoutSeconds: limit + ANSWER_GRACE_SECONDS } : {}),
    });
    const activity = this.dialect.driver.activity;
    return activity === undefined || !this.dialect.caps.dedicatedLockConnection
      ? connection
      : watchAnswers(connection, {
          activity: async (sessionId) => activity(await this.secondSession(), sessionId),
          checkAfterMs: ANSWER_CHECK_MS,
        });
  }

  /** The lock's session, else one opened for the question (its statements answer within 15 s, or fail). */
  private async secondSession(): Promise<Connection> {
    if (this.lockConnection !== undefined && this.lockConnection.lost() === undefined) return this.lockConnection;
    this.probeConnection ??= this.dialect.driver.connect(this.url, {
      connectTimeoutSeconds: 10,
      answerTimeoutSeconds: LOCK_ANSWER_SECONDS,
    });
    return this.probeConnection;
  }

  /** A connection only if the database already exists (read-only commands). */
  async connectIfExists(): Promise<Connection | undefined> {
    if (!this.databaseExists()) return undefined;
    return this.connect();
  }

  versionStore(table: string): VersionStore {
    let store = this.stores.get(table);
    if (store === undefined) {
      store = new VersionStore(this.dialect, table, this.options.dbSchema);
      this.stores.set(table, store);
    }
    return store;
  }

  async tableExists(table: string): Promise<boolean> {
    const known = this.existing.get(table);
    if (known !== undefined) return known;
    const connection = await this.connectIfExists();
    const exists =
      connection === undefined ? false : await this.dialect.introspector.tableExists(connection, table, this.options.dbSchema);
    this.existing.set(table, exists);
    return exists;
  }

  /** Version rows of a repository; none when the table does not exist. */
  async versionRows(table: string, repositoryId: string): Promise<VersionRow[]> {
    if (!(await this.tableExists(table))) return [];
    return this.versionStore(table).read(await this.connect(), repositoryId);
  }

  /** CREATE statements for tidemark's tables that are missing (and their schema). */
  async missingTableStatements(versionTables: readonly string[]): Promise<Statement[]> {
    const statements: Statement[] = [];
    const schema = this.options.dbSchema;
    if (schema !== undefined && this.dialect.transactions.createSchema !== undefined)
      statements.push(this.dialect.transactions.createSchema(schema));
    for (const table of new Set(versionTables)) {
      if (!(await this.tableExists(table))) statements.push(...this.versionStore(table).createStatements());
    }
    if (!(await this.tableExists(LOG_TABLE))) statements.push(...this.logStore.createStatements());
    return statements;
  }

  /** Tables were (probably) created by a run: forget what we knew. */
  forgetTables(): void {
    this.existing.clear();
  }

  /**
   * Steps left `running` or `failed` in the log, oldest first. A migrate
   * step whose backfill recorded its progress is resumable: the next run goes
   * on from there; every other one blocks the repository until `repair`.
   */
  async unfinishedSteps(repositoryId: string): Promise<(LogRow & { readonly resumable: boolean })[]> {
    if (!(await this.tableExists(LOG_TABLE))) return [];
    const rows = await this.logStore.unfinished(await this.connect(), repositoryId);
    return rows.map((row) => ({
      ...row,
      resumable: row.status === "running" && row.phase === "migrate" && row.progress !== null,
    }));
  }

  /**
   * A step left `running` or `failed` blocks the repository until `repair`,
   * except a migrate step whose backfill recorded its progress: it resumes.
   * Returns the resumable steps: `revision` → last finished key.
   */
  async assertNotBlocked(repository: string, repositoryId: string): Promise<Map<string, string>> {
    const rows = await this.unfinishedSteps(repositoryId);
    const resumable = new Map<string, string>();
    for (const row of rows) if (row.resumable && row.progress !== null) resumable.set(row.revision, row.progress);
    const row = rows.find((candidate) => !resumable.has(candidate.revision));
    if (row === undefined) return resumable;
    throw new BlockedError(blockedMessage(repository, row), {
      fields: { repository, revision: row.revision, phase: row.phase, status: row.status },
    });
  }

  /** Every table of the database (its schema), none when the database does not exist yet; read-only. */
  async tables(): Promise<TableModel[]> {
    const connection = await this.connectIfExists();
    if (connection === undefined) return [];
    const schema = await this.dialect.introspector.introspect(connection, {
      ...(this.options.dbSchema === undefined ? {} : { schema: this.options.dbSchema }),
      exclude: [],
    });
    return [...schema.tables];
  }

  async tableModel(table: string): Promise<TableModel | undefined> {
    const connection = await this.connect();
    const schema = await this.dialect.introspector.introspect(connection, {
      ...(this.options.dbSchema === undefined ? {} : { schema: this.options.dbSchema }),
      exclude: [],
    });
    return schema.tables.find((model) => model.name === table);
  }

  /**
   * Takes the one-runner-at-a-time lock, on a dedicated connection where the
   * dialect has session locks. Each schema has its own tables, so runners on
   * two tenants' schemas of one database do not wait for each other.
   */
  async lock(): Promise<MigrationLock> {
    const where = this.url.database ?? this.url.path ?? "";
    const key = `tidemark:${createHash("sha256")
      .update(this.options.dbSchema === undefined ? where : `${where}\0${this.options.dbSchema}`)
      .digest("hex")
      .slice(0, 16)}`;
    const timeoutMs = this.options.lockTimeoutSeconds * 1000;
    const notice = this.options.onNotice === undefined ? {} : { onWait: this.options.onNotice };
    if (!this.dialect.caps.dedicatedLockConnection)
      return this.dialect.lock.acquire(await this.connect(), key, timeoutMs, notice);
    // A silent lock session must not hang the run: its statements are short (GET_LOCK: --lock-timeout).
    const lockSession =
      this.lockConnection ??
      this.dialect.driver.connect(this.url, { connectTimeoutSeconds: 10, answerTimeoutSeconds: LOCK_ANSWER_SECONDS });
    // The session that runs the steps opens meanwhile (second, as before): both handshakes in the time of one.
    this.connect().catch(() => undefined);
    this.lockConnection = await lockSession;
    return this.dialect.lock.acquire(this.lockConnection, key, timeoutMs, notice);
  }

  /**
   * Ctrl-C: stops the statement the main connection runs, from the lock's
   * session (a second connection to the same server). False where there is
   * no such way (SQLite: its statements run in this process and end first).
   */
  async cancelRunning(): Promise<boolean> {
    const running = this.connection?.sessionId;
    const via = this.lockConnection;
    const cancel = this.dialect.driver.cancel;
    if (running === undefined || via === undefined || cancel === undefined || via.lost() !== undefined) return false;
    await cancel(via, running);
    return true;
  }

  async close(): Promise<void> {
    const probe = this.probeConnection;
    const opening = this.connecting;
    const connections = [this.lockConnection];
    this.connection = undefined;
    this.connecting = undefined;
    this.lockConnection = undefined;
    this.probeConnection = undefined;
    // One still opening (the lock was refused meanwhile) is closed once open.
    if (opening !== undefined) await (await opening.catch(() => undefined))?.close();
    for (const connection of connections) await connection?.close();
    if (probe !== undefined) await (await probe.catch(() => undefined))?.close();
  }
}

/** What blocks a repository, and how to get out of it: said the same by upgrade, current, check and status. */
export function blockedMessage(repository: string, row: LogRow): string {
  const phase = row.phase === "" ? "" : ` ${row.phase}`;
  return (
    `Repository ${repository} is blocked: step ${row.direction}${phase} of revision ${row.revision} is ` +
    `'${row.status}' in ${LOG_TABLE} since ${row.startedAt}${row.error === null ? "" : ` (${row.error})`}. ` +
    "It did not finish, so the database may hold part of it. Fix the database by hand (finish or undo that " +
    "step), then run `tidemark repair` to clear the mark (and `tidemark stamp` if you finished the step by hand)."
  );
}
