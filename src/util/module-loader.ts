/**
 * Runs TypeScript and ES-module files (migration scripts, configs) with no
 * build step on the user's side. sucrase removes the types and turns
 * import/export into require/exports, keeping every line where it was, so
 * stack traces and op call sites name the file's own lines without source
 * maps. The result runs as a CommonJS module inside an async function, so
 * top-level await works in the file itself.
 *
 * Why not jiti (which tidemark used first): its babel transform costs
 * ~2.4 ms and its runtime ~150 µs per file; this costs ~0.05 ms and ~25 µs,
 * which is what `upgrade` over a thousand `.ts` scripts and `upgrade --sql`
 * over thousands of revisions are made of (see README, Benchmarks).
 */
import { readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, extname, isAbsolute, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Script } from "node:vm";
import type { Transform } from "sucrase";
import { CHECKSUM_VERSION, textChecksum } from "./checksum.js";
import { compileCached } from "./code-cache.js";
import { derivedFromFile } from "./file-cache.js";
import type { StampTuple } from "./stat-cache.js";
import { importModule } from "./load-module.js";

export type ModuleExports = Record<string, unknown>;

export interface LoadedModule {
  readonly exports: ModuleExports;
  /** The checksum of the file's text (util/checksum.ts). */
  readonly checksum: string;
}

/** Bump when the transform options change, so cached code made with the old ones is ignored. */
const TRANSFORM_FORMAT = 2;

/** A transform failure, with the 1-based line and column sucrase reports. */
export class ModuleSyntaxError extends SyntaxError {
  override readonly name = "SyntaxError";
  constructor(
    /** What is wrong, without the place. */
    readonly reason: string,
    readonly file: string,
    readonly line: number | undefined,
    readonly column: number | undefined,
  ) {
    super(`${line === undefined ? file : `${file}:${line}${column === undefined ? "" : `:${column}`}`}: ${reason}`);
  }
}

interface Transformer {
  readonly transform: typeof import("sucrase").transform;
  /** Cached code made by another version is ignored. */
  readonly version: string;
}
let transformer: Transformer | undefined;

/** Files this loader transforms itself; anything else goes to Node's require. */
const OWN_EXTENSIONS = new Set([".ts", ".mts", ".cts", ".js", ".mjs", ".cjs"]);
const TYPESCRIPT = new Set([".ts", ".mts", ".cts"]);
const TRY_EXTENSIONS = [".ts", ".mts", ".cts", ".js", ".mjs", ".cjs", ".json"];
/** TypeScript's ESM convention: `import "./x.js"` means x.ts when only that exists. */
const SOURCE_OF: Readonly<Record<string, string>> = { ".js": ".ts", ".mjs": ".mts", ".cjs": ".cts" };
const IMPORT_META = "__tidemark_import_meta";
const WRAPPER_PARAMS = `exports, require, module, __filename, __dirname, ${IMPORT_META}`;
const TIDEMARK = "tidemark";

interface CommonJsModule {
  exports: unknown;
  readonly id: string;
  readonly filename: string;
  readonly path: string;
  loaded: boolean;
}

type ModuleFunction = (
  exports: unknown,
  require: NodeJS.Require,
  module: CommonJsModule,
  filename: string,
  dirname: string,
  importMeta: ImportMetaLike | undefined,
) => unknown;

interface ImportMetaLike {
  readonly url: string;
  readonly filename: string;
  readonly dirname: string;
  resolve(specifier: string): string;
}

/** One top-level load: modules it evaluated (for cycles between helpers) and what it preloaded. */
interface LoadSession {
  readonly modules: Map<string, CommonJsModule>;
  tidemark?: unknown;
}

/**
 * Imports `file` afresh (no module cache across calls: a long-lived process
 * must see a script as it is on disk now) and returns its exports.
 */
export async function loadModule(file: string): Promise<ModuleExports> {
  return (await loadModuleFile(file)).exports;
}

