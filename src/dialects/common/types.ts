/**
 * Portable type names (SPEC §7) per dialect. Anything that is not one of
 * them, or has the wrong arguments, passes through exactly as written.
 *
 * Choices, where the dialects differ:
 * - SQLite gets its affinity names (integer, text, real, numeric, blob):
 *   that is all SQLite keeps, and `integer` keeps `bigint PRIMARY KEY` a rowid
 *   alias that AUTOINCREMENT accepts. Dates are ISO text, as the driver binds them.
 * - PostgreSQL `json` is `jsonb`: it has equality (DISTINCT, GROUP BY, UNION
 *   work), GIN indexes and containment operators, and applications rarely
 *   depend on json's preserved key order or whitespace.
 * - MySQL `text`/`blob` are `longtext`/`longblob`, because the portable types
 *   are unbounded elsewhere and MySQL's TEXT stops at 64 KB. `timestamp` and
 *   `timestamptz` are both `datetime(6)`: MySQL's TIMESTAMP ends in 2038 and
 *   converts through the session time zone; tidemark binds Dates as UTC.
 *   `boolean` is `tinyint(1)` (what BOOLEAN means there and what introspection
 *   reports); `uuid` is `char(36)` (MySQL has no uuid type).
 */
import type { DialectName } from "../dialect.js";

export type PortableTypeName =
  | "integer"
  | "bigint"
  | "smallint"
  | "text"
  | "varchar"
  | "boolean"
  | "real"
  | "double"
  | "decimal"
  | "date"
  | "timestamp"
  | "timestamptz"
  | "json"
  | "blob"
  | "uuid";

type Render = (args: readonly string[]) => string;

interface PortableType {
  /** Allowed argument counts. */
  readonly arity: readonly number[];
  readonly sqlite: Render;
  readonly postgres: Render;
  readonly mysql: Render;
}

const fixed =
  (name: string): Render =>
  () =>
    name;
const withArgs =
  (name: string): Render =>
  (args) =>
    args.length === 0 ? name : `${name}(${args.join(",")})`;

const PORTABLE_TYPES: Readonly<Record<PortableTypeName, PortableType>> = {
  integer: { arity: [0], sqlite: fixed("integer"), postgres: fixed("integer"), mysql: fixed("int") },
  bigint: { arity: [0], sqlite: fixed("integer"), postgres: fixed("bigint"), mysql: fixed("bigint") },
  smallint: { arity: [0], sqlite: fixed("integer"), postgres: fixed("smallint"), mysql: fixed("smallint") },
  text: { arity: [0], sqlite: fixed("text"), postgres: fixed("text"), mysql: fixed("longtext") },
  varchar: { arity: [1], sqlite: fixed("text"), postgres: withArgs("varchar"), mysql: withArgs("varchar") },
  boolean: { arity: [0], sqlite: fixed("integer"), postgres: fixed("boolean"), mysql: fixed("tinyint(1)") },
  real: { arity: [0], sqlite: fixed("real"), postgres: fixed("real"), mysql: fixed("float") },
  double: { arity: [0], sqlite: fixed("real"), postgres: fixed("double precision"), mysql: fixed("double") },
  decimal: { arity: [0, 1, 2], sqlite: fixed("numeric"), postgres: withArgs("numeric"), mysql: withArgs("decimal") },
  date: { arity: [0], sqlite: fixed("text"), postgres: fixed("date"), mysql: fixed("date") },
  timestamp: { arity: [0], sqlite: fixed("text"), postgres: fixed("timestamp"), mysql: fixed("datetime(6)") },
  timestamptz: { arity: [0], sqlite: fixed("text"), postgres: fixed("timestamptz"), mysql: fixed("datetime(6)") },
  json: { arity: [0], sqlite: fixed("text"), postgres: fixed("jsonb"), mysql: fixed("json") },
  blob: { arity: [0], sqlite: fixed("blob"), postgres: fixed("bytea"), mysql: fixed("longblob") },
  uuid: { arity: [0], sqlite: fixed("text"), postgres: fixed("uuid"), mysql: fixed("char(36)") },
};

const SHAPE = /^\s*([A-Za-z]+)\s*(?:\(\s*(\d+(?:\s*,\s*\d+)*)\s*\))?\s*$/;

/** The portable name and its numeric arguments, or undefined for any other type string. */
export function parsePortableType(
  type: string,
): { readonly name: PortableTypeName; readonly args: readonly string[] } | undefined {
  const match = SHAPE.exec(type);
  if (match === null) return undefined;
  const name = match[1]!.toLowerCase();
  if (!Object.hasOwn(PORTABLE_TYPES, name)) return undefined;
  const args = match[2] === undefined ? [] : match[2].split(",").map((arg) => String(Number(arg.trim())));
  const portable = name as PortableTypeName;
  return PORTABLE_TYPES[portable].arity.includes(args.length) ? { name: portable, args } : undefined;
}

export function mapPortableType(type: string, dialect: DialectName): string {
  const parsed = parsePortableType(type);
  if (parsed === undefined) return type;
  return PORTABLE_TYPES[parsed.name][dialect](parsed.args);
}
