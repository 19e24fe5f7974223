/**
 * PostgreSQL → SchemaModel from pg_catalog, one query per kind of object for
 * the whole schema (not per table), so that a schema of hundreds of tables
 * costs a handful of round trips. Key and index columns come back as
 * attribute numbers and are named from the columns query, rather than by a
 * subquery per row (a thousand tables: ~50 ms of catalog time, not ~500).
 *
 * Choices: the schema defaults to the session's `current_schema()` (that is
 * `public` unless `search_path` or the URL's `?schema=` says otherwise);
 * serial and identity columns report `autoIncrement: true` and no default
 * (the `nextval(…)` is the mechanism, not a user default); a foreign key to
 * a table in another schema names it `schema.table`; CHECK expressions are
 * pg_get_constraintdef's pretty text without the `CHECK (…)` wrapper.
 */
import type { Connection } from "../dialect.js";
import type {
  CheckModel,
  ColumnModel,
  ForeignKeyModel,
  IndexModel,
  IntrospectOptions,
  SchemaModel,
  TableModel,
  UniqueModel,
} from "../schema-model.js";
import { byName, excludedTables, foreignKeyAction } from "../introspect-support.js";

const TABLE_KINDS = "('r', 'p')";

interface ColumnRow {
  readonly table_name: string;
  readonly attnum: number;
  readonly name: string;
  readonly type: string;
  readonly notnull: boolean;
  readonly default_sql: string | null;
  readonly identity: string;
  readonly generated: string;
  /** A sequence the column owns (serial): pg_get_serial_sequence, read from pg_depend for every column at once. */
  readonly serial: boolean;
  /** The column's collation when it is not its type's default. */
  readonly collation: string | null;
  [key: string]: unknown;
}

interface ConstraintRow {
  readonly table_name: string;
  readonly name: string;
  readonly type: string;
  /** conkey as text, e.g. `{1,2}`. */
  readonly keys: string | null;
  readonly ref_table: string | null;
  readonly ref_schema: string | null;
  /** Foreign keys only. */
  readonly ref_columns: string[] | null;
  readonly on_update: string;
  readonly on_delete: string;
  /** Checks only. */
  readonly definition: string | null;
  [key: string]: unknown;
}

interface IndexRow {
  readonly table_name: string;
  readonly name: string;
  readonly is_unique: boolean;
  /** indkey's key columns as text, e.g. `2 3` (0 for an expression). */
  readonly keys: string;
  readonly key_count: number;
  /** pg_get_indexdef of every key column, only for an index with expressions. */
  readonly expressions: string[] | null;
  readonly predicate: string | null;
  [key: string]: unknown;
}

interface TableParts {
  readonly columns: ColumnModel[];
  primaryKey: string[];
  readonly indexes: IndexModel[];
  readonly uniques: UniqueModel[];
  readonly foreignKeys: ForeignKeyModel[];
  readonly checks: CheckModel[];
}

