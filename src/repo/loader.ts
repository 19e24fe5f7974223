/**
 * Imports a script only when one of its steps is about to run (the graph
 * never does). TypeScript and ES-module scripts go through the module
 * loader (util/module-loader.ts), so users need no build step.
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ScriptError, messageOf } from "../errors.js";
import { PHASES, type Revision } from "../graph/revision.js";
import { BODY_NAMES, isSqlFile, type BodyName } from "./script-header.js";
import { parseSqlScript, type SqlScript } from "./sql-script.js";
import { readScriptText } from "./read-text.js";
import { CHECKSUM_VERSION, textChecksum } from "../util/checksum.js";
import { derivedFromFile } from "../util/file-cache.js";
import type { StampTuple } from "../util/stat-cache.js";
import { SPLITTER_VERSION, type SqlStatement } from "../sql/splitter.js";
import type { DialectName } from "../vocabulary.js";
import { loadModuleFile, ModuleSyntaxError } from "../util/module-loader.js";

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
  /** Checksums of the files read, by file. */
  readonly checksums: ReadonlyMap<string, string>;
}

/** Loads a revision's script(s), through the file cache (util/file-cache.ts), keyed by the scan's stat of the main file. */
export async function loadScript(revision: Revision, dialect: DialectName): Promise<LoadedScript> {
  const bodies: Partial<Record<BodyName, LoadedBody>> = {};
  const checksums = new Map<string, string>();
  const { files } = revision;
  if (files.main !== undefined) {
    if (isSqlFile(files.main)) {
      const sections = readSqlFile(files.main, dialect, checksums, revision.stamp);
      for (const name of BODY_NAMES) {
        const statements = sections[name];
        if (statements !== undefined) bodies[name] = { kind: "sql", file: files.main, statements };
      }
    } else {
      const module = await importScript(files.main, checksums, revision.stamp);
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
      const sections = readSqlFile(file, dialect, checksums);
      const statements = sections.upgrade ?? sections[phase] ?? [];
      bodies[phase] = { kind: "sql", file, statements };
    } else {
      const module = await importScript(file, checksums);
      const body = functionBody(module, "upgrade", file, false) ?? functionBody(module, phase, file, true);
      if (body !== undefined) bodies[phase] = body;
    }
  }
  return { revision, bodies, checksums };
}

/** A SQL script's statements, split for `dialect`, and its checksum, through the file cache. */
function readSqlFile(
  file: string,
  dialect: DialectName,
  checksums: Map<string, string>,
  stamp?: StampTuple,
): SqlScript["sections"] {
  const derive = (text: string) => ({ sections: parseSqlScript(text, file, dialect).sections, checksum: textChecksum(text) });
  const { sections, checksum } = derivedFromFile(
    file,
    { kind: `sql-${dialect}`, version: `${SPLITTER_VERSION} ${CHECKSUM_VERSION}` },
    readScriptText,
    derive,
    stamp,
  );
  checksums.set(file, checksum);
  return sections;
}

function functionBody(
  module: Record<string, unknown>,
  name: BodyName,
  file: string,
  required: boolean,
): FunctionBody | undefined {
  const value = module[name];
  if (typeof value === "function") {
    const fn = value as (op: unknown) => unknown;
    return {
      kind: "function",
      file,
      run: async (op) => {
        await fn(op);
      },
    };
  }
  if (value !== undefined || required) {
    throw new ScriptError(
      file,
      undefined,
      `\`${name}\` must be an exported function, but the script exports ${value === undefined ? "nothing" : `a ${typeof value}`} under that name`,
    );
  }
  return undefined;
}

/** Imports a code script, recording the checksum of the text it ran. */
async function importScript(file: string, checksums: Map<string, string>, stamp?: StampTuple): Promise<Record<string, unknown>> {
  const absolute = resolve(file);
  try {
    const { exports, checksum } = await loadModuleFile(absolute, stamp);
    checksums.set(file, checksum);
    return exports;
  } catch (error) {
    if (error instanceof ModuleSyntaxError) {
      throw new ScriptError(file, error.line, `cannot be loaded: SyntaxError: ${error.reason}`, { cause: error });
    }
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
