/**
 * Merges config layers in order: later layers override earlier ones key by
 * key, and `repositories` merge by name, setting by setting. Each path-like
 * value remembers the directory it is relative to — that of the file that
 * set it — so a second file overriding one setting of a repository does
 * not move its folder.
 */
import type { FleetConfig } from "./fleet-types.js";
import type { IdScheme, ScriptLanguage } from "./types.js";
import type { ConfigLayer } from "./validate.js";
import { mergeLintRules, type LintRuleSettings } from "./lint-settings.js";

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
  schema?: Sourced<string>;
  fileTemplate?: string;
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
  shadowUrl?: string;
  ignoreTables?: readonly string[];
  /** A later layer's fleet replaces an earlier one of the same name whole: sources do not mix. */
  readonly fleets: Map<string, Sourced<FleetConfig>>;
  fileTemplate?: string;
  lintRules?: LintRuleSettings;
}

export function mergeLayers(layers: readonly SourcedLayer[]): MergedConfig {
  const merged: MergedConfig = { repositories: new Map(), fleets: new Map() };
  for (const { source, dir, config } of layers) {
    const sourced = <T>(value: T): Sourced<T> => ({ value, source, dir });
    if (config.url !== undefined) merged.url = sourced(config.url);
    if (config.versionTable !== undefined) merged.versionTable = config.versionTable;
    if (config.schema !== undefined) merged.schema = sourced(config.schema);
    if (config.dbSchema !== undefined) merged.dbSchema = config.dbSchema;
    if (config.lockTimeout !== undefined) merged.lockTimeout = config.lockTimeout;
    if (config.statementTimeout !== undefined) merged.statementTimeout = config.statementTimeout;
    if (config.language !== undefined) merged.language = config.language;
    if (config.shadowUrl !== undefined) merged.shadowUrl = config.shadowUrl;
    if (config.ignoreTables !== undefined) merged.ignoreTables = config.ignoreTables;
    for (const [name, fleet] of Object.entries(config.fleets ?? {})) merged.fleets.set(name, sourced(fleet));
    if (config.fileTemplate !== undefined) merged.fileTemplate = config.fileTemplate;
    if (config.lintRules !== undefined) merged.lintRules = mergeLintRules(merged.lintRules, config.lintRules);

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
      if (repo.schema !== undefined) target.schema = sourced(repo.schema);
      if (repo.fileTemplate !== undefined) target.fileTemplate = repo.fileTemplate;
    }
  }
  return merged;
}
