/**
 * Reads the declared schema in its three forms (SPEC §11): a module
 * (`.ts`/`.mts`/`.js`/`.mjs`) exporting `defineSchema({…})`, a `.sql` file
 * of desired-state DDL (run on a scratch database and introspected), or a
 * folder of them, read in name order. Errors name the file (and line).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join } from "node:path";
import { messageOf } from "../errors.js";
import { splitSql } from "../sql/splitter.js";
import { loadModule, ModuleSyntaxError } from "../util/module-loader.js";
import { declaredSchema, mergeSchemas } from "./declared-schema.js";
import { liveSchema } from "./live-schema.js";
import { openScratch, type ScratchOptions } from "./scratch-database.js";
import { SchemaError } from "../errors.js";
import type { SchemaSpec } from "./schema-spec.js";

const MODULE_EXTENSIONS = new Set([".ts", ".mts", ".js", ".mjs"]);

function isSchemaFile(name: string): boolean {
  if (name.startsWith(".") || name.startsWith("_") || /\.d\.[mc]?ts$/.test(name)) return false;
  const ext = extname(name).toLowerCase();
  return MODULE_EXTENSIONS.has(ext) || ext === ".sql";
}

/** The schema files of `path`: the file itself, or a folder's schema files in name order. */
export function schemaFiles(path: string): string[] {
  let stat;
  try {
    stat = statSync(path);
  } catch (error) {
    throw new SchemaError(`The declared schema ${path} does not exist (config \`schema\`): ${messageOf(error)}.`, {
      cause: error,
    });
  }
  if (!stat.isDirectory()) {
    if (!isSchemaFile(path.slice(path.lastIndexOf("/") + 1))) {
      throw new SchemaError(
        `The declared schema ${path} is neither a module (.ts, .mts, .js, .mjs) nor a .sql file nor a folder of them.`,
      );
    }
    return [path];
  }
  const files = readdirSync(path)
    .filter(isSchemaFile)
    .sort()
    .map((name) => join(path, name));
  if (files.length === 0)
    throw new SchemaError(`The declared schema folder ${path} holds no schema files (.ts, .mts, .js, .mjs, .sql).`);
  return files;
}

/** Every table and view the schema at `path` declares. `.sql` files need a scratch database. */
export async function loadSchema(path: string, scratch: ScratchOptions): Promise<SchemaSpec> {
  const files = schemaFiles(path);
  const parts: { source: string; schema: SchemaSpec }[] = [];
  for (const file of files.filter((name) => extname(name).toLowerCase() !== ".sql")) {
    parts.push({ source: file, schema: declaredSchema(await moduleExport(file), file) });
  }
  const sqlFiles = files.filter((name) => extname(name).toLowerCase() === ".sql");
  if (sqlFiles.length > 0) parts.push({ source: sqlFiles.join(", "), schema: await runSqlFiles(sqlFiles, scratch) });
  return parts.length === 1 ? parts[0]!.schema : mergeSchemas(parts);
}

async function moduleExport(file: string): Promise<unknown> {
  let exports: Record<string, unknown>;
  try {
    exports = await loadModule(file);
  } catch (error) {
    if (error instanceof ModuleSyntaxError) {
      throw new SchemaError(`The schema module does not load: ${error.message}.`, {
        cause: error,
        fields: { file, line: error.line ?? null },
      });
    }
    throw new SchemaError(`The schema module ${file} fails while it loads: ${messageOf(error)}`, {
      cause: error,
      fields: { file },
    });
  }
  const value = exports["default"] ?? exports["schema"];
  if (value === undefined) {
    throw new SchemaError(
      `The schema module ${file} exports no schema: write \`export default defineSchema({ tables: { … } })\`.`,
      { fields: { file } },
    );
  }
  return value;
}

async function runSqlFiles(files: readonly string[], options: ScratchOptions): Promise<SchemaSpec> {
  const statements = files.map((file) => {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      throw new SchemaError(`Cannot read the schema file ${file}: ${messageOf(error)}.`, { cause: error });
    }
    return { file, statements: splitSql(text, options.dialect.name, file) };
  });
  const scratch = await openScratch(options);
  try {
    for (const { file, statements: list } of statements) await scratch.run(list, file);
    return liveSchema(await scratch.introspect());
  } finally {
    await scratch.dispose();
  }
}
