/**
 * A fleet's targets, from the config, a fleet file or a catalog query, in
 * the order they are listed. An entry that cannot be a target (a bad line,
 * an unset `${VAR}`, a duplicate, a bad catalog row, a catalog that does not
 * answer) becomes an unusable entry, reported like a failed target, so that
 * the others still run. Names and messages never carry a password.
 */
import { readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { parseDatabaseUrl } from "../config/database-url.js";
import type { FleetTargetEntry, ResolvedFleet } from "../config/fleet-types.js";
import { expandEnv, isSchemaName, parseFleetFile } from "../config/fleets.js";
import { loadDialect } from "../dialects/registry.js";
import { ConfigError, DatabaseError, TidemarkError, UsageError, messageOf } from "../errors.js";
import { MASK, redactCredentials } from "../util/redact.js";
import type { DatabaseUrl, Row } from "../vocabulary.js";
import type { FleetTargetInfo } from "./fleet-types.js";

export interface FleetTarget extends FleetTargetInfo {
  /** The URL to connect to. Holds the password: never print it. */
  readonly url: string;
  readonly dialect: DatabaseUrl["dialect"];
}

export type FleetEntry =
  | { readonly kind: "target"; readonly target: FleetTarget }
  | { readonly kind: "unusable"; readonly info: FleetTargetInfo; readonly error: TidemarkError };

type Env = Readonly<Record<string, string | undefined>>;

/** What the entry says before it is checked: the URL as written (variables not yet expanded). */
interface Candidate {
  readonly where: string;
  readonly entry: Exclude<FleetTargetEntry, string>;
  /** Relative SQLite paths resolve from here. */
  readonly dir: string;
}

export async function resolveFleetTargets(fleet: ResolvedFleet, env: Env): Promise<FleetEntry[]> {
  const { source } = fleet;
  if (source.kind === "urls") {
    const candidates = source.entries.map((entry, i) => ({
      where: `urls[${i}]`,
      entry: typeof entry === "string" ? { url: entry } : entry,
      dir: source.dir,
    }));
    return checkEntries(candidates, env);
  }
  if (source.kind === "file") return fromFile(fleet, source.file, env);
  return fromCatalog(fleet, source.url, source.sql, source.dir, env);
}

function fromFile(fleet: ResolvedFleet, file: string, env: Env): FleetEntry[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(
      `The file of fleet "${fleet.name}" (declared in ${fleet.declaredIn}), ${file}, ` +
        (code === "ENOENT" ? "does not exist." : `cannot be read: ${messageOf(error)}`),
      { cause: error, fields: { fleet: fleet.name, file } },
    );
  }
  const dir = resolve(file, "..");
  const candidates = parseFleetFile(text).map((line): Candidate | FleetEntry => {
    const where = `${file}:${line.line}`;
    return "problem" in line
      ? unusable(where, where, new ConfigError(`${where}: ${line.problem}`))
      : { where, entry: line.entry, dir };
  });
  return checkEntries(candidates, env);
}

async function fromCatalog(fleet: ResolvedFleet, rawUrl: string, sql: string, dir: string, env: Env): Promise<FleetEntry[]> {
  const expanded = expandEnv(rawUrl, env);
  if (expanded.missing.length > 0) {
    throw new ConfigError(
      `The catalog URL of fleet "${fleet.name}" uses ${expanded.missing.map((name) => `\${${name}}`).join(", ")}, ` +
        "which is not set in the environment.",
      { fields: { fleet: fleet.name, missing: expanded.missing } },
    );
  }
  const written = parseDatabaseUrl(expanded.text);
  const url = withAbsolutePath(written, dir);
  const catalogName = `catalog ${nameOf(written)}`;
  let rows: Row[];
  try {
    const dialect = await loadDialect(url.dialect);
    const connection = await dialect.driver.connect(url, { connectTimeoutSeconds: 10 });
    try {
      rows = await connection.query(sql);
    } finally {
      await connection.close();
    }
  } catch (error) {
    const failure =
      error instanceof TidemarkError ? error : new DatabaseError(redactCredentials(messageOf(error)), { cause: error });
    return [
      unusable(
        catalogName,
        "catalog",
        new DatabaseError(`The catalog query of fleet "${fleet.name}" failed, so its targets are unknown: ${failure.message}`, {
          cause: failure,
          fields: { fleet: fleet.name },
        }),
      ),
    ];
  }
  const candidates = rows.map((row, i): Candidate | FleetEntry => {
    const where = `catalog row ${i + 1}`;
    const entry = catalogEntry(row, url.raw);
    return typeof entry === "string" ? unusable(where, where, new ConfigError(`${where}: ${entry}`)) : { where, entry, dir };
  });
  return checkEntries(candidates, env);
}

