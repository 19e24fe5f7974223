/**
 * One comparison from end to end: load the declared schema, check it,
 * introspect the database (a handful of catalog queries), leave out what
 * is not this schema's to manage, compare. Reads only: the target database
 * is never changed (a `.sql` schema runs on a scratch database).
 *
 * Left alone: tidemark's own tables, tables another repository's schema
 * declares, and `ignoreTables` globs (`*` any run of characters, `?` one).
 */
import type { Connection, DatabaseUrl, Dialect } from "../dialects/dialect.js";
import type { SchemaModel } from "../dialects/schema-model.js";
import type { Comparison } from "./change.js";
import { compareSchemas } from "./compare.js";
import { liveSchema } from "./live-schema.js";
import { loadSchema } from "./load-schema.js";
import { mysqlNormalizer } from "./normalize-mysql.js";
import { postgresNormalizer } from "./normalize-postgres.js";
import { sqliteNormalizer } from "./normalize-sqlite.js";
import { memoized, type Normalizer } from "./normalizer.js";
import type { SchemaSpec } from "./schema-spec.js";
import { checkDeclaredTypes, checkForeignKeyTargets } from "./validate-declared.js";

export interface SchemaDiffInputs {
  readonly dialect: Dialect;
  readonly url: DatabaseUrl;
  /** Undefined when the database does not exist yet (a SQLite file): it is compared as empty. */
  readonly connection: Connection | undefined;
  /** PostgreSQL schema to introspect (default: the session's current schema). */
  readonly dbSchema?: string;
  readonly schemaPath: string;
  readonly shadowUrl?: string;
  /** tidemark's own tables (version tables, log). */
  readonly tidemarkTables: readonly string[];
  /** Schemas of the other repositories: their tables are theirs. */
  readonly otherSchemaPaths: readonly string[];
  readonly ignoreTables: readonly string[];
  /** A rolling repository: hinted column renames become copies (rolling.ts). */
  readonly rolling?: boolean;
}

export interface SchemaDiff {
  readonly normalizer: Normalizer;
  readonly declared: SchemaSpec;
  /** The managed part of the database, as introspected (SQL is rendered against it). */
  readonly live: SchemaModel;
  readonly comparison: Comparison;
}

const EMPTY_MODEL: SchemaModel = { tables: [], views: [], triggers: [] };

export async function normalizerFor(dialect: Dialect, connection: Connection | undefined): Promise<Normalizer> {
  if (dialect.name === "postgres") return memoized(postgresNormalizer);
  if (dialect.name === "sqlite") return memoized(sqliteNormalizer);
  const [row] = connection === undefined ? [] : await connection.query<{ v: string }>("SELECT VERSION() AS v");
  return memoized(mysqlNormalizer(/mariadb/i.test(String(row?.v ?? ""))));
}

export function globMatcher(globs: readonly string[]): (name: string) => boolean {
  if (globs.length === 0) return () => false;
  const patterns = globs.map(
    (glob) =>
      new RegExp(
        `^${[...glob].map((ch) => (ch === "*" ? ".*" : ch === "?" ? "." : ch.replace(/[.+^${}()|[\]\\]/g, "\\$&"))).join("")}$`,
      ),
  );
  return (name) => patterns.some((pattern) => pattern.test(name));
}

export async function diffSchemas(inputs: SchemaDiffInputs): Promise<SchemaDiff> {
  const { dialect, connection } = inputs;
  const scratch = { dialect, url: inputs.url, ...(inputs.shadowUrl === undefined ? {} : { shadowUrl: inputs.shadowUrl }) };
  const declared = await loadSchema(inputs.schemaPath, scratch);
  const normalizer = await normalizerFor(dialect, connection);
  const others = new Set<string>();
  for (const path of inputs.otherSchemaPaths) {
    for (const table of (await loadSchema(path, scratch)).tables) {
      others.add(normalizer.tableKey(table.name));
      if (table.renamedFrom !== undefined) others.add(normalizer.tableKey(table.renamedFrom));
    }
  }
  const ignored = globMatcher(inputs.ignoreTables);
  const tidemark = new Set(inputs.tidemarkTables.map((name) => normalizer.tableKey(name)));
  const elsewhere = (name: string): boolean =>
    others.has(normalizer.tableKey(name)) || ignored(name) || tidemark.has(normalizer.tableKey(name));

  await checkDeclaredTypes(declared, dialect.name, connection);
  checkForeignKeyTargets(declared, normalizer, elsewhere);

  const model =
    connection === undefined
      ? EMPTY_MODEL
      : await dialect.introspector.introspect(connection, {
          ...(inputs.dbSchema === undefined ? {} : { schema: inputs.dbSchema }),
          exclude: inputs.tidemarkTables,
        });
  const live: SchemaModel = {
    tables: model.tables.filter((table) => !elsewhere(table.name)),
    views: model.views.filter((view) => !elsewhere(view.name)),
    triggers: model.triggers.filter((trigger) => !elsewhere(trigger.table)),
  };
  return {
    normalizer,
    declared,
    live,
    comparison: compareSchemas(declared, liveSchema(live), normalizer, { copyRenamedColumns: inputs.rolling === true }),
  };
}
