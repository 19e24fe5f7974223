/**
 * What every command works in: the resolved configuration, the database URL,
 * the project (repositories and their graphs) and the database session,
 * opened on first use. Command modules take a Workspace, never the facade,
 * so that `tidemark.ts` stays a thin list of entry points and nothing in
 * `api/` imports it.
 */
import { anchorSqlitePath, parseDatabaseUrl } from "../config/database-url.js";
import { checkRequiredDbs } from "../config/migrate-cfg.js";
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

  /** `--schema`, else config `dbSchema`, whatever the dialect (offline mode may render for another one). */
  get requestedSchema(): string | undefined {
    return this.options.dbSchema ?? this.config.dbSchema;
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
      const url = dbSchema === undefined ? this.url : { ...this.url, params: { schema: dbSchema, ...this.url.params } };
      return new Session(dialect, url, {
        ...(dbSchema === undefined ? {} : { dbSchema }),
        lockTimeoutSeconds: this.options.lockTimeoutSeconds ?? this.config.lockTimeoutSeconds,
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

  async close(): Promise<void> {
    const session = this.sessionPromise;
    this.sessionPromise = undefined;
    if (session !== undefined) await (await session).close();
  }
}
