/**
 * PostgreSQL spellings. Types are compared as `format_type` prints them
 * (`character varying(255)`, `timestamp without time zone`), so declared
 * aliases (`varchar`, `int4`, `timestamptz`, `decimal`) are rewritten to
 * that; defaults lose the casts PostgreSQL adds (`'x'::text`). Names are
 * case-sensitive: tidemark quotes every identifier it writes.
 */
import { isSqlExpression, type DefaultValue, type ForeignKeyAction } from "../ops/op.js";
import { renderDefault } from "../dialects/common/defaults.js";
import { mapPortableType } from "../dialects/common/types.js";
import { canonicalDefault, canonicalSql } from "./normalize-text.js";
import { globalDefaultKind, type Normalizer, type TypeShape } from "./normalizer.js";
import type { SpecOrigin } from "./schema-spec.js";

const ALIASES: readonly (readonly [RegExp, string])[] = [
  [/^(?:int|int4|integer|serial|serial4)$/, "integer"],
  [/^(?:int8|bigserial|serial8)$/, "bigint"],
  [/^(?:int2|smallserial|serial2)$/, "smallint"],
  [/^(?:float8|float|double precision)$/, "double precision"],
  [/^float4$/, "real"],
  [/^bool$/, "boolean"],
  [/^varchar\b/, "character varying"],
  [/^(?:char|bpchar)\b/, "character"],
  [/^decimal\b/, "numeric"],
  [/^timestamptz\b/, "timestamp with time zone"],
  [/^timetz\b/, "time with time zone"],
  [/^varbit\b/, "bit varying"],
];

function baseType(text: string): string {
  let type = text;
  for (const [pattern, replacement] of ALIASES) {
    if (pattern.test(type)) {
      type = type.replace(pattern, replacement);
      break;
    }
  }
  const float = /^float\((\d+)\)$/.exec(type);
  if (float !== null) return Number(float[1]) <= 24 ? "real" : "double precision";
  if (type === "character") return "character(1)";
  // format_type writes the precision before the zone: timestamp(3) without time zone.
  const zoned = /^(timestamp|time)(\(\d+\))?( with time zone| without time zone)?$/.exec(type);
  if (zoned !== null) return `${zoned[1]}${zoned[2] ?? ""}${zoned[3] ?? " without time zone"}`;
  const zonedAlias = /^(timestamp|time) with time zone(\(\d+\))$/.exec(type);
  if (zonedAlias !== null) return `${zonedAlias[1]}${zonedAlias[2]} with time zone`;
  return type;
}

export function canonicalPostgresType(type: string): string {
  let text = type
    .trim()
    .toLowerCase()
    .replace(/\s+/g, " ")
    .replace(/\s*\(\s*/g, "(")
    .replace(/\s*,\s*/g, ",")
    .replace(/\s*\)/g, ")");
  let arrays = "";
  while (/\s*\[\d*\]$/.test(text)) {
    text = text.replace(/\s*\[\d*\]$/, "");
    arrays += "[]";
  }
  return `${baseType(text.replace(/^"(.*)"$/, "$1").replace(/^pg_catalog\./, ""))}${arrays}`;
}

function shape(type: string): TypeShape {
  if (type.endsWith("[]")) return { family: "other" };
  const args = /\(([\d,]+)\)/.exec(type)?.[1]?.split(",").map(Number) ?? [];
  if (type === "smallint") return { family: "integer", size: 2 };
  if (type === "integer") return { family: "integer", size: 4 };
  if (type === "bigint") return { family: "integer", size: 8 };
  if (type.startsWith("numeric")) {
    return args.length === 0
      ? { family: "decimal", size: Infinity, scale: Infinity }
      : { family: "decimal", size: args[0]!, scale: args[1] ?? 0 };
  }
  if (type === "real") return { family: "float", size: 4 };
  if (type === "double precision") return { family: "float", size: 8 };
  if (type === "text") return { family: "text", size: Infinity };
  if (type.startsWith("character varying")) return { family: "text", size: args[0] ?? Infinity };
  if (type.startsWith("character")) return { family: "text", size: args[0] ?? 1 };
  if (type === "bytea") return { family: "binary", size: Infinity };
  if (type === "boolean") return { family: "boolean", size: 1 };
  if (/^(?:date|timestamp|time|interval)\b/.test(type)) return { family: "temporal" };
  if (type === "json" || type === "jsonb") return { family: "json", size: type === "jsonb" ? 2 : 1 };
  if (type === "uuid") return { family: "uuid", size: 16 };
  return { family: "other" };
}

export const postgresNormalizer: Normalizer = {
  dialect: "postgres",
  tableKey: (name) => name,
  columnKey: (name) => name,
  type(type: string, origin: SpecOrigin): string {
    return canonicalPostgresType(origin === "declared" ? mapPortableType(type, "postgres") : type);
  },
  defaultValue(value: DefaultValue | undefined, origin: SpecOrigin, declaredType: string, type: string): string | null {
    if (value === undefined || value === null) return null;
    const sql =
      origin === "database" && isSqlExpression(value)
        ? value.sql
        : renderDefault(value, "postgres", origin === "declared" ? mapPortableType(declaredType, "postgres") : declaredType);
    return sql === undefined ? null : canonicalDefault(sql, globalDefaultKind(shape(type)));
  },
  expression: (sql) => canonicalSql(sql),
  view: (sql) => canonicalSql(sql, { unqualify: true }),
  foreignKeyAction: (action: ForeignKeyAction) => action,
  uniqueIndexIsConstraint: false,
  partialIndexes: true,
  implicitCheck: () => false,
  opType(type: string): string {
    // `json` would be mapped to jsonb; the catalog-qualified name passes through as written.
    return mapPortableType(type, "postgres") === type ? type : `pg_catalog.${type}`;
  },
  shape,
};
