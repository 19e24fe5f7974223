/**
 * An ini config file (`--config tacker.conf`, `.ini`, `.cfg`) as a config
 * layer. tacker-db-manage reads the database URL from the application's own
 * oslo.config file, so tidemark takes it from there too:
 *
 *     [database]
 *     connection = mysql+pymysql://tacker:secret@db/tacker
 *
 *     [repository:core]
 *     path = migrations
 *
 *     [repository:example]
 *     path = extensions/example/migrate_repo
 *     extension = true
 *     depends_on = core
 *
 *     [tidemark]
 *     version_table = tidemark_version
 *     schema = db/schema.ts
 *     ignore_tables = legacy_*, audit_*
 *
 *     [fleet:tenants]
 *     urls =
 *         postgres://app@db1/tenant_a
 *         postgres://app@db1/shared schema=tenant_b name=tenant-b
 *     # or: file = databases.txt   or: catalog_url = … and catalog_sql = SELECT …
 *
 * Sections other than these belong to the application and are ignored, as
 * are other keys of `[database]` (pool sizes, …). `[DEFAULT]` is not
 * inherited: in oslo.config it is a group of its own. As oslo.config does,
 * a value wrapped in matching quotes is unwrapped.
 */
import type { IniDocument, IniEntry, IniSection } from "./ini.js";
import { iniError, sectionValues } from "./ini.js";
import type { FleetConfig } from "./fleet-types.js";
import { parseFleetFile, validateFleets } from "./fleets.js";
import type { IdScheme, RepositoryConfig, ScriptLanguage } from "./types.js";
import type { ConfigLayer } from "./validate.js";
import { isIdentifier, isRepositoryName } from "./validate.js";
import { fileTemplateProblem } from "../util/file-name-template.js";

const REPOSITORY_PREFIX = "repository:";
const FLEET_PREFIX = "fleet:";
const FLEET_KEYS = ["urls", "file", "catalog_url", "catalog_sql"];
const REPOSITORY_KEYS = ["path", "extension", "rolling", "id", "version_table", "depends_on", "scheme", "schema"];
const TIDEMARK_KEYS = [
  "version_table",
  "schema",
  "db_schema",
  "lock_timeout",
  "statement_timeout",
  "language",
  "shadow_url",
  "ignore_tables",
  "file_template",
];
const TRUE = ["1", "yes", "true", "on"];
const FALSE = ["0", "no", "false", "off"];

class Reader {
  constructor(private readonly doc: IniDocument) {}

  fail(entry: IniEntry, message: string): never {
    throw iniError(this.doc.file, entry.line, message);
  }

  values(section: IniSection, allowed?: readonly string[]): ReadonlyMap<string, IniEntry> {
    const values = sectionValues(this.doc, section);
    if (allowed !== undefined) {
      for (const entry of values.values()) {
        if (!allowed.includes(entry.key)) {
          this.fail(entry, `unknown key "${entry.key}" in [${section.name}]; known keys are ${allowed.join(", ")}`);
        }
      }
    }
    return values;
  }

  text(entry: IniEntry | undefined): string | undefined {
    if (entry === undefined) return undefined;
    const value = entry.value;
    const quoted = value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.at(-1) === value[0];
    return quoted ? value.slice(1, -1) : value;
  }

  nonEmpty(entry: IniEntry | undefined): string | undefined {
    const value = this.text(entry);
    if (entry !== undefined && value === "") this.fail(entry, `"${entry.key}" is empty`);
    return value;
  }

  identifier(entry: IniEntry | undefined): string | undefined {
    const value = this.nonEmpty(entry);
    if (entry !== undefined && value !== undefined && !isIdentifier(value)) {
      this.fail(entry, `"${entry.key}" must be a plain name (letters, digits, "_", "$"), found ${JSON.stringify(value)}`);
    }
    return value;
  }

  boolean(entry: IniEntry | undefined): boolean | undefined {
    const value = this.text(entry)?.toLowerCase();
    if (entry === undefined || value === undefined) return undefined;
    if (TRUE.includes(value)) return true;
    if (FALSE.includes(value)) return false;
    return this.fail(entry, `"${entry.key}" must be true or false, found ${JSON.stringify(entry.value)}`);
  }

  oneOf<T extends string>(entry: IniEntry | undefined, allowed: readonly T[]): T | undefined {
    const value = this.text(entry);
    if (entry === undefined || value === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(value)) {
      this.fail(entry, `"${entry.key}" must be one of ${allowed.join(", ")}, found ${JSON.stringify(value)}`);
    }
    return value as T;
  }

  list(entry: IniEntry | undefined): string[] | undefined {
    const value = this.text(entry);
    if (value === undefined) return undefined;
    return value
      .split(/[,\s]+/)
      .map((item) => item.trim())
      .filter((item) => item !== "");
  }
}

function defined<T extends object>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as T;
}

