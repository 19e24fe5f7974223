/**
 * Imports a script only when one of its steps is about to run (the graph
 * never does). TypeScript scripts go through jiti so users need no build
 * step; jiti itself is loaded on first use, keeping read-only commands fast.
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ScriptError, messageOf } from "../errors.js";
import { PHASES, type Revision } from "../graph/revision.js";
import { BODY_NAMES, isSqlFile, type BodyName } from "./script-header.js";
import { readSqlScript } from "./sql-script.js";
import { textChecksum } from "./checksum.js";
import type { SqlDialectName, SqlStatement } from "./sql-splitter.js";
import { requireModule } from "../util/load-module.js";

/** What a script body is called with; the runtime passes its Op builder. */
export type BodyFunction = (op: unknown) => Promise<void> | void;

export interface FunctionBody {
  readonly kind: "function";
  readonly file: string;
  readonly run: BodyFunction;
}

export interface SqlBody {
  readonly kind: "sql";
  readonly file: string;
  readonly statements: readonly SqlStatement[];
}

export type LoadedBody = FunctionBody | SqlBody;

export interface LoadedScript {
  readonly revision: Revision;
  /** Bodies the script provides; a missing one is a no-op (phases) or absent (downgrade). */
  readonly bodies: Readonly<Partial<Record<BodyName, LoadedBody>>>;
  /** Checksums of the SQL files already read, by file (script files are read by jiti). */
  readonly checksums: ReadonlyMap<string, string>;
}

type Importer = (file: string) => Promise<Record<string, unknown>>;
let importer: Importer | undefined;

async function getImporter(): Promise<Importer> {
  if (importer === undefined) {
    const { createJiti } = requireModule<typeof import("jiti")>("jiti");
    // Stack traces (errors, op.query call sites) then point at the script's own lines, not jiti's output.
    process.setSourceMapsEnabled(true);
    // moduleCache off: a long-lived process must see a script as it is on disk now.
    const jiti = createJiti(import.meta.url, { sourceMaps: true, moduleCache: false });
    importer = (file) => jiti.import<Record<string, unknown>>(file);
  }
  return importer;
}

export async function loadScript(revision: Revision, dialect: SqlDialectName): Promise<LoadedScript> {
  const bodies: Partial<Record<BodyName, LoadedBody>> = {};
  const checksums = new Map<string, string>();
  const { files } = revision;
  if (files.main !== undefined) {
    if (isSqlFile(files.main)) {
      const script = readSqlScript(files.main, dialect);
      checksums.set(files.main, textChecksum(script.text));
      for (const name of BODY_NAMES) {
        const statements = script.sections[name];
        if (statements !== undefined) bodies[name] = { kind: "sql", file: files.main, statements };
      }
    } else {
      const module = await importScript(files.main);
      for (const name of BODY_NAMES) {
        const body = functionBody(module, name, files.main, revision.bodies[name]);
        if (body !== undefined) bodies[name] = body;
      }
    }
  }
  // Keystone layout: each phase file's `upgrade` (or a body named after the phase) is that phase.
  for (const phase of PHASES) {
    const file = files[phase];
    if (file === undefined || !revision.bodies[phase]) continue;
    if (isSqlFile(file)) {
      const script = readSqlScript(file, dialect);
      checksums.set(file, textChecksum(script.text));
      const statements = script.sections.upgrade ?? script.sections[phase] ?? [];
      bodies[phase] = { kind: "sql", file, statements };
    } else {
      const module = await importScript(file);
      const body = functionBody(module, "upgrade", file, false) ?? functionBody(module, phase, file, true);
      if (body !== undefined) bodies[phase] = body;
    }
  }
  return { revision, bodies, checksums };
}

function functionBody(module: Record<string, unknown>, name: BodyName, file: string, required: boolean): FunctionBody | undefined {
  const value = module[name];
  if (typeof value === "function") {
    const fn = value as (op: unknown) => unknown;
    return { kind: "function", file, run: async (op) => { await fn(op); } };
  }
  if (value !== undefined || required) {
    throw new ScriptError(file, undefined, `\`${name}\` must be an exported function, but the script exports ${value === undefined ? "nothing" : `a ${typeof value}`} under that name`);
  }
  return undefined;
}

async function importScript(file: string): Promise<Record<string, unknown>> {
  const absolute = resolve(file);
  try {
    const importScriptFile = await getImporter();
    return await importScriptFile(absolute);
  } catch (error) {
    const { line, text } = describeImportError(error, absolute);
    throw new ScriptError(file, line, `cannot be loaded: ${text}`, { cause: error });
  }
}

/** The failing line (from the parse error's location or the stack frame in the script) and a one-line reason. */
export function describeImportError(error: unknown, absolute: string): { line: number | undefined; text: string } {
  const message = messageOf(error);
  const stack = error instanceof Error ? (error.stack ?? "") : "";
  const places = [absolute, pathToFileURL(absolute).href].map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  const at = new RegExp(`(?:${places.join("|")}):(\\d+)(?::\\d+)?`);
  const found = at.exec(message) ?? at.exec(stack);
  const line = found === null ? undefined : Number(found[1]);
  const reason = message
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !at.test(l))
    .join(" ");
  const name = error instanceof Error && error.name !== "Error" && !reason.startsWith(error.name) ? `${error.name}: ` : "";
  return { line, text: `${name}${reason || message}` };
}