/**
 * As loadModule, with the checksum of the text that ran. `stamp`: the
 * file's size and times from a stat made moments ago (util/file-cache.ts).
 */
export async function loadModuleFile(file: string, stamp?: StampTuple): Promise<LoadedModule> {
  const absolute = resolve(file);
  const current = transformer ?? (await loadTransformer());
  const { code, checksum } = transformFile(absolute, current, stamp);
  const session: LoadSession = { modules: new Map() };
  // `import … from "tidemark"` runs as require(); load the ES module library the async way first.
  if (code.includes(`require('${TIDEMARK}')`)) session.tidemark = await importTidemark();
  const module = newModule(absolute);
  session.modules.set(absolute, module);
  await compile(absolute, code, true, `${checksum} ${current.version}`)(
    module.exports,
    requireFor(absolute, session),
    module,
    absolute,
    dirname(absolute),
    importMetaFor(absolute, code),
  );
  module.loaded = true;
  return { exports: exportsOf(module), checksum };
}

async function loadTransformer(): Promise<Transformer> {
  if (transformer === undefined) {
    // Imported on first use: read-only commands never pay for sucrase.
    const sucrase = await import("sucrase");
    transformer = { transform: sucrase.transform, version: `${TRANSFORM_FORMAT} sucrase ${sucrase.getVersion()}` };
  }
  return transformer;
}

/** A module's entry in the file cache: its code and the checksum of its text. */
interface TransformedFile {
  readonly code: string;
  readonly checksum: string;
}

function transformFile(file: string, { transform, version }: Transformer, stamp?: StampTuple): TransformedFile {
  const derive = (source: string): TransformedFile => ({
    code: transformSource(file, source, transform),
    checksum: textChecksum(source),
  });
  return derivedFromFile(file, { kind: "modules", version: `${version} ${CHECKSUM_VERSION}` }, readText, derive, stamp);
}

function readText(file: string): string {
  return readFileSync(file, "utf8");
}

function transformSource(file: string, source: string, transform: Transformer["transform"]): string {
  const ext = extname(file).toLowerCase();
  const transforms: Transform[] = TYPESCRIPT.has(ext) ? ["typescript", "imports"] : ["imports"];
  let code: string;
  try {
    // disableESTransforms: Node 20 runs modern syntax as written.
    code = transform(source, { transforms, filePath: file, disableESTransforms: true }).code;
  } catch (error) {
    // sucrase: "Error transforming FILE: REASON (LINE:COLUMN)", with a 1-based `loc`.
    const loc = (error as { loc?: { line?: number; column?: number } }).loc;
    const reason = (error instanceof Error ? error.message : String(error))
      .replace(/^Error transforming .*?: /, "")
      .replace(/\s*\(\d+:\d+\)$/, "");
    throw new ModuleSyntaxError(reason, file, loc?.line, loc?.column);
  }
  // A function body cannot say `import.meta`; it gets an object with the same fields instead.
  return code.includes("import.meta") ? code.replace(/(?<![\w$.])import\s*\.\s*meta\b/g, IMPORT_META) : code;
}

/**
 * Top-level modules (the scripts themselves) come from V8's code cache when
 * they can, keyed by `cacheKey` (the text's checksum and the transformer).
 */
function compile(file: string, code: string, topLevel: boolean, cacheKey?: string): ModuleFunction {
  // Everything on the wrapper's first line, so line numbers stay the file's own.
  const wrapped = `(${topLevel ? "async " : ""}function (${WRAPPER_PARAMS}) {${code}\n})`;
  const script = cacheKey === undefined ? new Script(wrapped, { filename: file }) : compileCached(wrapped, file, cacheKey);
  return script.runInThisContext() as ModuleFunction;
}

function newModule(file: string): CommonJsModule {
  return { exports: {}, id: file, filename: file, path: dirname(file), loaded: false };
}

