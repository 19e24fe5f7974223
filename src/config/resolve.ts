/**
 * Turns flags, config files, the environment (and `.env` beside the config)
 * and migrate.cfg files into the one ResolvedConfig the rest of tidemark
 * reads. Precedence of the URL, as Prisma and node-pg-migrate users expect:
 * `--url` > `DATABASE_URL` > config file(s) > `sqlite:tidemark.db`, so the
 * database a deployment names is never silently replaced by the config's.
 */
import { realpathSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { ConfigError } from "../errors.js";
import { type Environment, loadEnvFile } from "./env-file.js";
import { findConfigFiles } from "./find.js";
import { resolveFleet } from "./fleets.js";
import { expandVariables } from "./interpolate.js";
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
  /** `--config` files in order; relative to `cwd`. Empty or absent: look for tidemark.config.* in `cwd` and above. */
  readonly configFiles?: readonly string[];
  /** `--url`. */
  readonly url?: string;
  /** Default `process.env` (which `.env` then fills in); a given object is copied, never changed. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** A config given in code (`Tidemark.open(config)`): merged after the files, paths relative to `cwd`. */
  readonly config?: TidemarkConfig;
}

function pickUrl(
  options: ResolveOptions,
  merged: MergedConfig,
  env: Environment,
  fromEnvFile: readonly string[],
): {
  url: string;
  urlSource: UrlSource;
} {
  // Empty strings are "unset": `--url "$DATABASE_URL"` or `DATABASE_URL=` with nothing in them.
  if (options.url !== undefined && options.url !== "") return { url: options.url, urlSource: "flag" };
  const fromEnv = env["DATABASE_URL"];
  if (fromEnv !== undefined && fromEnv !== "") {
    return { url: fromEnv, urlSource: fromEnvFile.includes("DATABASE_URL") ? "env-file" : "env" };
  }
  if (merged.url !== undefined) return { url: expandVariables(merged.url.value, env, merged.url.source), urlSource: "config" };
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

function resolveRepository(repo: MergedRepository, merged: MergedConfig, isDefault: boolean): Resolved {
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
    ...((repo.fileTemplate ?? merged.fileTemplate) === undefined
      ? {}
      : { fileTemplate: repo.fileTemplate ?? merged.fileTemplate }),
    ...(cfg === undefined ? {} : { migrateCfg: cfg.file }),
    ...schemaOf(repo, merged, isDefault),
  });
  return { repo: resolved, idFrom };
}

/** A repository's own `schema`; the top-level `schema` belongs to the default repository. */
function schemaOf(repo: MergedRepository, merged: MergedConfig, isDefault: boolean): { schema?: string } {
  const schema = repo.schema ?? (isDefault ? merged.schema : undefined);
  return schema === undefined ? {} : { schema: resolve(schema.dir, schema.value) };
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
  const configFiles = findConfigFiles(cwd, options.configFiles);
  const baseDir = configFiles[0] === undefined ? cwd : dirname(configFiles[0]);
  // Before any config module runs: `url: process.env.DATABASE_URL` must see the .env value.
  const env: Environment = options.env === undefined ? process.env : { ...options.env };
  const fromEnvFile = loadEnvFile(baseDir, env);

  const layers: SourcedLayer[] = [];
  for (const file of configFiles) {
    layers.push({ source: file, dir: dirname(file), config: await loadConfigFile(file) });
  }
  if (options.config !== undefined) {
    layers.push({ source: INLINE_CONFIG, dir: cwd, config: validateConfig(options.config, INLINE_CONFIG) });
  }
  const merged = mergeLayers(layers);
  if (merged.repositories.size === 0) {
    // No repository configured anywhere: the conventional one, in the project's root — the folder of
    // the config found upwards, else where tidemark runs (also with --config, as tacker's ini files are used).
    const projectDir = (options.configFiles?.length ?? 0) > 0 ? cwd : baseDir;
    merged.repositories.set(DEFAULT_REPOSITORY, {
      name: DEFAULT_REPOSITORY,
      declaredIn: "the defaults",
      path: { value: DEFAULT_REPOSITORY_PATH, source: "the defaults", dir: projectDir },
    });
  }

  const all = [...merged.repositories.values()];
  const defaultName = (
    all.find((repo) => repo.name === DEFAULT_REPOSITORY) ??
    all.find((repo) => repo.extension !== true) ??
    all[0]
  )?.name;
  const resolved = all.map((repo) => resolveRepository(repo, merged, repo.name === defaultName));
  checkUnique(resolved);
  const repositories = resolved.map((entry) => entry.repo);
  checkDependencies(repositories);

  return Object.freeze({
    ...pickUrl(options, merged, env, fromEnvFile),
    repositories: Object.freeze(repositories),
    versionTable: merged.versionTable ?? DEFAULT_VERSION_TABLE,
    ...(merged.schema === undefined ? {} : { schemaModule: resolve(merged.schema.dir, merged.schema.value) }),
    ...(merged.dbSchema === undefined ? {} : { dbSchema: merged.dbSchema }),
    lockTimeoutSeconds: merged.lockTimeout ?? DEFAULT_LOCK_TIMEOUT_SECONDS,
    statementTimeoutSeconds: merged.statementTimeout ?? 0,
    ...(merged.language === undefined ? {} : { language: merged.language }),
    ...(merged.shadowUrl === undefined ? {} : { shadowUrl: merged.shadowUrl }),
    ignoreTables: Object.freeze([...(merged.ignoreTables ?? [])]),
    configFiles: Object.freeze([...configFiles]),
    ...(merged.lintRules === undefined ? {} : { lintRules: Object.freeze({ ...merged.lintRules }) }),
    ...(merged.fleets.size === 0
      ? {}
      : {
          fleets: Object.freeze(
            Object.fromEntries(
              [...merged.fleets].map(([name, fleet]) => [
                name,
                resolveFleet(name, { config: fleet.value, source: fleet.source, dir: fleet.dir }),
              ]),
            ),
          ),
        }),
    baseDir,
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
