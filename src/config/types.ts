import type { FleetConfig, ResolvedFleet } from "./fleet-types.js";
import type { LintConfig, LintRuleSettings } from "./lint-settings.js";

/**
 * The configuration as users write it (`TidemarkConfig`) and as the rest of
 * tidemark consumes it (`ResolvedConfig`): every default applied, every path
 * absolute, every source merged, so no other module reads config files.
 */

/** Language of the scripts `revision` writes: TypeScript, JavaScript (CommonJS or ESM, as the package is) or SQL. */
export type ScriptLanguage = "ts" | "js" | "sql";
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
  /** This repository's declared schema (module, .sql file or folder), for `diff` and `revision --autogenerate`. */
  readonly schema?: string;
  /** Name of new revision files (graph scheme), e.g. `{date}_{time}_{id}_{slug}`; wins over the top-level one. */
  readonly fileTemplate?: string;
}

export interface TidemarkConfig {
  /**
   * Database URL; `--url` and `DATABASE_URL` win over it. `${NAME}` and
   * `${NAME:-fallback}` are read from the environment (and `.env`). A
   * relative SQLite path is relative to the config's folder.
   */
  readonly url?: string | undefined;
  /** Key order is the config order; `core` is the default repository. */
  readonly repositories?: Readonly<Record<string, RepositoryConfig>>;
  /** Default version table for every repository. Default `tidemark_version`. */
  readonly versionTable?: string;
  /** The default repository's declared schema (module, .sql file or folder), for `revision --autogenerate` and `diff`. */
  readonly schema?: string;
  /** An empty scratch database where `.sql` schemas run (PostgreSQL, MySQL); default: a temporary schema or database. */
  readonly shadowUrl?: string;
  /** Globs of table names that `diff` and autogenerate leave alone (`*` any characters, `?` one). */
  readonly ignoreTables?: readonly string[];
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
  /** Named sets of databases one command runs over (`--fleet NAME`). */
  readonly fleets?: Readonly<Record<string, FleetConfig>>;
  /**
   * Name of new revision files in graph-scheme repositories: `{id}`, `{slug}`,
   * `{date}` (YYYYMMDD, UTC), `{time}` (HHMM), `{year}` … `{second}`. Default
   * `{id}_{slug}`; `init` writes `{date}_{time}_{id}_{slug}` so folders list in
   * creation order. Existing files keep their names.
   */
  readonly fileTemplate?: string;
  /** The lock and rewrite lint (`tidemark lint`, `check`): a severity per rule, e.g. `{ rules: { TM101: "warning" } }`. */
  readonly lint?: LintConfig;
}

/** Where the URL came from: `--url`, DATABASE_URL (from the environment or `.env`), the config, or the default. */
export type UrlSource = "flag" | "env" | "env-file" | "config" | "default";

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
  /** The repository's, else the config's `fileTemplate`; undefined: `{id}_{slug}`. */
  readonly fileTemplate?: string;
  /** Absolute path of the migrate.cfg that was read, for error messages. */
  readonly migrateCfg?: string;
  /** Absolute path of the declared schema: `repositories.NAME.schema`, or the top-level `schema` for the default repository. */
  readonly schema?: string;
}

export interface ResolvedConfig {
  readonly url: string;
  readonly urlSource: UrlSource;
  /** In config order. */
  readonly repositories: readonly ResolvedRepository[];
  readonly versionTable: string;
  /** Absolute path of the top-level declared schema (the default repository's). */
  readonly schemaModule?: string;
  readonly shadowUrl?: string;
  readonly ignoreTables: readonly string[];
  readonly dbSchema?: string;
  readonly lockTimeoutSeconds: number;
  /** 0: no limit. */
  readonly statementTimeoutSeconds: number;
  readonly language?: ScriptLanguage;
  /** Absolute paths of the config files read, in merge order. */
  readonly configFiles: readonly string[];
  /** Directory of the first config file, else the working directory: where `.env` and relative SQLite paths are. */
  readonly baseDir: string;
  /** By name; a later config file's fleet of the same name replaces the earlier one. */
  readonly fleets?: Readonly<Record<string, ResolvedFleet>>;
  /** Lint severities the config sets, by rule id; rules left out keep their defaults. */
  readonly lintRules?: LintRuleSettings;
}