export async function introspectPostgres(connection: Connection, options: IntrospectOptions = {}): Promise<SchemaModel> {
  const schema = options.schema ?? (await currentSchema(connection));
  const excluded = excludedTables(options);
  const tableRows = await connection.query<{ name: string }>(
    "SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace " +
      `WHERE n.nspname = ? AND c.relkind IN ${TABLE_KINDS} AND NOT c.relispartition ORDER BY c.relname`,
    [schema],
  );
  const parts = new Map<string, TableParts>();
  for (const row of tableRows) {
    if (excluded.has(row.name)) continue;
    parts.set(row.name, { columns: [], primaryKey: [], indexes: [], uniques: [], foreignKeys: [], checks: [] });
  }

  const attnames = new Map<string, Map<number, string>>();
  for (const row of await readColumns(connection, schema)) {
    let names = attnames.get(row.table_name);
    if (names === undefined) attnames.set(row.table_name, (names = new Map()));
    names.set(Number(row.attnum), row.name);
    const autoIncrement =
      row.identity === "a" || row.identity === "d" || (row.serial && /^nextval\(/.test(row.default_sql ?? ""));
    parts.get(row.table_name)?.columns.push({
      name: row.name,
      type: row.type.toLowerCase(),
      nullable: !row.notnull,
      default: autoIncrement || row.generated !== "" ? null : row.default_sql,
      autoIncrement,
      ...(row.collation === null ? {} : { collation: row.collation }),
    });
  }
  const named = (table: string, numbers: readonly number[]): string[] => numbers.map((n) => attnames.get(table)?.get(n) ?? "");
  for (const row of await readConstraints(connection, schema)) {
    const table = parts.get(row.table_name);
    if (table === undefined) continue;
    const columns = named(row.table_name, attnums(row.keys));
    if (row.type === "p") table.primaryKey = columns;
    else if (row.type === "u") table.uniques.push({ name: row.name, columns });
    else if (row.type === "c") table.checks.push({ name: row.name, expression: checkExpression(row.definition ?? "") });
    else if (row.type === "f") {
      table.foreignKeys.push({
        name: row.name,
        columns,
        refTable: row.ref_schema === schema ? (row.ref_table ?? "") : `${row.ref_schema ?? ""}.${row.ref_table ?? ""}`,
        refColumns: row.ref_columns ?? [],
        onDelete: foreignKeyAction(row.on_delete),
        onUpdate: foreignKeyAction(row.on_update),
      });
    }
  }
  for (const row of await readIndexes(connection, schema)) {
    const keys = attnums(row.keys).slice(0, Number(row.key_count));
    const index: { -readonly [K in keyof IndexModel]: IndexModel[K] } = {
      name: row.name,
      columns: keys.map((n, k) => (n === 0 ? (row.expressions?.[k] ?? "") : (attnames.get(row.table_name)?.get(n) ?? ""))),
      unique: row.is_unique,
    };
    if (row.predicate !== null) index.where = row.predicate;
    parts.get(row.table_name)?.indexes.push(index);
  }

  const tables: TableModel[] = [...parts].map(([name, p]) => ({
    name,
    columns: p.columns,
    primaryKey: p.primaryKey,
    indexes: byName(p.indexes),
    uniques: byName(p.uniques),
    foreignKeys: byName(p.foreignKeys),
    checks: byName(p.checks),
  }));
  const views = await connection.query<{ name: string; sql: string }>(
    "SELECT c.relname AS name, pg_get_viewdef(c.oid, true) AS sql FROM pg_class c " +
      "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relkind = 'v' ORDER BY c.relname",
    [schema],
  );
  const triggers = await connection.query<{ name: string; table: string }>(
    'SELECT t.tgname AS name, c.relname AS "table" FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid ' +
      "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND NOT t.tgisinternal ORDER BY t.tgname, c.relname",
    [schema],
  );
  return {
    tables,
    views: views.filter((v) => !excluded.has(v.name)).map((v) => ({ name: v.name, sql: v.sql.trim().replace(/;$/, "") })),
    triggers: triggers.filter((t) => !excluded.has(t.table)).map((t) => ({ name: t.name, table: t.table })),
  };
}

/** A cheap catalog lookup; the schema defaults to the session's current schema. */
export async function postgresTableExists(connection: Connection, name: string, schema?: string): Promise<boolean> {
  const rows = await connection.query(
    "SELECT 1 AS found FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace " +
      `WHERE n.nspname = COALESCE(?::text, current_schema()) AND c.relname = ? AND c.relkind IN ${TABLE_KINDS}`,
    [schema ?? null, name],
  );
  return rows.length > 0;
}

async function currentSchema(connection: Connection): Promise<string> {
  const rows = await connection.query<{ s: string | null }>("SELECT current_schema() AS s");
  return rows[0]?.s ?? "public";
}

function readColumns(connection: Connection, schema: string): Promise<ColumnRow[]> {
  return connection.query<ColumnRow>(
    `SELECT c.relname AS table_name, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
            a.attnotnull AS notnull, pg_get_expr(d.adbin, d.adrelid) AS default_sql,
            a.attnum AS attnum, a.attidentity::text AS identity, a.attgenerated::text AS generated,
            EXISTS (SELECT 1 FROM pg_depend dep JOIN pg_class s ON s.oid = dep.objid AND s.relkind = 'S'
                     WHERE dep.classid = 'pg_class'::regclass AND dep.refclassid = 'pg_class'::regclass
                       AND dep.refobjid = c.oid AND dep.refobjsubid = a.attnum AND dep.deptype = 'a') AS serial,
            CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation THEN co.collname END AS collation
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_type t ON t.oid = a.atttypid
       LEFT JOIN pg_collation co ON co.oid = a.attcollation
       JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE n.nspname = ? AND c.relkind IN ${TABLE_KINDS} AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY c.relname, a.attnum`,
    [schema],
  );
}

function readConstraints(connection: Connection, schema: string): Promise<ConstraintRow[]> {
  // The referenced table may be in another schema, so its column names come from the catalog here.
  return connection.query<ConstraintRow>(
    `SELECT c.relname AS table_name, con.conname AS name, con.contype::text AS type, con.conkey::text AS keys,
            fc.relname AS ref_table, fn.nspname AS ref_schema,
            CASE WHEN con.contype = 'f' THEN
              ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord)
                      JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.ord) END AS ref_columns,
            con.confupdtype::text AS on_update, con.confdeltype::text AS on_delete,
            CASE WHEN con.contype = 'c' THEN pg_get_constraintdef(con.oid, true) END AS definition
       FROM pg_constraint con
       JOIN pg_class c ON c.oid = con.conrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_class fc ON fc.oid = con.confrelid
       LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
      WHERE n.nspname = ? AND con.contype IN ('p', 'u', 'f', 'c')
      ORDER BY c.relname, con.conname`,
    [schema],
  );
}

/** Indexes that do not back a primary key, unique or exclusion constraint. */
function readIndexes(connection: Connection, schema: string): Promise<IndexRow[]> {
  return connection.query<IndexRow>(
    `SELECT c.relname AS table_name, i.relname AS name, ix.indisunique AS is_unique,
            ix.indkey::text AS keys, ix.indnkeyatts AS key_count,
            CASE WHEN 0 = ANY (ix.indkey::int2[]) THEN
              ARRAY(SELECT pg_get_indexdef(ix.indexrelid, k, true) FROM generate_series(1, ix.indnkeyatts) k ORDER BY k) END AS expressions,
            pg_get_expr(ix.indpred, ix.indrelid, true) AS predicate
       FROM pg_index ix
       JOIN pg_class i ON i.oid = ix.indexrelid
       JOIN pg_class c ON c.oid = ix.indrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = ? AND c.relkind IN ${TABLE_KINDS} AND NOT ix.indisprimary
        AND ix.indexrelid NOT IN (SELECT con.conindid FROM pg_constraint con WHERE con.contype IN ('p', 'u', 'x'))
      ORDER BY c.relname, i.relname`,
    [schema],
  );
}

/** `{1,2}` (int2[]) or `1 2` (int2vector) as numbers. */
function attnums(text: string | null): number[] {
  return (text ?? "")
    .replace(/[{}]/g, " ")
    .split(/[\s,]+/)
    .filter((part) => part !== "")
    .map(Number);
}

/** `CHECK (age > 0) NOT VALID` → `age > 0`. */
function checkExpression(definition: string): string {
  let text = definition
    .replace(/^CHECK\s*/i, "")
    .replace(/\s+(NOT VALID|NO INHERIT)\s*$/gi, "")
    .trim();
  if (text.startsWith("(") && text.endsWith(")") && balanced(text.slice(1, -1))) text = text.slice(1, -1);
  return text;
}

function balanced(text: string): boolean {
  let depth = 0;
  let quote: string | undefined;
  for (const ch of text) {
    if (quote !== undefined) {
      if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === "(") depth += 1;
    else if (ch === ")" && --depth < 0) return false;
  }
  return depth === 0;
}
