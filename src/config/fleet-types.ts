/**
 * Fleets (SPEC §3): one schema on many databases, named in the config. A
 * fleet lists its targets in the config, in a file, or in a catalog
 * database; a target is a database URL, on PostgreSQL optionally with a
 * schema (schema-per-tenant). Types only: config/fleets.ts checks and
 * resolves them, api/fleet-targets.ts reads the file or queries the catalog.
 */

/** One target: a URL, or a URL with a PostgreSQL schema and/or a stable name of its own. */
export type FleetTargetEntry =
  | string
  | {
      readonly url: string;
      /** PostgreSQL schema holding this target's tables (schema-per-tenant). */
      readonly schema?: string;
      /** Shown in reports; default: the URL without its password (and `#schema`). */
      readonly name?: string;
    };

/** `{ urls: [...] }`: the targets, in the config itself. */
export interface FleetUrlsConfig {
  readonly urls: readonly FleetTargetEntry[];
}

/** `{ file: "databases.txt" }`: one URL per line, `#` comments, `${ENV}` expanded. */
export interface FleetFileConfig {
  readonly file: string;
}

/**
 * `{ catalog: { url, sql } }`: a query on a catalog database; each row gives
 * one URL, or one PostgreSQL schema name (a schema of the catalog database),
 * or columns named `url`, `schema`, `name`.
 */
export interface FleetCatalogConfig {
  readonly catalog: { readonly url: string; readonly sql: string };
}

export type FleetConfig = FleetUrlsConfig | FleetFileConfig | FleetCatalogConfig;

export type ResolvedFleetSource =
  | {
      readonly kind: "urls";
      readonly entries: readonly FleetTargetEntry[];
      /** Relative SQLite paths resolve from here: the folder of the config file that declares the fleet. */
      readonly dir: string;
    }
  | {
      readonly kind: "file";
      /** Absolute; relative SQLite paths in it resolve from its folder. */
      readonly file: string;
    }
  | {
      readonly kind: "catalog";
      readonly url: string;
      readonly sql: string;
      readonly dir: string;
    };

export interface ResolvedFleet {
  readonly name: string;
  /** The config file (or "<inline config>") that declared it, for messages. */
  readonly declaredIn: string;
  readonly source: ResolvedFleetSource;
}