export function iniToConfig(doc: IniDocument): ConfigLayer {
  const read = new Reader(doc);
  const layer: {
    url?: string;
    repositories?: Record<string, Partial<RepositoryConfig>>;
    versionTable?: string;
    schema?: string;
    dbSchema?: string;
    lockTimeout?: number;
    statementTimeout?: number;
    language?: ScriptLanguage;
    shadowUrl?: string;
    ignoreTables?: string[];
    fleets?: Record<string, FleetConfig>;
    fileTemplate?: string;
  } = {};

  for (const section of doc.sections) {
    const lowered = section.name.toLowerCase();
    if (lowered === "database") {
      const values = read.values(section);
      const connection = values.get("connection");
      const url = values.get("url");
      if (connection !== undefined && url !== undefined) {
        read.fail(url, `[database] sets both "connection" (line ${connection.line}) and "url"; keep one`);
      }
      const value = read.text(connection ?? url);
      if (value !== undefined && value !== "") layer.url = value;
    } else if (lowered.startsWith(REPOSITORY_PREFIX)) {
      const name = section.name.slice(REPOSITORY_PREFIX.length).trim();
      if (!isRepositoryName(name)) {
        throw iniError(
          doc.file,
          section.line,
          `[${section.name}]: repository name ${JSON.stringify(name)} is not allowed; use letters, digits, "_", "." and "-" only`,
        );
      }
      const values = read.values(section, REPOSITORY_KEYS);
      layer.repositories ??= {};
      layer.repositories[name] = defined({
        path: read.nonEmpty(values.get("path")),
        extension: read.boolean(values.get("extension")),
        rolling: read.boolean(values.get("rolling")),
        id: read.nonEmpty(values.get("id")),
        versionTable: read.identifier(values.get("version_table")),
        dependsOn: read.list(values.get("depends_on")),
        scheme: read.oneOf<IdScheme>(values.get("scheme"), ["numbered", "graph"]),
        schema: read.nonEmpty(values.get("schema")),
      });
    } else if (lowered.startsWith(FLEET_PREFIX)) {
      const name = section.name.slice(FLEET_PREFIX.length).trim();
      layer.fleets = { ...layer.fleets, ...fleetSection(read, section, name, doc.file) };
    } else if (lowered === "tidemark") {
      const values = read.values(section, TIDEMARK_KEYS);
      const seconds = (key: string): number | undefined => {
        const entry = values.get(key);
        const text = read.text(entry);
        if (entry === undefined || text === undefined) return undefined;
        const value = Number(text);
        if (text.trim() === "" || !Number.isFinite(value) || value < 0) {
          read.fail(entry, `"${key}" must be a number of seconds (0 or more), found ${JSON.stringify(text)}`);
        }
        return value;
      };
      const lockTimeout = seconds("lock_timeout");
      const statementTimeout = seconds("statement_timeout");
      const template = values.get("file_template");
      const fileTemplate = read.nonEmpty(template);
      const problem = fileTemplate === undefined ? undefined : fileTemplateProblem(fileTemplate);
      if (template !== undefined && problem !== undefined) {
        read.fail(template, `"file_template" cannot name revision files: ${problem}`);
      }
      Object.assign(
        layer,
        defined({
          fileTemplate,
          versionTable: read.identifier(values.get("version_table")),
          schema: read.nonEmpty(values.get("schema")),
          dbSchema: read.identifier(values.get("db_schema")),
          lockTimeout,
          statementTimeout,
          language: read.oneOf<ScriptLanguage>(values.get("language"), ["ts", "js", "sql"]),
          shadowUrl: read.nonEmpty(values.get("shadow_url")),
          ignoreTables: read.list(values.get("ignore_tables")),
        }),
      );
    }
  }
  return layer;
}

/** `[fleet:NAME]`: `urls` (one target per line, as in a fleet file), `file`, or `catalog_url` + `catalog_sql`. */
function fleetSection(read: Reader, section: IniSection, name: string, file: string): Record<string, FleetConfig> {
  const values = read.values(section, FLEET_KEYS);
  const urls = values.get("urls");
  const catalogUrl = read.nonEmpty(values.get("catalog_url"));
  const catalogSql = read.nonEmpty(values.get("catalog_sql"));
  const raw: Record<string, unknown> = {};
  if (urls !== undefined) {
    raw["urls"] = parseFleetFile(read.text(urls) ?? "").map((line) => {
      if ("problem" in line) read.fail(urls, `[${section.name}] urls, line ${line.line} of the value: ${line.problem}`);
      return line.entry;
    });
  }
  const fleetFile = read.nonEmpty(values.get("file"));
  if (fleetFile !== undefined) raw["file"] = fleetFile;
  if (catalogUrl !== undefined || catalogSql !== undefined) raw["catalog"] = { url: catalogUrl, sql: catalogSql };
  return validateFleets({ [name]: raw }, `${file} [${section.name}]`);
}
