/**
 * Checks of a declared schema that need the dialect (and, on PostgreSQL, a
 * catalog lookup): every declared type is one the database can create, and
 * every foreign key points at a table that is declared — here, by another
 * repository's schema, or left alone by `ignoreTables`. A `.sql` schema
 * needs neither: the scratch database already ran it.
 */
import type { Connection, DialectName } from "../dialects/dialect.js";
import { mapPortableType } from "../dialects/common/types.js";
import type { Normalizer } from "./normalizer.js";
import { SchemaError } from "../errors.js";
import type { SchemaSpec } from "./schema-spec.js";

/** MySQL/MariaDB data types (MySQL has no user-defined types, so this list is the whole language). */
const MYSQL_TYPES = new Set([
  "tinyint",
  "smallint",
  "mediumint",
  "int",
  "integer",
  "bigint",
  "decimal",
  "dec",
  "numeric",
  "fixed",
  "float",
  "double",
  "real",
  "bit",
  "bool",
  "boolean",
  "serial",
  "date",
  "datetime",
  "timestamp",
  "time",
  "year",
  "char",
  "varchar",
  "binary",
  "varbinary",
  "tinyblob",
  "blob",
  "mediumblob",
  "longblob",
  "tinytext",
  "text",
  "mediumtext",
  "longtext",
  "enum",
  "set",
  "json",
  "geometry",
  "point",
  "linestring",
  "polygon",
  "multipoint",
  "multilinestring",
  "multipolygon",
  "geometrycollection",
  "uuid",
  "inet4",
  "inet6",
  "nchar",
  "nvarchar",
  "national",
  "long",
  "character",
  "double precision",
]);

/** SQLite accepts any name, but only this shape: words, then up to two signed numbers in parentheses. */
const SQLITE_TYPE =
  /^[A-Za-z_][A-Za-z0-9_]*(?:\s+[A-Za-z_][A-Za-z0-9_]*)*\s*(?:\(\s*[+-]?\d+(?:\.\d+)?\s*(?:,\s*[+-]?\d+(?:\.\d+)?\s*)?\))?$/;

interface DeclaredType {
  readonly where: string;
  readonly declared: string;
  readonly mapped: string;
}

function declaredTypes(spec: SchemaSpec, dialect: DialectName): DeclaredType[] {
  return spec.tables
    .filter((table) => table.origin === "declared")
    .flatMap((table) =>
      table.columns.map((column) => ({
        where: `${table.name}.${column.name}`,
        declared: column.type,
        mapped: mapPortableType(column.type, dialect),
      })),
    );
}

function refuse(type: DeclaredType, dialect: DialectName, why: string): never {
  const mapped = type.mapped === type.declared ? "" : ` (mapped to "${type.mapped}")`;
  throw new SchemaError(
    `Column ${type.where} declares type "${type.declared}"${mapped}, which ${dialect} cannot create: ${why}. ` +
      "Use a portable type (integer, bigint, smallint, text, varchar(N), boolean, real, double, decimal(P,S), date, timestamp, timestamptz, json, blob, uuid) or one of this database's own.",
    { fields: { column: type.where, type: type.declared } },
  );
}

export async function checkDeclaredTypes(
  spec: SchemaSpec,
  dialect: DialectName,
  connection: Connection | undefined,
): Promise<void> {
  if (dialect === "mysql") {
    const partial = spec.tables.flatMap((table) =>
      table.indexes.filter((index) => index.where !== undefined).map((index) => ({ table, index })),
    );
    if (partial[0] !== undefined) {
      const { table, index } = partial[0];
      throw new SchemaError(
        `Table ${table.name} declares a partial index on (${index.columns.join(", ")}) where ${index.where}, which MySQL and MariaDB cannot create (no WHERE on an index); index the columns, or a generated column.`,
        { fields: { table: table.name } },
      );
    }
  }
  const types = declaredTypes(spec, dialect);
  if (dialect === "sqlite") {
    for (const type of types)
      if (!SQLITE_TYPE.test(type.mapped.trim()))
        refuse(type, dialect, "SQLite type names are words with at most two numbers in parentheses");
    return;
  }
  if (dialect === "mysql") {
    for (const type of types) {
      const base = type.mapped
        .trim()
        .toLowerCase()
        .replace(/\s*\(.*$/, "")
        .replace(/\s+(unsigned|signed|zerofill|precision|varying|character set.*|charset.*|collate.*)\b.*$/, "");
      if (!MYSQL_TYPES.has(base)) refuse(type, dialect, `"${base}" is not a MySQL or MariaDB data type`);
    }
    return;
  }
  // PostgreSQL has user-defined types (enums, domains, extensions): ask its catalog, which parses type names as DDL does.
  if (connection === undefined || types.length === 0) return;
  const distinct = [...new Set(types.map((type) => type.mapped))];
  const rows = await connection.query<{ t: string; ok: boolean }>(
    "SELECT t, to_regtype(t) IS NOT NULL AS ok FROM unnest(?::text[]) AS t",
    [distinct],
  );
  const unknown = new Set(rows.filter((row) => row.ok !== true).map((row) => row.t));
  const bad = types.find((type) => unknown.has(type.mapped));
  if (bad !== undefined) refuse(bad, dialect, "PostgreSQL knows no type of that name in the search path");
}

/** A foreign key must point at a declared table; `elsewhere` says whether a table is another's to declare. */
export function checkForeignKeyTargets(spec: SchemaSpec, n: Normalizer, elsewhere: (table: string) => boolean): void {
  const tables = new Map(spec.tables.map((table) => [n.tableKey(table.name), table]));
  for (const table of spec.tables) {
    for (const fk of table.foreignKeys) {
      const target = tables.get(n.tableKey(fk.refTable));
      if (target === undefined) {
        if (elsewhere(fk.refTable)) continue;
        throw new SchemaError(
          `Table ${table.name} has a foreign key (${fk.columns.join(", ")}) to table "${fk.refTable}", which the schema does not declare. ` +
            "Declare that table, correct the name, or, if another repository's schema or `ignoreTables` covers it, name it there.",
          { fields: { table: table.name, refTable: fk.refTable } },
        );
      }
      const missing = fk.refColumns.find((column) => !target.columns.some((c) => n.columnKey(c.name) === n.columnKey(column)));
      if (missing !== undefined) {
        throw new SchemaError(
          `Table ${table.name} has a foreign key to ${target.name}.${missing}, a column table ${target.name} does not declare (its columns: ${target.columns.map((c) => c.name).join(", ")}).`,
          { fields: { table: table.name, refTable: fk.refTable } },
        );
      }
    }
  }
}
