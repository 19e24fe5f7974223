/**
 * What a comparison must know about one dialect's spellings, so that equal
 * things compare equal (`int4`/`integer`, `int(11)`/`int`, `'x'::text`/`'x'`,
 * SQLite's type affinity, identifier case), and what a type change does to
 * the data in the column.
 */
import type { DialectName } from "../dialects/dialect.js";
import type { DefaultValue, ForeignKeyAction } from "../ops/op.js";
import type { SpecOrigin } from "./schema-spec.js";

/** A type's family and size, for "is this change narrowing?" and "could this be a rename?". */
export interface TypeShape {
  readonly family: "integer" | "decimal" | "float" | "text" | "binary" | "boolean" | "temporal" | "json" | "uuid" | "other";
  /** Bytes or characters the type holds; Infinity for unbounded; undefined when unknown. */
  readonly size?: number;
  /** decimal: digits after the point. */
  readonly scale?: number;
}

export interface Normalizer {
  readonly dialect: DialectName;
  /** Comparison key of a table name (case-folded where the database folds it). */
  tableKey(name: string): string;
  /** Comparison key of a column, index or constraint name. */
  columnKey(name: string): string;
  /** The canonical type of a column. */
  type(type: string, origin: SpecOrigin): string;
  /** The canonical default of a column whose canonical type is `type` (null: none). */
  defaultValue(value: DefaultValue | undefined, origin: SpecOrigin, declaredType: string, type: string): string | null;
  /** CHECK expressions and partial-index predicates. */
  expression(sql: string): string;
  view(sql: string): string;
  foreignKeyAction(action: ForeignKeyAction): ForeignKeyAction;
  /** A unique index and a unique constraint are one object (MySQL). */
  readonly uniqueIndexIsConstraint: boolean;
  /** Partial indexes exist (not MySQL). */
  readonly partialIndexes: boolean;
  /** Checks the database adds by itself (MariaDB's json_valid), left out of the comparison. */
  implicitCheck(expression: string): boolean;
  /** A database-spelled type as an op can take it: never a portable name the compiler would map again. */
  opType(type: string): string;
  shape(type: string): TypeShape;
}

/**
 * A normaliser whose type, default and expression answers are remembered:
 * a schema of a thousand tables spells the same few types and defaults
 * thousands of times, and each answer is a handful of regular expressions.
 */
export function memoized(normalizer: Normalizer): Normalizer {
  const types = new Map<string, string>();
  const defaults = new Map<string, string | null>();
  const expressions = new Map<string, string>();
  const remember = <V>(cache: Map<string, V>, key: string, compute: () => V): V => {
    const known = cache.get(key);
    if (known !== undefined || cache.has(key)) return known as V;
    const value = compute();
    cache.set(key, value);
    return value;
  };
  return {
    ...normalizer,
    type: (type, origin) => remember(types, `${origin}\u0000${type}`, () => normalizer.type(type, origin)),
    defaultValue: (value, origin, declaredType, type) =>
      value === undefined || value === null
        ? null
        : remember(
            defaults,
            `${origin}\u0000${declaredType}\u0000${type}\u0000${typeof value}\u0000${JSON.stringify(value)}`,
            () => normalizer.defaultValue(value, origin, declaredType, type),
          ),
    expression: (sql) => remember(expressions, sql, () => normalizer.expression(sql)),
  };
}

/** Is a change of a column from `from` to `to` (canonical types) one that can lose or refuse data? */
export function typeChangeLoses(normalizer: Normalizer, from: string, to: string): boolean {
  if (from === to) return false;
  const a = normalizer.shape(from);
  const b = normalizer.shape(to);
  if (a.family !== b.family || a.family === "other") return true;
  if (a.size === undefined || b.size === undefined) return true;
  if (b.size < a.size) return true;
  return (b.scale ?? 0) < (a.scale ?? 0);
}

/** Could a column of type `a` have become one of type `b` by a rename (same family)? */
export function renameCompatible(normalizer: Normalizer, a: string, b: string): boolean {
  return a === b || normalizer.shape(a).family === normalizer.shape(b).family;
}

export function globalDefaultKind(shape: TypeShape): "numeric" | "temporal" | "other" {
  if (shape.family === "integer" || shape.family === "decimal" || shape.family === "float" || shape.family === "boolean")
    return "numeric";
  if (shape.family === "temporal") return "temporal";
  return "other";
}