/** A catalog row: columns `url`/`schema`/`name`, or one value that is a URL or a schema of the catalog database. */
function catalogEntry(row: Row, catalogUrl: string): Exclude<FleetTargetEntry, string> | string {
  const columns = new Map(Object.entries(row).map(([key, value]) => [key.toLowerCase(), value]));
  const text = (value: unknown) => (typeof value === "string" && value.trim() !== "" ? value.trim() : undefined);
  const name = text(columns.get("name"));
  const schema = text(columns.get("schema"));
  const named = text(columns.get("url"));
  if (named !== undefined || schema !== undefined) {
    return { url: named ?? catalogUrl, ...(schema === undefined ? {} : { schema }), ...(name === undefined ? {} : { name }) };
  }
  const value = text([...columns.values()][0]);
  if (value === undefined) return "the row has no URL or schema name (a NULL or empty value)";
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(value)) return { url: value, ...(name === undefined ? {} : { name }) };
  return { url: catalogUrl, schema: value };
}

/**
 * Expands, parses and names each candidate, keeping the listed order; the
 * second listing of a database (or of a name) is a duplicate.
 */
function checkEntries(candidates: readonly (Candidate | FleetEntry)[], env: Env): FleetEntry[] {
  const entries: FleetEntry[] = [];
  const byIdentity = new Map<string, FleetTargetInfo>();
  const byName = new Map<string, FleetTargetInfo>();
  for (const candidate of candidates) {
    if ("kind" in candidate) {
      entries.push(candidate);
      continue;
    }
    const { where, entry, dir } = candidate;
    const expanded = expandEnv(entry.url, env);
    if (expanded.missing.length > 0) {
      const vars = expanded.missing.map((name) => `\${${name}}`).join(", ");
      entries.push(unusable(entry.name ?? where, where, new ConfigError(`${where}: ${vars} is not set in the environment.`)));
      continue;
    }
    let written: DatabaseUrl;
    try {
      written = parseDatabaseUrl(expanded.text);
    } catch (error) {
      const message = error instanceof TidemarkError ? error.message : messageOf(error);
      entries.push(unusable(entry.name ?? where, where, new ConfigError(`${where}: ${redactCredentials(message)}`)));
      continue;
    }
    if (entry.schema !== undefined && !isSchemaName(entry.schema)) {
      const error = new ConfigError(`${where}: schema "${entry.schema}" is not a plain name (letters, digits, "_", "$").`);
      entries.push(unusable(entry.name ?? where, where, error));
      continue;
    }
    // Named as written (a relative SQLite path stays relative), connected to as resolved.
    const url = withAbsolutePath(written, dir);
    const info: FleetTargetInfo = {
      name: entry.name ?? nameOf(written, entry.schema),
      where,
      dialect: url.dialect,
      ...(entry.schema === undefined ? {} : { schema: entry.schema }),
    };
    const identity = identityOf(url, entry.schema);
    const same = byIdentity.get(identity) ?? byName.get(info.name);
    if (same !== undefined) {
      const what = byIdentity.has(identity) ? "the same database" : "the same name";
      entries.push({
        kind: "unusable",
        info,
        error: new UsageError(`${where} lists ${what} as ${same.where} (${same.name}); each target is run once.`, {
          fields: { duplicateOf: same.name },
        }),
      });
      continue;
    }
    byIdentity.set(identity, info);
    byName.set(info.name, info);
    entries.push({ kind: "target", target: { ...info, url: url.raw, dialect: url.dialect } });
  }
  return entries;
}

function unusable(name: string, where: string, error: TidemarkError): FleetEntry {
  return { kind: "unusable", info: { name, where }, error };
}

/** A relative SQLite path in a fleet resolves from the folder of the file that lists it. */
function withAbsolutePath(url: DatabaseUrl, dir: string): DatabaseUrl {
  if (url.path === undefined || url.path === ":memory:" || isAbsolute(url.path)) return url;
  const path = resolve(dir, url.path);
  const query = url.raw.indexOf("?");
  const raw = `sqlite:${path}${query === -1 ? "" : url.raw.slice(query)}`;
  return { ...url, raw, redacted: raw, path };
}

/** The URL without its password (nor `?password=`), and `#schema` for a schema target. */
export function nameOf(url: DatabaseUrl, schema?: string): string {
  const base = url.redacted
    .trim()
    .replace(`:${MASK}@`, "@")
    .replace(/([?&])password=\*\*\*(&|$)/i, (_all, before: string, after: string) => (after === "&" ? before : ""));
  return schema === undefined ? base : `${base}#${schema}`;
}

/** Two entries naming the same database (and schema) are one target, whatever the user, password or spelling. */
function identityOf(url: DatabaseUrl, schema: string | undefined): string {
  const where = url.path !== undefined ? url.path : `${url.host ?? url.socket ?? ""}:${url.port ?? ""}/${url.database ?? ""}`;
  return `${url.dialect}:${where}#${schema ?? ""}`;
}
