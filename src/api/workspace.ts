/**
 * What every command works in: the resolved configuration, the database URL,
 * the project (repositories and their graphs) and the database session,
 * opened on first use. Command modules take a Workspace, never the facade,
 * so that `tidemark.ts` stays a thin list of entry points and nothing in
 * `api/` imports it.
 */
import { anchorSqlitePath, parseDatabaseUrl } from "../config/database-url.js";
import { checkRequiredDbs } from "../config/migrate-cfg.js";
import { ConfigError, InterruptedError } from "../errors.js";
import { resolveConfig } from "../config/resolve.js";
import type { ResolvedConfig } from "../config/types.js";
import { loadDialect } from "../dialects/registry.js";
import type { DatabaseUrl } from "../vocabulary.js";
import { Project, type RepositoryHandle } from "./project.js";
import { loadFresh, type ScriptLoader } from "./script-cache.js";
import { Session } from "./session.js";
import type { OpenOptions, SelectOptions, TidemarkEvent } from "./types.js";

type Listener = (event: TidemarkEvent) => void;

export class Workspace {
  private sessionPromise: Promise<Session> | undefined;
  /** Steps are running (the only time an interrupt must be handled rather than exit at once). */
  private running = 0;
  private interrupted: { readonly error: InterruptedError; readonly settled: Promise<void> } | undefined;
  private readonly listeners = new Set<Listener>();
  readonly project: Project;
  readonly url: DatabaseUrl;

  private constructor(
    readonly config: ResolvedConfig,
    readonly options: OpenOptions,
    project?: Project,
    /** Where steps get their loaded scripts: afresh, or a fleet run's shared cache. */
    readonly scripts: ScriptLoader = loadFresh,
  ) {
    this.project = project ?? new Project(config);
    this.url = anchorSqlitePath(parseDatabaseUrl(config.url), config.baseDir);
    this.schema = oneSchema(options, config, this.url);
  }

  /**
   * One target of a fleet: the same configuration and project (scripts
   * scanned once) on another database URL and schema, with the run's
   * shared script cache. Listeners are the caller's to add.
   */
  static forTarget(
    base: Workspace,
    target: { readonly url: string; readonly dbSchema?: string },
    scripts: ScriptLoader,
  ): Workspace {
    const dbSchema = target.dbSchema ?? base.options.dbSchema;
    const options: OpenOptions = { ...base.options, url: target.url, ...(dbSchema === undefined ? {} : { dbSchema }) };
    return new Workspace({ ...base.config, url: target.url, urlSource: "flag" }, options, base.project, scripts);
  }

  /** The one schema of the run (see oneSchema), whatever the dialect (offline mode may render for another one). */
  private readonly schema: string | undefined;

  /** Resolves the configuration; no database is opened until a command needs one. */
  static async open(options: OpenOptions): Promise<Workspace> {
    const config = await resolveConfig({
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      ...(options.configFiles === undefined ? {} : { configFiles: options.configFiles }),
      ...(options.url === undefined ? {} : { url: options.url }),
      ...(options.env === undefined ? {} : { env: options.env }),
      ...(options.config === undefined ? {} : { config: options.config }),
    });
    return new Workspace(config, options);
  }

