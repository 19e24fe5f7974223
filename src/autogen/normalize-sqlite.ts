/**
 * SQLite spellings. A column's type is only its affinity to SQLite (the
 * rules of "Determination Of Column Affinity"): `varchar(255)` and `text`,
 * `int` and `bigint` store the same, so types compare by affinity. Names
 * are case-insensitive. Defaults are kept as written.
 */
import { isSqlExpression, type DefaultValue, type ForeignKeyAction } from "../ops/op.js";
import { renderDefault } from "../dialects/common/defaults.js";
import { mapPortableType } from "../dialects/common/types.js";
import { canonicalDefault, canonicalSql } from "./normalize-text.js";
import { globalDefaultKind, type Normalizer, type TypeShape } from "./normalizer.js";
import type { SpecOrigin } from "./schema-spec.js";

export type Affinity = "integer" | "text" | "blob" | "real" | "numeric";

export function sqliteAffinity(type: string): Affinity {
  const upper = type.toUpperCase();
  if (upper.includes("INT")) return "integer";
  if (upper.includes("CHAR") || upper.includes("CLOB") || upper.includes("TEXT")) return "text";
  if (upper.includes("BLOB") || upper.trim() === "") return "blob";
  if (upper.includes("REAL") || upper.includes("FLOA") || upper.includes("DOUB")) return "real";
  return "numeric";
}

const SHAPES: Readonly<Record<Affinity, TypeShape>> = {
  integer: { family: "integer", size: 8 },
  text: { family: "text", size: Infinity },
  blob: { family: "binary", size: Infinity },
  real: { family: "float", size: 8 },
  numeric: { family: "decimal", size: Infinity, scale: Infinity },
};

export const sqliteNormalizer: Normalizer = {
  dialect: "sqlite",
  tableKey: (name) => name.toLowerCase(),
  columnKey: (name) => name.toLowerCase(),
  type: (type: string, origin: SpecOrigin) => sqliteAffinity(origin === "declared" ? mapPortableType(type, "sqlite") : type),
  defaultValue(value: DefaultValue | undefined, origin: SpecOrigin, declaredType: string, type: string): string | null {
    if (value === undefined || value === null) return null;
    const sql =
      origin === "database" && isSqlExpression(value)
        ? value.sql
        : renderDefault(value, "sqlite", origin === "declared" ? mapPortableType(declaredType, "sqlite") : declaredType);
    return sql === undefined ? null : canonicalDefault(sql, globalDefaultKind(SHAPES[type as Affinity] ?? { family: "other" }));
  },
  expression: (sql) => canonicalSql(sql),
  view: (sql) => canonicalSql(sql, { unqualify: true }),
  foreignKeyAction: (action: ForeignKeyAction) => action,
  uniqueIndexIsConstraint: false,
  partialIndexes: true,
  implicitCheck: () => false,
  opType(type: string): string {
    // A reported type the compiler would map (`date` → text) is written as its affinity's own name, which maps to itself.
    return mapPortableType(type, "sqlite") === type ? type : sqliteAffinity(type);
  },
  shape: (type) => SHAPES[type as Affinity] ?? { family: "other" },
};
