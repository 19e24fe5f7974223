/**
 * The configuration as users write it (`TidemarkConfig`) and as the rest of
 * tidemark consumes it (`ResolvedConfig`): every default applied, every path
 * absolute, every source merged, so no other module reads config files.
 */

export type ScriptLanguage = "ts" | "sql";
export type IdScheme = "numbered" | "graph";

export interface RepositoryConfig {
  /** Folder of the scripts; relative to the directory of the config file that declares it. */
  readonly path: string;
  /** keystone's `--extension NAME` repositories. Default false. */
  readonly extension?: boolean;
  /** Force the rolling (expand/migrate/contract) model; otherwise detected from the scripts. */
  readonly rolling?: boolean;
  /** Version table of this repository (a `migrate.cfg` in the folder wins). */
  readonly versionTable?: string;
  /** repository id stored in the version table; default the repository's name. */
  readonly id?: string;
  /** Names of repositories that must be migrated before this one. */
  readonly dependsOn?: readonly string[];
  readonly scheme?: IdScheme;
}

export interface TidemarkConfig {
  /** Database URL; `--url` wins over it, it wins over `DATABASE_URL`. */
  readonly url?: string | undefined;
  /** Key order is the config order; `core` is the default repository. */
  readonly repositories?: Readonly<Record<string, RepositoryConfig>>;
  /** Default version table for every repository. Default `tidemark_version`. */
  readonly versionTable?: string;
  /** Module declaring the schema, for `revision --autogenerate` and `diff`. */
  readonly schema?: string;
  /** PostgreSQL schema holding tidemark's tables and unqualified names. Default: the search path. */
  readonly dbSchema?: string;
  /** Seconds to wait for the migration lock. Default 60. */
  readonly lockTimeout?: number;
  /**
   * Seconds any one statement may run on tidemark's connection before the
   * server stops it (and tidemark stops waiting 5 s later: a silent server).
   * Default 0: no limit, as a long CREATE INDEX may need.
   */
  readonly statementTimeout?: number;
  /** Language of the scripts `revision` writes. */
  readonly language?: ScriptLanguage;
}

export type UrlSource = "flag" | "config" | "env" | "default";

export interface ResolvedRepository {
  readonly name: string;
  /** Absolute folder. It may not exist yet (`init`, a first `revision`). */
  readonly path: string;
  /** repository_id: migrate.cfg > config `id` > name. */
  readonly id: string;
  /** migrate.cfg > repository config > global config > `tidemark_version`. */
  readonly versionTable: string;
  readonly extension: boolean;
  /** Only set when the config says so; undefined means "detect from the scripts". */
  readonly rolling?: boolean;
  /** From migrate.cfg; empty allows every dialect. */
  readonly requiredDbs: readonly string[];
  readonly dependsOn: readonly string[];
  readonly scheme?: IdScheme;
  /** Absolute path of the migrate.cfg that was read, for error messages. */
  readonly migrateCfg?: string;
}

export interface ResolvedConfig {
  readonly url: string;
  readonly urlSource: UrlSource;
  /** In config order. */
  readonly repositories: readonly ResolvedRepository[];
  readonly versionTable: string;
  /** Absolute path of the declared schema module. */
  readonly schemaModule?: string;
  readonly dbSchema?: string;
  readonly lockTimeoutSeconds: number;
  /** 0: no limit. */
  readonly statementTimeoutSeconds: number;
  readonly language?: ScriptLanguage;
  /** Absolute paths of the config files read, in merge order. */
  readonly configFiles: readonly string[];
  /** Directory of the first config file, else the working directory. */
  readonly baseDir: string;
}
