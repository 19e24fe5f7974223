/**
 * PostgreSQL → SchemaModel from pg_catalog, one query per kind of object for
 * the whole schema (not per table), so that a schema of hundreds of tables
 * costs a handful of round trips.
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
  readonly name: string;
  readonly type: string;
  readonly notnull: boolean;
  readonly default_sql: string | null;
  readonly identity: string;
  readonly generated: string;
  readonly serial_seq: string | null;
  [key: string]: unknown;
}

interface ConstraintRow {
  readonly table_name: string;
  readonly name: string;
  readonly type: string;
  readonly columns: string[];
  readonly ref_table: string | null;
  readonly ref_schema: string | null;
  readonly ref_columns: string[];
  readonly on_update: string;
  readonly on_delete: string;
  readonly definition: string;
  [key: string]: unknown;
}

interface IndexRow {
  readonly table_name: string;
  readonly name: string;
  readonly is_unique: boolean;
  readonly columns: string[];
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

  for (const row of await readColumns(connection, schema)) {
    const autoIncrement =
      row.identity === "a" || row.identity === "d" || (row.serial_seq !== null && /^nextval\(/.test(row.default_sql ?? ""));
    parts.get(row.table_name)?.columns.push({
      name: row.name,
      type: row.type.toLowerCase(),
      nullable: !row.notnull,
      default: autoIncrement || row.generated !== "" ? null : row.default_sql,
      autoIncrement,
    });
  }
  for (const row of await readConstraints(connection, schema)) {
    const table = parts.get(row.table_name);
    if (table === undefined) continue;
    if (row.type === "p") table.primaryKey = row.columns;
    else if (row.type === "u") table.uniques.push({ name: row.name, columns: row.columns });
    else if (row.type === "c") table.checks.push({ name: row.name, expression: checkExpression(row.definition) });
    else if (row.type === "f") {
      table.foreignKeys.push({
        name: row.name,
        columns: row.columns,
        refTable: row.ref_schema === schema ? (row.ref_table ?? "") : `${row.ref_schema ?? ""}.${row.ref_table ?? ""}`,
        refColumns: row.ref_columns,
        onDelete: foreignKeyAction(row.on_delete),
        onUpdate: foreignKeyAction(row.on_update),
      });
    }
  }
  for (const row of await readIndexes(connection, schema)) {
    const index: { -readonly [K in keyof IndexModel]: IndexModel[K] } = {
      name: row.name,
      columns: row.columns,
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
            a.attidentity::text AS identity, a.attgenerated::text AS generated,
            pg_get_serial_sequence(quote_ident(n.nspname) || '.' || quote_ident(c.relname), a.attname) AS serial_seq
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE n.nspname = ? AND c.relkind IN ${TABLE_KINDS} AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY c.relname, a.attnum`,
    [schema],
  );
}

function readConstraints(connection: Connection, schema: string): Promise<ConstraintRow[]> {
  const names = (keys: string, rel: string): string =>
    `ARRAY(SELECT a.attname::text FROM unnest(${keys}) WITH ORDINALITY k(attnum, ord)
             JOIN pg_attribute a ON a.attrelid = ${rel} AND a.attnum = k.attnum ORDER BY k.ord)`;
  return connection.query<ConstraintRow>(
    `SELECT c.relname AS table_name, con.conname AS name, con.contype::text AS type,
            ${names("con.conkey", "con.conrelid")} AS columns,
            fc.relname AS ref_table, fn.nspname AS ref_schema,
            ${names("con.confkey", "con.confrelid")} AS ref_columns,
            con.confupdtype::text AS on_update, con.confdeltype::text AS on_delete,
            pg_get_constraintdef(con.oid, true) AS definition
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
            ARRAY(SELECT CASE WHEN ix.indkey[k - 1] = 0 THEN pg_get_indexdef(ix.indexrelid, k, true)
                              ELSE (SELECT a.attname::text FROM pg_attribute a
                                     WHERE a.attrelid = ix.indrelid AND a.attnum = ix.indkey[k - 1]) END
                    FROM generate_series(1, ix.indnkeyatts) k ORDER BY k) AS columns,
            pg_get_expr(ix.indpred, ix.indrelid, true) AS predicate
       FROM pg_index ix
       JOIN pg_class i ON i.oid = ix.indexrelid
       JOIN pg_class c ON c.oid = ix.indrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = ? AND c.relkind IN ${TABLE_KINDS} AND NOT ix.indisprimary
        AND NOT EXISTS (SELECT 1 FROM pg_constraint con
                         WHERE con.conindid = ix.indexrelid AND con.contype IN ('p', 'u', 'x'))
      ORDER BY c.relname, i.relname`,
    [schema],
  );
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
