/**
 * Checks what a config file exported against `TidemarkConfig`. Unknown keys
 * are errors: a misspelt `repositores` would otherwise silently fall back to
 * the defaults and migrate the wrong folder.
 */
import { ConfigError, TidemarkError, messageOf } from "../errors.js";
import { redactCredentials } from "../util/redact.js";
import { validateFleets } from "./fleets.js";
import { validateLintConfig, type LintRuleSettings } from "./lint-settings.js";
import { fileTemplateProblem } from "../util/file-name-template.js";
import type { IdScheme, RepositoryConfig, ScriptLanguage, TidemarkConfig } from "./types.js";

const REPOSITORY_NAME = /^[A-Za-z0-9_.-]+$/;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]*$/;

const CONFIG_KEYS = [
  "url",
  "repositories",
  "versionTable",
  "schema",
  "dbSchema",
  "lockTimeout",
  "statementTimeout",
  "language",
  "shadowUrl",
  "ignoreTables",
  "fleets",
  "fileTemplate",
  "lint",
] as const;
const REPOSITORY_KEYS = [
  "path",
  "extension",
  "rolling",
  "versionTable",
  "id",
  "dependsOn",
  "scheme",
  "schema",
  "fileTemplate",
] as const;
const LANGUAGES: readonly ScriptLanguage[] = ["ts", "js", "sql"];
const SCHEMES: readonly IdScheme[] = ["numbered", "graph"];

export function isRepositoryName(name: string): boolean {
  return REPOSITORY_NAME.test(name);
}

/** Table and schema names tidemark creates: plain identifiers, so they need no quoting rules per dialect. */
export function isIdentifier(name: string): boolean {
  return IDENTIFIER.test(name);
}

type Plain = Record<string, unknown>;

function isPlainObject(value: unknown): value is Plain {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  // Module namespace objects have a null prototype.
  return proto === Object.prototype || proto === null;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "object") return "an object";
  return `${typeof value} ${String(value)}`;
}

class Checker {
  constructor(readonly file: string) {}

  /**
   * A setting's value. A config module may export getters (or a Proxy) that
   * run its own code: what they throw is a fault of the config, not of tidemark.
   */
  read(object: Plain, key: string, where = ""): unknown {
    try {
      return object[key];
    } catch (error) {
      throw this.threw(error, `${where === "" ? "" : `${where}.`}${key}`);
    }
  }

  threw(error: unknown, key?: string): ConfigError {
    const what = key === undefined ? "the config" : `"${key}" of the config`;
    return new ConfigError(`${this.file}: reading ${what} threw: ${redactCredentials(messageOf(error))}`, {
      cause: error,
      fields: { file: this.file, ...(key === undefined ? {} : { key }) },
    });
  }

  fail(key: string, expected: string, value: unknown): never {
    throw new ConfigError(`${this.file}: "${key}" must be ${expected}, found ${describe(value)}.`, {
      fields: { file: this.file, key },
    });
  }

  keys(object: Plain, allowed: readonly string[], where: string): void {
    for (const key of Object.keys(object)) {
      if (!allowed.includes(key)) {
        const prefix = where === "" ? "" : `${where}.`;
        throw new ConfigError(`${this.file}: unknown setting "${prefix}${key}"; known settings are ${allowed.join(", ")}.`, {
          fields: { file: this.file, key: `${prefix}${key}` },
        });
      }
    }
  }

  string(value: unknown, key: string): string | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== "string" || value === "") this.fail(key, "a non-empty string", value);
    return value;
  }

  identifier(value: unknown, key: string): string | undefined {
    const text = this.string(value, key);
    if (text !== undefined && !isIdentifier(text)) {
      this.fail(key, 'a plain name (letters, digits, "_", "$", not starting with a digit)', text);
    }
    return text;
  }

  boolean(value: unknown, key: string): boolean | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== "boolean") this.fail(key, "true or false", value);
    return value;
  }

  fileTemplate(value: unknown, key: string): string | undefined {
    const text = this.string(value, key);
    const problem = text === undefined ? undefined : fileTemplateProblem(text);
    if (problem !== undefined) {
      throw new ConfigError(`${this.file}: "${key}" ${JSON.stringify(text)} cannot name revision files: ${problem}.`, {
        fields: { file: this.file, key },
      });
    }
    return text;
  }

  oneOf<T extends string>(value: unknown, key: string, allowed: readonly T[]): T | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
      this.fail(key, `one of ${allowed.map((a) => `"${a}"`).join(", ")}`, value);
    }
    return value as T;
  }
}

