/**
 * Merges config layers in order: later layers override earlier ones key by
 * key, and `repositories` merge by name, setting by setting. Each path-like
 * value remembers the directory it is relative to — that of the file that
 * set it — so a second file overriding one setting of a repository does
 * not move its folder.
 */
import type { IdScheme, ScriptLanguage } from "./types.js";
import type { ConfigLayer } from "./validate.js";

export interface SourcedLayer {
  /** Names the layer in errors: a file path, or "<inline config>". */
  readonly source: string;
  /** Directory relative paths of this layer resolve against. */
  readonly dir: string;
  readonly config: ConfigLayer;
}

export interface Sourced<T> {
  readonly value: T;
  readonly source: string;
  readonly dir: string;
}

export interface MergedRepository {
  readonly name: string;
  /** Layer that first named the repository. */
  readonly declaredIn: string;
  path?: Sourced<string>;
  extension?: boolean;
  rolling?: boolean;
  versionTable?: string;
  id?: Sourced<string>;
  dependsOn?: readonly string[];
  scheme?: IdScheme;
}

export interface MergedConfig {
  url?: Sourced<string>;
  /** In order of first appearance across layers. */
  readonly repositories: Map<string, MergedRepository>;
  versionTable?: string;
  schema?: Sourced<string>;
  dbSchema?: string;
  lockTimeout?: number;
  statementTimeout?: number;
  language?: ScriptLanguage;
}

export function mergeLayers(layers: readonly SourcedLayer[]): MergedConfig {
  const merged: MergedConfig = { repositories: new Map() };
  for (const { source, dir, config } of layers) {
    const sourced = <T>(value: T): Sourced<T> => ({ value, source, dir });
    if (config.url !== undefined) merged.url = sourced(config.url);
    if (config.versionTable !== undefined) merged.versionTable = config.versionTable;
    if (config.schema !== undefined) merged.schema = sourced(config.schema);
    if (config.dbSchema !== undefined) merged.dbSchema = config.dbSchema;
    if (config.lockTimeout !== undefined) merged.lockTimeout = config.lockTimeout;
    if (config.statementTimeout !== undefined) merged.statementTimeout = config.statementTimeout;
    if (config.language !== undefined) merged.language = config.language;

    for (const [name, repo] of Object.entries(config.repositories ?? {})) {
      let target = merged.repositories.get(name);
      if (target === undefined) {
        target = { name, declaredIn: source };
        merged.repositories.set(name, target);
      }
      if (repo.path !== undefined) target.path = sourced(repo.path);
      if (repo.extension !== undefined) target.extension = repo.extension;
      if (repo.rolling !== undefined) target.rolling = repo.rolling;
      if (repo.versionTable !== undefined) target.versionTable = repo.versionTable;
      if (repo.id !== undefined) target.id = sourced(repo.id);
      if (repo.dependsOn !== undefined) target.dependsOn = repo.dependsOn;
      if (repo.scheme !== undefined) target.scheme = repo.scheme;
    }
  }
  return merged;
}