  listen(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  notify(event: TidemarkEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  /** `--schema`, else config `dbSchema`, else the URL's `?schema=`: they never disagree (see oneSchema). */
  get requestedSchema(): string | undefined {
    return this.schema;
  }

  /** The schema of tidemark's tables in the connected database: the requested one where the dialect has schemas. */
  async dbSchema(): Promise<string | undefined> {
    return (await this.session()).options.dbSchema;
  }

  /** The database session, created on first use (the dialect module loads then). */
  session(): Promise<Session> {
    this.sessionPromise ??= loadDialect(this.url.dialect).then((dialect) => {
      const dbSchema = dialect.caps.schemas ? this.requestedSchema : undefined;
      // Unqualified names in scripts land in the schema too: the session's search path is set to it.
      const url = dbSchema === undefined ? this.url : { ...this.url, params: { ...this.url.params, schema: dbSchema } };
      return new Session(dialect, url, {
        ...(dbSchema === undefined ? {} : { dbSchema }),
        lockTimeoutSeconds: this.options.lockTimeoutSeconds ?? this.config.lockTimeoutSeconds,
        statementTimeoutSeconds: this.options.statementTimeoutSeconds ?? this.config.statementTimeoutSeconds,
        onNotice: (message) => this.notify({ type: "notice", message }),
      });
    });
    return this.sessionPromise;
  }

  /** Repositories a changing command acts on, with their graphs checked and their dialect allowed. */
  selectForChange(options: SelectOptions): RepositoryHandle[] {
    const repositories = this.project.select(options);
    for (const repository of repositories) checkRequiredDbs(repository.config, this.url.dialect);
    return repositories;
  }

  /** The repository a single-repository command (show, revision, merge) acts on. */
  repository(name: string | undefined): RepositoryHandle {
    return this.project.repository(name ?? this.project.defaultRepositoryName());
  }

  /** Runs steps; while it does, an interrupt stops them instead of ending the process. */
  async whileRunning<T>(work: () => Promise<T>): Promise<T> {
    this.running += 1;
    try {
      return await work();
    } finally {
      this.running -= 1;
    }
  }

  /** Set once SIGINT/SIGTERM asked the run to stop: no statement starts after it. */
  get interruption(): { readonly error: InterruptedError; readonly settled: Promise<void> } | undefined {
    return this.interrupted;
  }

  /**
   * SIGINT/SIGTERM. While steps run: no further statement starts, and the one
   * running is cancelled on the server (from a second session), so that its
   * transaction rolls back — or, where DDL cannot roll back, the step is
   * recorded as failed. Returns false when nothing runs: the caller may exit.
   */
  interrupt(signal: string): boolean {
    if (this.running === 0) return false;
    if (this.interrupted !== undefined) return true;
    const error = new InterruptedError(`interrupted by ${signal}`, { fields: { signal } });
    const settled = (async () => {
      try {
        await (await this.sessionPromise)?.cancelRunning();
      } catch {
        // The statement may have ended on its own; the runner stops at the next one anyway.
      }
    })();
    this.interrupted = { error, settled };
    return true;
  }

  async close(): Promise<void> {
    const session = this.sessionPromise;
    this.sessionPromise = undefined;
    if (session !== undefined) await (await session).close();
  }
}

/**
 * The schema of tidemark's tables and of the scripts' unqualified names has
 * one value: `--schema` (or `Tidemark.open({ dbSchema })`), config
 * `dbSchema` and the URL's `?schema=` may each give it, but two that differ
 * are refused — once, tidemark's tables went to one and the scripts' tables
 * to the other. `--schema` overrides config `dbSchema` as any flag does.
 */
function oneSchema(options: OpenOptions, config: ResolvedConfig, url: DatabaseUrl): string | undefined {
  const requested =
    options.dbSchema !== undefined
      ? { name: options.dbSchema, from: `--schema "${options.dbSchema}"` }
      : config.dbSchema !== undefined
        ? { name: config.dbSchema, from: `config dbSchema "${config.dbSchema}"` }
        : undefined;
  const fromUrl = url.params["schema"] === "" ? undefined : url.params["schema"];
  if (requested === undefined || fromUrl === undefined) return requested?.name ?? fromUrl;
  if (requested.name === fromUrl) return fromUrl;
  throw new ConfigError(
    `${requested.from} and the database URL's ?schema=${fromUrl} name different schemas. tidemark's tables and the ` +
      "scripts' unqualified names must land in one schema: give it once, or give the same name in both.",
    { fields: { schema: requested.name, urlSchema: fromUrl } },
  );
}