function validateRepository(check: Checker, name: string, value: unknown): Partial<RepositoryConfig> {
  const where = `repositories.${name}`;
  if (!isRepositoryName(name)) {
    throw new ConfigError(
      `${check.file}: repository name ${JSON.stringify(name)} is not allowed; use letters, digits, "_", "." and "-" only.`,
      { fields: { file: check.file, repository: name } },
    );
  }
  if (!isPlainObject(value)) check.fail(where, 'an object like { path: "migrations" }', value);
  check.keys(value, REPOSITORY_KEYS, where);

  const dependsOn = check.read(value, "dependsOn", where);
  if (dependsOn !== undefined) {
    if (!Array.isArray(dependsOn)) check.fail(`${where}.dependsOn`, "an array of repository names", dependsOn);
    dependsOn.forEach((dep: unknown, i) => check.string(dep, `${where}.dependsOn[${i}]`));
  }
  const repository: Record<string, unknown> = {
    path: check.string(check.read(value, "path", where), `${where}.path`),
    extension: check.boolean(check.read(value, "extension", where), `${where}.extension`),
    rolling: check.boolean(check.read(value, "rolling", where), `${where}.rolling`),
    versionTable: check.identifier(check.read(value, "versionTable", where), `${where}.versionTable`),
    id: check.string(check.read(value, "id", where), `${where}.id`),
    dependsOn: dependsOn === undefined ? undefined : [...(dependsOn as string[])],
    scheme: check.oneOf(check.read(value, "scheme", where), `${where}.scheme`, SCHEMES),
    schema: check.string(check.read(value, "schema", where), `${where}.schema`),
    fileTemplate: check.fileTemplate(check.read(value, "fileTemplate", where), `${where}.fileTemplate`),
  };
  return dropUndefined(repository) as Partial<RepositoryConfig>;
}

function stringList(check: Checker, value: unknown, key: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) check.fail(key, 'a list of table name globs, like ["legacy_*"]', value);
  return value.map((item: unknown, i) => check.string(item, `${key}[${i}]`) as string);
}

function dropUndefined(object: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined));
}

/**
 * A later config file may name a repository without its `path` to override
 * one setting, so repositories come back partial; the merge checks that
 * every repository ends up with a path.
 */
export type ConfigLayer = Omit<TidemarkConfig, "repositories" | "lint"> & {
  readonly repositories?: Readonly<Record<string, Partial<RepositoryConfig>>>;
  /** The `lint.rules` severities, keyed by rule id. */
  readonly lintRules?: LintRuleSettings;
};

/** Validates a loaded config value; `file` names the source in errors. */
export function validateConfig(value: unknown, file: string): ConfigLayer {
  const check: Checker = new Checker(file);
  try {
    return validateLayer(check, value);
  } catch (error) {
    // A Proxy's traps (keys, prototype) are the config's code as much as its getters.
    if (error instanceof TidemarkError) throw error;
    throw check.threw(error);
  }
}

function validateLayer(check: Checker, value: unknown): ConfigLayer {
  const file = check.file;
  if (!isPlainObject(value)) {
    throw new ConfigError(
      `${file}: the config must be an object (export default defineConfig({ … })), found ${describe(value)}.`,
      {
        fields: { file },
      },
    );
  }
  check.keys(value, CONFIG_KEYS, "");

  const url = check.read(value, "url");
  if (url !== undefined && typeof url !== "string") check.fail("url", "a string", url);
  const lockTimeout = check.read(value, "lockTimeout");
  if (lockTimeout !== undefined && (typeof lockTimeout !== "number" || !Number.isFinite(lockTimeout) || lockTimeout < 0)) {
    check.fail("lockTimeout", "a number of seconds (0 or more)", lockTimeout);
  }
  const statementTimeout = check.read(value, "statementTimeout");
  if (
    statementTimeout !== undefined &&
    (typeof statementTimeout !== "number" || !Number.isFinite(statementTimeout) || statementTimeout < 0)
  ) {
    check.fail("statementTimeout", "a number of seconds (0 or more; 0: no limit)", statementTimeout);
  }
  let repositories: Record<string, Partial<RepositoryConfig>> | undefined;
  const rawRepositories = check.read(value, "repositories");
  if (rawRepositories !== undefined) {
    if (!isPlainObject(rawRepositories)) check.fail("repositories", "an object keyed by repository name", rawRepositories);
    repositories = {};
    for (const name of Object.keys(rawRepositories)) {
      repositories[name] = validateRepository(check, name, check.read(rawRepositories, name, "repositories"));
    }
  }
  const layer: Record<string, unknown> = {
    // An empty URL (an unset variable interpolated into the config) means "not set here".
    url: url === "" ? undefined : url,
    repositories,
    versionTable: check.identifier(check.read(value, "versionTable"), "versionTable"),
    schema: check.string(check.read(value, "schema"), "schema"),
    dbSchema: check.identifier(check.read(value, "dbSchema"), "dbSchema"),
    lockTimeout,
    statementTimeout,
    language: check.oneOf(check.read(value, "language"), "language", LANGUAGES),
    shadowUrl: check.string(check.read(value, "shadowUrl"), "shadowUrl"),
    ignoreTables: stringList(check, check.read(value, "ignoreTables"), "ignoreTables"),
    fleets: check.read(value, "fleets") === undefined ? undefined : validateFleets(check.read(value, "fleets"), file),
    fileTemplate: check.fileTemplate(check.read(value, "fileTemplate"), "fileTemplate"),
    lintRules: validateLintConfig(check.read(value, "lint"), file),
  };
  return dropUndefined(layer) as ConfigLayer;
}
