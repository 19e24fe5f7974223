/**
 * PostgreSQL's own parser (libpg-query, WebAssembly), loaded on first need
 * only: nothing pays for it unless PostgreSQL SQL has to be understood
 * (phase rules, statements that cannot run in a transaction block).
 */
import type { Node } from "libpg-query";
import { DriverMissingError, messageOf } from "../errors.js";
import { requireModule } from "../util/load-module.js";

type PgModule = typeof import("libpg-query");

let parser: PgModule | undefined;
let loading: Promise<void> | undefined;

/** Loads the parser once; later calls resolve at once. */
export function loadPgParser(): Promise<void> {
  if (parser !== undefined) return Promise.resolve();
  loading ??= Promise.resolve()
    .then(() => requireModule<PgModule>("libpg-query"))
    .then(async (mod) => {
      await mod.loadModule();
      parser = mod;
    })
    .catch((error: unknown) => {
      loading = undefined;
      throw new DriverMissingError(`the PostgreSQL parser (package libpg-query) could not be loaded: ${messageOf(error)}`, {
        cause: error,
      });
    });
  return loading;
}

export function pgParserLoaded(): boolean {
  return parser !== undefined;
}

/** The statements of `sql` as parse trees; throws PostgreSQL's syntax error. The parser must be loaded. */
export function parsePg(sql: string): Node[] {
  if (parser === undefined) throw new Error("the PostgreSQL parser is not loaded: await loadPgParser() first");
  return (parser.parseSync(sql).stmts ?? []).map((raw) => raw.stmt).filter((node): node is Node => node !== undefined);
}
