/**
 * The `fleets` setting: checked like every other setting (unknown keys are
 * errors, so a misspelt `url` does not silently make an empty fleet),
 * resolved against the folder of the file that declares it, and the
 * fleet-file format read. Nothing here opens a database; the catalog query
 * runs in api/fleet-targets.ts.
 */
import { resolve } from "node:path";
import { ConfigError } from "../errors.js";
import type { FleetConfig, FleetTargetEntry, ResolvedFleet } from "./fleet-types.js";

const FLEET_NAME = /^[A-Za-z0-9_.-]+$/;
/** Schemas tidemark creates and sets as search path: plain names, as config `dbSchema`. */
const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_$]*$/;
const SOURCES = ["urls", "file", "catalog"] as const;
const ENTRY_KEYS = ["url", "schema", "name"];
const CATALOG_KEYS = ["url", "sql"];

export function isSchemaName(name: string): boolean {
  return SCHEMA_NAME.test(name);
}

function fail(file: string, key: string, message: string): never {
  throw new ConfigError(`${file}: "${key}" ${message}`, { fields: { file, key } });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function nonEmptyString(value: unknown, file: string, key: string): string {
  if (typeof value !== "string" || value.trim() === "") fail(file, key, "must be a non-empty string.");
  return value;
}

function unknownKeys(value: Record<string, unknown>, allowed: readonly string[], file: string, where: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) fail(file, `${where}.${key}`, `is not a setting here; known: ${allowed.join(", ")}.`);
  }
}

function validateEntry(value: unknown, file: string, key: string): FleetTargetEntry {
  if (typeof value === "string") return nonEmptyString(value, file, key);
  if (!isObject(value)) fail(file, key, "must be a URL or an object like { url, schema, name }.");
  unknownKeys(value, ENTRY_KEYS, file, key);
  const url = nonEmptyString(value["url"], file, `${key}.url`);
  const schema = value["schema"] === undefined ? undefined : nonEmptyString(value["schema"], file, `${key}.schema`);
  if (schema !== undefined && !isSchemaName(schema))
    fail(file, `${key}.schema`, 'must be a plain name (letters, digits, "_", "$").');
  const name = value["name"] === undefined ? undefined : nonEmptyString(value["name"], file, `${key}.name`);
  return { url, ...(schema === undefined ? {} : { schema }), ...(name === undefined ? {} : { name }) };
}

function validateFleet(value: unknown, file: string, where: string): FleetConfig {
  const shape = '{ urls: [...] }, { file: "databases.txt" } or { catalog: { url, sql } }';
  if (!isObject(value)) fail(file, where, `must be one of ${shape}.`);
  const given = SOURCES.filter((source) => value[source] !== undefined);
  unknownKeys(value, SOURCES, file, where);
  if (given.length !== 1) fail(file, where, `must have exactly one of urls, file, catalog (${shape}).`);
  const urls = value["urls"];
  if (urls !== undefined) {
    if (!Array.isArray(urls)) fail(file, `${where}.urls`, "must be an array of URLs or { url, schema, name } objects.");
    return { urls: urls.map((entry, i) => validateEntry(entry, file, `${where}.urls[${i}]`)) };
  }
  const catalog = value["catalog"];
  if (catalog !== undefined) {
    if (!isObject(catalog)) fail(file, `${where}.catalog`, "must be an object { url, sql }.");
    unknownKeys(catalog, CATALOG_KEYS, file, `${where}.catalog`);
    return {
      catalog: {
        url: nonEmptyString(catalog["url"], file, `${where}.catalog.url`),
        sql: nonEmptyString(catalog["sql"], file, `${where}.catalog.sql`),
      },
    };
  }
  return { file: nonEmptyString(value["file"], file, `${where}.file`) };
}

/** Validates the `fleets` setting of one config layer. */
export function validateFleets(value: unknown, file: string): Record<string, FleetConfig> {
  if (!isObject(value)) fail(file, "fleets", "must be an object keyed by fleet name.");
  const fleets: Record<string, FleetConfig> = {};
  for (const [name, fleet] of Object.entries(value)) {
    if (!FLEET_NAME.test(name)) {
      fail(file, `fleets.${name}`, 'is not an allowed fleet name; use letters, digits, "_", "." and "-" only.');
    }
    fleets[name] = validateFleet(fleet, file, `fleets.${name}`);
  }
  return fleets;
}

/** A fleet as declared by one layer, with the folder its relative paths start from. */
export interface DeclaredFleet {
  readonly config: FleetConfig;
  readonly source: string;
  readonly dir: string;
}

export function resolveFleet(name: string, declared: DeclaredFleet): ResolvedFleet {
  const { config, source, dir } = declared;
  if ("urls" in config) return { name, declaredIn: source, source: { kind: "urls", entries: config.urls, dir } };
  if ("catalog" in config) {
    return { name, declaredIn: source, source: { kind: "catalog", url: config.catalog.url, sql: config.catalog.sql, dir } };
  }
  return { name, declaredIn: source, source: { kind: "file", file: resolve(dir, config.file) } };
}

/** `${NAME}` in a fleet URL is the environment variable; an unset one makes the entry unusable (named, never guessed). */
export function expandEnv(
  text: string,
  env: Readonly<Record<string, string | undefined>>,
): { readonly text: string; readonly missing: readonly string[] } {
  const missing: string[] = [];
  const expanded = text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_match, name: string) => {
    const value = env[name];
    if (value === undefined) {
      missing.push(name);
      return "";
    }
    return value;
  });
  return { text: expanded, missing };
}

/** One line of a fleet file: a target, or why the line cannot be one. */
export type FleetFileLine =
  | { readonly line: number; readonly entry: Exclude<FleetTargetEntry, string> }
  | { readonly line: number; readonly problem: string };

/**
 * The fleet-file format: one target per line, `URL [schema=NAME] [name=NAME]`;
 * blank lines and `#` comments (whole lines, or after whitespace) skipped.
 * A bad line is reported as that line's problem, so the other targets
 * still run. No message quotes the URL: it may hold a password.
 */
export function parseFleetFile(text: string): FleetFileLine[] {
  const lines: FleetFileLine[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const content = raw.replace(/(^|\s)#.*$/, "").trim();
    if (content === "") return;
    const [url, ...rest] = content.split(/\s+/) as [string, ...string[]];
    const fields: Record<string, string> = {};
    for (const token of rest) {
      const eq = token.indexOf("=");
      const key = eq === -1 ? token : token.slice(0, eq);
      if (eq === -1 || !["schema", "name"].includes(key) || token.slice(eq + 1) === "") {
        // The text is not quoted: it may be half of a password with a space in it.
        lines.push({
          line,
          problem:
            "expected `URL [schema=NAME] [name=NAME]`, but the text after the URL is not schema=… or name=… " +
            "(write a space inside a password as %20)",
        });
        return;
      }
      fields[key] = token.slice(eq + 1);
    }
    const schema = fields["schema"];
    if (schema !== undefined && !isSchemaName(schema)) {
      lines.push({ line, problem: `schema "${schema}" is not a plain name (letters, digits, "_", "$")` });
      return;
    }
    const name = fields["name"];
    lines.push({ line, entry: { url, ...(schema === undefined ? {} : { schema }), ...(name === undefined ? {} : { name }) } });
  });
  return lines;
}
