/**
 * sqlalchemy-migrate's `migrate.cfg`, as keystone's extension repositories
 * ship it:
 *
 *     [db_settings]
 *     repository_id=my_extension
 *     version_table=migrate_version
 *     required_dbs=[]
 *
 * Other keys (use_timestamp_numbering, …) belong to sqlalchemy-migrate and
 * are ignored.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { DialectName } from "../vocabulary.js";
import { ConfigError, messageOf } from "../errors.js";
import { findSection, iniError, parseIni, sectionValues } from "./ini.js";
import { isIdentifier } from "./validate.js";

export const MIGRATE_CFG = "migrate.cfg";

export interface MigrateCfg {
  /** Absolute path of the file. */
  readonly file: string;
  readonly repositoryId?: string;
  readonly versionTable?: string;
  /** Absent key and `[]` both mean "every dialect". */
  readonly requiredDbs: readonly string[];
}

/** Reads `<folder>/migrate.cfg`; undefined when the folder has none. */
export function readMigrateCfg(folder: string): MigrateCfg | undefined {
  const file = join(folder, MIGRATE_CFG);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw new ConfigError(`${file}: cannot read the repository's migrate.cfg: ${messageOf(error)}`, {
      cause: error,
      fields: { file },
    });
  }
  return parseMigrateCfg(text, file);
}

export function parseMigrateCfg(text: string, file: string): MigrateCfg {
  const doc = parseIni(text, file);
  const section = findSection(doc, "db_settings");
  if (section === undefined) {
    throw iniError(file, undefined, "migrate.cfg has no [db_settings] section");
  }
  const values = sectionValues(doc, section, { inheritDefaults: true });

  const id = values.get("repository_id");
  if (id !== undefined && id.value === "") {
    throw iniError(file, id.line, "repository_id is empty");
  }
  const table = values.get("version_table");
  if (table !== undefined && !isIdentifier(table.value)) {
    throw iniError(
      file,
      table.line,
      `version_table must be a plain table name (letters, digits, "_", "$"), found ${JSON.stringify(table.value)}`,
    );
  }
  const dbs = values.get("required_dbs");
  return {
    file,
    ...(id === undefined ? {} : { repositoryId: id.value }),
    ...(table === undefined ? {} : { versionTable: table.value }),
    requiredDbs: dbs === undefined ? [] : parseRequiredDbs(dbs.value, file, dbs.line),
  };
}

/**
 * A Python-literal list (`[]`, `['postgresql', 'mysql']`, a tuple, double
 * quotes) or a bare comma list (`postgresql, mysql`).
 */
export function parseRequiredDbs(value: string, file: string, line?: number): readonly string[] {
  const fail = (why: string): ConfigError =>
    iniError(file, line, `required_dbs ${why}; write a list like ['postgresql', 'mysql'], found ${JSON.stringify(value)}`);

  let body = value.trim();
  const open = body[0];
  const bracketed = open === "[" || open === "(";
  if (bracketed) {
    const close = open === "[" ? "]" : ")";
    if (!body.endsWith(close)) throw fail(`has "${open}" without a closing "${close}"`);
    body = body.slice(1, -1);
  }
  const names: string[] = [];
  const parts = body.split(",").map((part) => part.trim());
  parts.forEach((part, index) => {
    if (part === "") {
      // `[]`, an empty value, and one trailing comma as Python allows; nothing else may be empty.
      if (index === parts.length - 1) return;
      throw fail("has an empty item");
    }
    const quoted = /^(['"])([^'"\\]*)\1$/.exec(part);
    const name = quoted !== null ? quoted[2] : /^[A-Za-z0-9_.+-]+$/.test(part) ? part : undefined;
    if (name === undefined || name === "") throw fail(`has an invalid item ${JSON.stringify(part)}`);
    names.push(name);
  });
  return names;
}

const DIALECT_ALIASES: Readonly<Record<string, DialectName>> = {
  sqlite: "sqlite",
  sqlite3: "sqlite",
  postgres: "postgres",
  postgresql: "postgres",
  pg: "postgres",
  mysql: "mysql",
  mariadb: "mysql",
};

/** The dialect a required_dbs name means (`postgresql+psycopg2` → postgres); undefined for others (oracle, …). */
export function dialectOfDbName(name: string): DialectName | undefined {
  const base = name.toLowerCase().split("+")[0] ?? "";
  return Object.hasOwn(DIALECT_ALIASES, base) ? DIALECT_ALIASES[base] : undefined;
}

/** An empty list allows every dialect. */
export function requiredDbsAllows(dbs: readonly string[], dialect: DialectName): boolean {
  return dbs.length === 0 || dbs.some((name) => dialectOfDbName(name) === dialect);
}

/** Refuses a dialect the repository's migrate.cfg does not list. */
export function checkRequiredDbs(
  repository: { readonly name: string; readonly requiredDbs: readonly string[]; readonly migrateCfg?: string },
  dialect: DialectName,
): void {
  if (requiredDbsAllows(repository.requiredDbs, dialect)) return;
  const where = repository.migrateCfg ?? MIGRATE_CFG;
  throw new ConfigError(
    `Repository "${repository.name}" supports only ${repository.requiredDbs.join(", ")} ` +
      `(required_dbs in ${where}); it cannot run on ${dialect}.`,
    { fields: { repository: repository.name, dialect, requiredDbs: repository.requiredDbs, file: where } },
  );
}
