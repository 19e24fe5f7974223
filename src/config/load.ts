/**
 * Reads one config file into a validated layer. JSON and ini are read
 * synchronously with nothing imported; the TypeScript transform is loaded
 * only when a `.ts` config is, because `tidemark current` with a JSON
 * config has a 60 ms budget.
 */
import { readFileSync, statSync } from "node:fs";
import { extname } from "node:path";
import { pathToFileURL } from "node:url";
import { ConfigError, messageOf } from "../errors.js";
import { iniToConfig } from "./ini-config.js";
import { jsonErrorOffset } from "./json-error-position.js";
import { parseIni } from "./ini.js";
import type { ConfigLayer } from "./validate.js";
import { validateConfig } from "./validate.js";
import { importModule } from "../util/load-module.js";
import { loadModule } from "../util/module-loader.js";
import { redactCredentials } from "../util/redact.js";

type ConfigKind = "json" | "ini" | "typescript" | "javascript";

const KINDS: Readonly<Record<string, ConfigKind>> = {
  ".json": "json",
  ".conf": "ini",
  ".ini": "ini",
  ".cfg": "ini",
  ".ts": "typescript",
  ".mts": "typescript",
  ".cts": "typescript",
  ".js": "javascript",
  ".mjs": "javascript",
  ".cjs": "javascript",
};

function fileError(file: string, message: string, cause?: unknown): ConfigError {
  return new ConfigError(`${file}: ${message}`, { fields: { file }, ...(cause === undefined ? {} : { cause }) });
}

function kindOf(file: string): ConfigKind {
  const ext = extname(file).toLowerCase();
  const kind = Object.hasOwn(KINDS, ext) ? KINDS[ext] : undefined;
  if (kind === undefined) {
    throw fileError(
      file,
      `unsupported config file type "${ext || "(none)"}"; use .ts, .mts, .js, .mjs, .json, or .conf/.ini/.cfg for ini.`,
    );
  }
  return kind;
}

function assertFile(file: string): void {
  let isFile: boolean;
  try {
    isFile = statSync(file).isFile();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") throw fileError(file, "config file does not exist.", error);
    throw fileError(file, `cannot read the config file: ${messageOf(error)}`, error);
  }
  if (!isFile) throw fileError(file, "the config path is not a file.");
}

function readText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw fileError(file, `cannot read the config file: ${messageOf(error)}`, error);
  }
}

/** 1-based line and column of a character offset. */
function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return { line, column: offset - before.lastIndexOf("\n") };
}

function parseJson(text: string, file: string): unknown {
  // Editors on Windows save JSON with a BOM, which JSON.parse refuses.
  const source = text.startsWith("\uFEFF") ? text.slice(1) : text;
  try {
    return JSON.parse(source);
  } catch {
    // JSON.parse's own message quotes the text around the error, which may be a password in a URL.
    const offset = jsonErrorOffset(source);
    if (offset === undefined) throw fileError(file, "invalid JSON.");
    const { line, column } = lineAndColumn(source, offset);
    const found = offset >= source.length ? "end of file" : JSON.stringify(source[offset]);
    throw new ConfigError(`${file}:${line}:${column}: invalid JSON: unexpected ${found}.`, {
      fields: { file, line, column },
    });
  }
}

/** A config module's `default` export, else the module's named exports. */
function exportedConfig(mod: unknown): unknown {
  if (typeof mod !== "object" || mod === null) return mod;
  const record = mod as Record<string, unknown>;
  if (record["default"] !== undefined) return record["default"];
  return Object.fromEntries(Object.entries(record).filter(([key]) => key !== "default" && key !== "__esModule"));
}

async function importJavaScript(file: string): Promise<unknown> {
  // The mtime query makes Node's ESM cache load an edited file afresh.
  const url = `${pathToFileURL(file).href}?mtime=${statSync(file).mtimeMs}`;
  return importModule(url);
}

/** Loads and validates one config file; `file` must be absolute. */
export async function loadConfigFile(file: string): Promise<ConfigLayer> {
  const kind = kindOf(file);
  assertFile(file);
  switch (kind) {
    case "json":
      return validateConfig(parseJson(readText(file), file), file);
    case "ini":
      return iniToConfig(parseIni(readText(file), file));
    case "typescript":
    case "javascript": {
      let mod: unknown;
      try {
        mod = await (kind === "typescript" ? loadModule(file) : importJavaScript(file));
      } catch (error) {
        throw fileError(file, `cannot load the config module: ${redactCredentials(messageOf(error))}`, error);
      }
      let value: unknown;
      try {
        value = await exportedConfig(mod);
      } catch (error) {
        throw fileError(file, `the config's default export rejected: ${redactCredentials(messageOf(error))}`, error);
      }
      return validateConfig(value, file);
    }
  }
}
