/**
 * Turns flags, config files, the environment and migrate.cfg files into the
 * one ResolvedConfig the rest of tidemark reads. Precedence of the URL:
 * `--url` > config file(s) > `DATABASE_URL` > `sqlite:tidemark.db`.
 */
import { realpathSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { ConfigError } from "../errors.js";
import { findConfigFiles } from "./find.js";
import { loadConfigFile } from "./load.js";
import type { MergedConfig, MergedRepository, SourcedLayer } from "./merge.js";
import { mergeLayers } from "./merge.js";
import { readMigrateCfg } from "./migrate-cfg.js";
import type { ResolvedConfig, ResolvedRepository, TidemarkConfig, UrlSource } from "./types.js";
import { validateConfig } from "./validate.js";

export const DEFAULT_URL = "sqlite:tidemark.db";
export const DEFAULT_VERSION_TABLE = "tidemark_version";
export const DEFAULT_LOCK_TIMEOUT_SECONDS = 60;
export const DEFAULT_REPOSITORY = "core";
export const DEFAULT_REPOSITORY_PATH = "migrations";
export const INLINE_CONFIG = "<inline config>";

export interface ResolveOptions {
  /** Default `process.cwd()`. */
  readonly cwd?: string;
  /** `--config` files in order; relative to `cwd`. Empty or absent: look for tidemark.config.* in `cwd`. */
  readonly configFiles?: readonly string[];
  /** `--url`. */
  readonly url?: string;
  /** Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** A config given in code (`Tidemark.open(config)`): merged after the files, paths relative to `cwd`. */
  readonly config?: TidemarkConfig;
}

function pickUrl(
  options: ResolveOptions,
  merged: MergedConfig,
  env: ResolveOptions["env"],
): {
  url: string;
  urlSource: UrlSource;
} {
  // Empty strings are "unset": `--url "$DATABASE_URL"` or `DATABASE_URL=` with nothing in them.
  if (options.url !== undefined && options.url !== "") return { url: options.url, urlSource: "flag" };
  if (merged.url !== undefined) return { url: merged.url.value, urlSource: "config" };
  const fromEnv = env?.["DATABASE_URL"];
  if (fromEnv !== undefined && fromEnv !== "") return { url: fromEnv, urlSource: "env" };
  return { url: DEFAULT_URL, urlSource: "default" };
}

function canonicalFolder(path: string): string {
  try {
    return realpathSync.native(path);
  } catch {
    return path;
  }
}

interface Resolved {
  readonly repo: ResolvedRepository;
  /** Where the id came from, for the duplicate-id error. */
  readonly idFrom: string;
}

function resolveRepository(repo: MergedRepository, merged: MergedConfig): Resolved {
  if (repo.path === undefined) {
    throw new ConfigError(
      `Repository "${repo.name}" (declared in ${repo.declaredIn}) has no "path"; every repository needs the folder of its scripts.`,
      { fields: { repository: repo.name, file: repo.declaredIn } },
    );
  }
  const path = resolve(repo.path.dir, repo.path.value);
  const cfg = readMigrateCfg(path);
  const idFrom =
    cfg?.repositoryId !== undefined
      ? `repository_id in ${cfg.file}`
      : repo.id !== undefined
        ? `"id" in ${repo.id.source}`
        : "its name";
  const resolved: ResolvedRepository = Object.freeze({
    name: repo.name,
    path,
    id: cfg?.repositoryId ?? repo.id?.value ?? repo.name,
    versionTable: cfg?.versionTable ?? repo.versionTable ?? merged.versionTable ?? DEFAULT_VERSION_TABLE,
    extension: repo.extension ?? false,
    ...(repo.rolling === undefined ? {} : { rolling: repo.rolling }),
    requiredDbs: Object.freeze([...(cfg?.requiredDbs ?? [])]),
    dependsOn: Object.freeze([...(repo.dependsOn ?? [])]),
    ...(repo.scheme === undefined ? {} : { scheme: repo.scheme }),
    ...(cfg === undefined ? {} : { migrateCfg: cfg.file }),
  });
  return { repo: resolved, idFrom };
}

function checkUnique(resolved: readonly Resolved[]): void {
  const byId = new Map<string, Resolved>();
  const byFolder = new Map<string, ResolvedRepository>();
  for (const entry of resolved) {
    const { repo } = entry;
    const other = byId.get(repo.id);
    if (other !== undefined) {
      const sameId = other.repo;
      throw new ConfigError(
        `Repositories "${sameId.name}" and "${repo.name}" have the same id "${repo.id}" ` +
          `(from ${other.idFrom} and ${entry.idFrom}); ` +
          "their version rows would mix. Give one of them another id.",
        { fields: { repositories: [sameId.name, repo.name], id: repo.id } },
      );
    }
    byId.set(repo.id, entry);
    const folder = canonicalFolder(repo.path);
    const sameFolder = byFolder.get(folder);
    if (sameFolder !== undefined) {
      throw new ConfigError(
        `Repositories "${sameFolder.name}" and "${repo.name}" use the same folder ${repo.path}; each repository needs its own.`,
        { fields: { repositories: [sameFolder.name, repo.name], path: repo.path } },
      );
    }
    byFolder.set(folder, repo);
  }
}

export function dependencyName(entry: string): string {
  const at = entry.indexOf("@");
  return at === -1 ? entry : entry.slice(0, at);
}

function checkDependencies(repositories: readonly ResolvedRepository[]): void {
  const byName = new Map(repositories.map((repo) => [repo.name, repo]));
  for (const repo of repositories) {
    for (const entry of repo.dependsOn) {
      // `core` or `core@003`: the part before @ names the repository.
      const dep = dependencyName(entry);
      if (dep === repo.name) {
        throw new ConfigError(`Repository "${repo.name}" lists itself in dependsOn.`, {
          fields: { repository: repo.name },
        });
      }
      if (!byName.has(dep)) {
        throw new ConfigError(
          `Repository "${repo.name}" depends on "${dep}", which is not a configured repository ` +
            `(configured: ${[...byName.keys()].join(", ")}).`,
          { fields: { repository: repo.name, dependsOn: dep } },
        );
      }
    }
  }
  const done = new Set<string>();
  const visit = (name: string, trail: readonly string[]): void => {
    if (trail.includes(name)) {
      const cycle = [...trail.slice(trail.indexOf(name)), name];
      throw new ConfigError(`Repository dependencies form a cycle: ${cycle.join(" → ")}.`, {
        fields: { cycle },
      });
    }
    if (done.has(name)) return;
    for (const dep of byName.get(name)?.dependsOn ?? []) visit(dependencyName(dep), [...trail, name]);
    done.add(name);
  };
  for (const repo of repositories) visit(repo.name, []);
}

export async function resolveConfig(options: ResolveOptions = {}): Promise<ResolvedConfig> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const env = options.env ?? process.env;
  const configFiles = findConfigFiles(cwd, options.configFiles);

  const layers: SourcedLayer[] = [];
  for (const file of configFiles) {
    layers.push({ source: file, dir: dirname(file), config: await loadConfigFile(file) });
  }
  if (options.config !== undefined) {
    layers.push({ source: INLINE_CONFIG, dir: cwd, config: validateConfig(options.config, INLINE_CONFIG) });
  }
  const merged = mergeLayers(layers);
  if (merged.repositories.size === 0) {
    // No repository configured anywhere: the conventional one, beside where tidemark runs.
    merged.repositories.set(DEFAULT_REPOSITORY, {
      name: DEFAULT_REPOSITORY,
      declaredIn: "the defaults",
      path: { value: DEFAULT_REPOSITORY_PATH, source: "the defaults", dir: cwd },
    });
  }

  const resolved = [...merged.repositories.values()].map((repo) => resolveRepository(repo, merged));
  checkUnique(resolved);
  const repositories = resolved.map((entry) => entry.repo);
  checkDependencies(repositories);

  return Object.freeze({
    ...pickUrl(options, merged, env),
    repositories: Object.freeze(repositories),
    versionTable: merged.versionTable ?? DEFAULT_VERSION_TABLE,
    ...(merged.schema === undefined ? {} : { schemaModule: resolve(merged.schema.dir, merged.schema.value) }),
    ...(merged.dbSchema === undefined ? {} : { dbSchema: merged.dbSchema }),
    lockTimeoutSeconds: merged.lockTimeout ?? DEFAULT_LOCK_TIMEOUT_SECONDS,
    statementTimeoutSeconds: merged.statementTimeout ?? 0,
    ...(merged.language === undefined ? {} : { language: merged.language }),
    configFiles: Object.freeze([...configFiles]),
    baseDir: configFiles[0] === undefined ? cwd : dirname(configFiles[0]),
  });
}

/** The repository commands act on without `--repo`: `core`, else the first non-extension, else the first. */
export function defaultRepository(config: ResolvedConfig): ResolvedRepository {
  const { repositories } = config;
  const chosen =
    repositories.find((repo) => repo.name === DEFAULT_REPOSITORY) ??
    repositories.find((repo) => !repo.extension) ??
    repositories[0];
  if (chosen === undefined) throw new ConfigError("No repository is configured.");
  return chosen;
}
