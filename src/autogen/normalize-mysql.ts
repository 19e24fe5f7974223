/**
 * MySQL/MariaDB spellings. Integer display widths are noise (`int(11)` is
 * `int`; MySQL 8.0.19+ stopped printing them) except `tinyint(1)`, which is
 * how MySQL spells boolean. A unique index is a unique constraint. Column
 * and index names are case-insensitive, table names are not (they are file
 * names on Linux). RESTRICT and NO ACTION are the same thing in InnoDB.
 * MariaDB stores JSON as longtext with an automatic `json_valid` check.
 */
import { isSqlExpression, type DefaultValue, type ForeignKeyAction } from "../ops/op.js";
import { renderDefault } from "../dialects/common/defaults.js";
import { mapPortableType } from "../dialects/common/types.js";
import { canonicalDefault, canonicalSql } from "./normalize-text.js";
import { globalDefaultKind, type Normalizer, type TypeShape } from "./normalizer.js";
import type { SpecOrigin } from "./schema-spec.js";

const INTEGER_BYTES: Readonly<Record<string, number>> = { tinyint: 1, smallint: 2, mediumint: 3, int: 4, bigint: 8 };
const TEXT_SIZES: Readonly<Record<string, number>> = { tinytext: 255, text: 65_535, mediumtext: 16_777_215, longtext: Infinity };
const BLOB_SIZES: Readonly<Record<string, number>> = { tinyblob: 255, blob: 65_535, mediumblob: 16_777_215, longblob: Infinity };
const OP_SPELLINGS: Readonly<Record<string, string>> = { text: "text(16383)", blob: "blob(65535)", timestamp: "timestamp(0)" };

export function canonicalMysqlType(type: string, mariadb: boolean): string {
  let text = type
    .trim()
    .toLowerCase()
    .replace(/\s+/g, " ")
    .replace(/\s*\(\s*/g, "(")
    .replace(/\s*,\s*/g, ",")
    .replace(/\s*\)/g, ")");
  text = text.replace(/^integer\b/, "int").replace(/^(?:bool|boolean)$/, "tinyint(1)");
  const integer = /^(tinyint|smallint|mediumint|int|bigint)(\(\d+\))?(.*)$/.exec(text);
  if (integer !== null) {
    const width = integer[1] === "tinyint" && integer[2] === "(1)" ? "(1)" : "";
    return `${integer[1]}${width}${integer[3]!.replace(/ zerofill\b/, "")}`;
  }
  text = text.replace(/^(?:dec|numeric|fixed)\b/, "decimal").replace(/^(?:double precision|real)\b/, "double");
  if (text === "decimal") return "decimal(10,0)";
  const decimal = /^decimal\((\d+)\)(.*)$/.exec(text);
  if (decimal !== null) return `decimal(${decimal[1]},0)${decimal[2]}`;
  if (text === "char" || text === "binary") return `${text}(1)`;
  if (mariadb && text === "json") return "longtext";
  return text;
}

function shape(type: string): TypeShape {
  const args = /\(([\d,]+)\)/.exec(type)?.[1]?.split(",").map(Number) ?? [];
  if (type === "tinyint(1)") return { family: "boolean", size: 1 };
  const base = /^[a-z]+/.exec(type)?.[0] ?? "";
  const bytes = INTEGER_BYTES[base];
  if (bytes !== undefined) return { family: "integer", size: type.includes("unsigned") ? bytes + 0.5 : bytes };
  if (base === "decimal") return { family: "decimal", size: args[0] ?? 10, scale: args[1] ?? 0 };
  if (base === "float") return { family: "float", size: 4 };
  if (base === "double") return { family: "float", size: 8 };
  if (base === "varchar" || base === "char") return { family: "text", size: args[0] ?? 1 };
  if (TEXT_SIZES[base] !== undefined) return { family: "text", size: TEXT_SIZES[base] };
  if (base === "varbinary" || base === "binary") return { family: "binary", size: args[0] ?? 1 };
  if (BLOB_SIZES[base] !== undefined) return { family: "binary", size: BLOB_SIZES[base] };
  if (/^(?:date|datetime|timestamp|time|year)$/.test(base)) return { family: "temporal" };
  if (base === "json") return { family: "json", size: Infinity };
  if (base === "uuid") return { family: "uuid", size: 16 };
  return { family: "other" };
}

export function mysqlNormalizer(mariadb: boolean): Normalizer {
  const canonical = (type: string): string => canonicalMysqlType(type, mariadb);
  return {
    dialect: "mysql",
    tableKey: (name) => name,
    columnKey: (name) => name.toLowerCase(),
    type: (type: string, origin: SpecOrigin) => canonical(origin === "declared" ? mapPortableType(type, "mysql") : type),
    defaultValue(value: DefaultValue | undefined, origin: SpecOrigin, declaredType: string, type: string): string | null {
      if (value === undefined || value === null) return null;
      const sql =
        origin === "database" && isSqlExpression(value)
          ? value.sql
          : renderDefault(value, "mysql", origin === "declared" ? mapPortableType(declaredType, "mysql") : declaredType);
      return sql === undefined ? null : canonicalDefault(sql, globalDefaultKind(shape(type)), { backslashEscapes: true });
    },
    expression: (sql) => canonicalSql(sql, { backslashEscapes: true }),
    view: (sql) => canonicalSql(sql, { backslashEscapes: true, unqualify: true }),
    foreignKeyAction: (action: ForeignKeyAction) => (action === "restrict" ? "no action" : action),
    uniqueIndexIsConstraint: true,
    partialIndexes: false,
    implicitCheck: (expression) => mariadb && /^json_valid[a-z0-9_$]+$/.test(expression),
    opType(type: string): string {
      // Portable `text`/`blob`/`timestamp` would be mapped (longtext, longblob, datetime(6)); with an
      // argument they pass through, and MySQL still makes TEXT (16383 characters fit in it in any charset), BLOB, TIMESTAMP.
      if (mapPortableType(type, "mysql") === type) return type;
      return OP_SPELLINGS[type.trim().toLowerCase()] ?? type;
    },
    shape,
  };
}