function exportsOf(module: CommonJsModule): ModuleExports {
  const value = module.exports;
  return typeof value === "object" && value !== null ? (value as ModuleExports) : { default: value };
}

/** What `import.meta` says in `file`; only built for code that uses it. */
function importMetaFor(file: string, code: string): ImportMetaLike | undefined {
  if (!code.includes(IMPORT_META)) return undefined;
  return {
    url: pathToFileURL(file).href,
    filename: file,
    dirname: dirname(file),
    resolve: (specifier) => {
      const local = isPathSpecifier(specifier) ? resolveFile(specifier, dirname(file)) : undefined;
      return pathToFileURL(local ?? createRequire(file).resolve(specifier)).href;
    },
  };
}

function isPathSpecifier(specifier: string): boolean {
  return (
    specifier.startsWith("./") ||
    specifier.startsWith("../") ||
    specifier === "." ||
    specifier === ".." ||
    isAbsolute(specifier) ||
    specifier.startsWith("file:")
  );
}

/** The file a relative or absolute specifier names, trying the extensions a bundler would. */
function resolveFile(specifier: string, fromDir: string): string | undefined {
  const base = specifier.startsWith("file:") ? fileURLToPath(specifier) : resolve(fromDir, specifier);
  const ext = extname(base);
  const candidates = [base, ...TRY_EXTENSIONS.map((e) => base + e)];
  const source = SOURCE_OF[ext];
  if (source !== undefined) candidates.push(base.slice(0, -ext.length) + source);
  candidates.push(...TRY_EXTENSIONS.map((e) => resolve(base, `index${e}`)));
  return candidates.find(isFile);
}

function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
}

/** The `require` a module sees: its own relative files through this loader, packages through Node. */
function requireFor(file: string, session: LoadSession): NodeJS.Require {
  // Node's require for this file, made on first use: most scripts require nothing.
  let nativeRequire: NodeJS.Require | undefined;
  const native = () => (nativeRequire ??= createRequire(file));
  const require = ((specifier: string): unknown => {
    if (specifier === TIDEMARK) return session.tidemark ?? requireTidemark(native());
    if (!isPathSpecifier(specifier)) return native()(specifier);
    const target = resolveFile(specifier, dirname(file));
    if (target === undefined || !OWN_EXTENSIONS.has(extname(target).toLowerCase())) return native()(target ?? specifier);
    return evaluateNested(target, session);
  }) as NodeJS.Require;
  // require.resolve is what scripts use of require's properties; cache, main and extensions are Node's own.
  return Object.assign(require, {
    resolve: ((specifier: string, options?: { paths?: string[] }) =>
      native().resolve(specifier, options)) as NodeJS.RequireResolve,
  });
}

/** A helper imported by a script: evaluated synchronously, once per load, cycles seeing partial exports as in Node. */
function evaluateNested(file: string, session: LoadSession): unknown {
  const seen = session.modules.get(file);
  if (seen !== undefined) return seen.exports;
  const module = newModule(file);
  session.modules.set(file, module);
  // The top-level load set the transformer up before anything could require a helper.
  const { code } = transformFile(file, transformer as Transformer);
  compile(file, code, false)(module.exports, requireFor(file, session), module, file, dirname(file), importMetaFor(file, code));
  module.loaded = true;
  return module.exports;
}

/**
 * `tidemark` is the running tidemark, so scripts and configs need no local
 * install of it (npx, global installs) and share its classes.
 */
function tidemarkEntry(): string | undefined {
  for (const candidate of ["../index.js", "../index.ts"]) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    if (isFile(path)) return path;
  }
  return undefined;
}

async function importTidemark(): Promise<unknown> {
  const entry = tidemarkEntry();
  return entry === undefined ? undefined : importModule(pathToFileURL(entry).href);
}

function requireTidemark(native: NodeJS.Require): unknown {
  const entry = tidemarkEntry();
  return native(entry ?? TIDEMARK);
}
