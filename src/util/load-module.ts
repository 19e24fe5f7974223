/**
 * Loading code at run time. CommonJS packages (libpg-query, drivers)
 * are required: cheaper than import(), and the bundled CLI runs from V8's
 * code cache, where an import() compiled into the bundle cannot load
 * anything (Node 20). ES modules (a user's .mjs config) go through the
 * launcher's own import(), which it leaves on globalThis for this.
 */
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const LAUNCHER_IMPORT = Symbol.for("tidemark.import");

export function requireModule<T>(specifier: string): T {
  return require(specifier) as T;
}

export function importModule<T>(specifier: string): Promise<T> {
  const viaLauncher = (globalThis as Record<symbol, unknown>)[LAUNCHER_IMPORT] as
    | ((specifier: string) => Promise<unknown>)
    | undefined;
  return (viaLauncher === undefined ? import(specifier) : viaLauncher(specifier)) as Promise<T>;
}
