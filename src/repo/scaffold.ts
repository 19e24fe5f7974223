/**
 * New script files in the exact format of SPEC §2, for `revision`, `merge`,
 * `init` and autogenerate. What is written here must read back through the
 * header reader and the SQL script parser to the same values.
 */
import { randomBytes } from "../util/lazy-crypto.js";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { UsageError, messageOf } from "../errors.js";
import type { IdScheme } from "../graph/revision.js";
import type { BodyName } from "./script-header.js";
import { listScriptFiles, parseNumberedName } from "./script-files.js";
import { type ModuleStyle, moduleStyleOf } from "./package-type.js";
import { PLAIN_FILE_TEMPLATE, renderFileName } from "../util/file-name-template.js";

/** TypeScript, JavaScript (CommonJS or ESM, as the package is) or SQL; the config's `language` has the same values. */
export type ScriptLanguage = "ts" | "js" | "sql";

export interface RevisionTemplate {
  readonly scheme: IdScheme;
  /** Graph: the new id (see newRevisionId). Numbered: the version number as a decimal string. */
  readonly id: string;
  readonly language: ScriptLanguage;
  readonly rolling: boolean;
  readonly message: string;
  /** Graph scheme: none for a root, one, or several for a merge. Ignored when numbered (implied). */
  readonly parents: readonly string[];
  readonly dependsOn?: readonly string[];
  readonly branchLabels?: readonly string[];
  /** Written only when false. */
  readonly transactional?: boolean;
  /** Code (TS) or SQL to put in a body, e.g. from autogenerate; bodies are empty otherwise. */
  readonly bodyText?: Readonly<Partial<Record<BodyName, string>>>;
  /** `.js` scripts: ES module or CommonJS syntax (default: as the nearest package.json says). */
  readonly moduleStyle?: ModuleStyle;
  /** Graph scheme: the file name template (config `fileTemplate`); default `{id}_{slug}`. */
  readonly fileTemplate?: string;
  /** The time `{date}` and `{time}` stand for; default now. */
  readonly now?: Date;
}

/** 12 lowercase hex characters from a cryptographic source. */
export function newRevisionId(): string {
  return randomBytes(6).toString("hex");
}

const SLUG_LENGTH = 40;

/** `Add users table!` → `add_users_table`; kept short (as alembic does) and never empty. */
export function slugify(message: string): string {
  const slug = message
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
  const cut = slug.length <= SLUG_LENGTH ? slug : slug.slice(0, SLUG_LENGTH).replace(/_[^_]*$/, "") || slug.slice(0, SLUG_LENGTH);
  return cut.replace(/_+$/, "") || "revision";
}

export function revisionFileName(template: RevisionTemplate): string {
  const slug = slugify(template.message);
  // A numbered script's name must start with its number: the template is for graph ids only.
  if (template.scheme === "numbered") return `${template.id.padStart(3, "0")}_${slug}.${template.language}`;
  const name = renderFileName(template.fileTemplate ?? PLAIN_FILE_TEMPLATE, {
    id: template.id,
    slug,
    now: template.now ?? new Date(),
  });
  return `${name}.${template.language}`;
}

function bodyNames(template: RevisionTemplate): readonly BodyName[] {
  // A rolling script gets no downgrade stub (an empty one would make downgrade silently succeed), only a written one.
  if (!template.rolling) return ["upgrade", "downgrade"];
  return template.bodyText?.downgrade === undefined
    ? ["expand", "migrate", "contract"]
    : ["expand", "migrate", "contract", "downgrade"];
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, " ").trim();
}

export function renderRevision(template: RevisionTemplate): string {
  if (template.language === "sql") return renderSql(template);
  if (template.language === "js") return renderJs(template, template.moduleStyle ?? "commonjs");
  return renderTs(template);
}

const PARAMETER_TYPE: Readonly<Record<BodyName, string>> = {
  upgrade: "Op",
  downgrade: "Op",
  expand: "ExpandOp",
  migrate: "MigrateOp",
  contract: "ContractOp",
};

function renderTs(t: RevisionTemplate): string {
  // Rolling bodies get typed phase builders: a drop inside expand is a compile error.
  // A rolling script with a written downgrade (autogenerate) also needs the plain Op type.
  const rollingTypes =
    t.bodyText?.downgrade === undefined ? "ContractOp, ExpandOp, MigrateOp" : "ContractOp, ExpandOp, MigrateOp, Op";
  const lines = [t.rolling ? `import type { ${rollingTypes} } from "tidemark";` : 'import type { Op } from "tidemark";', ""];
  for (const [name, value] of headerEntries(t)) lines.push(`export const ${name} = ${value};`);
  for (const name of bodyNames(t)) {
    lines.push("", `export async function ${name}(op: ${PARAMETER_TYPE[name]}) {`, ...bodyLines(t, name), "}");
  }
  return `${lines.join("\n")}\n`;
}

/** Header lines `NAME = value` of a code script, in the order SPEC §2 shows them. */
function headerEntries(t: RevisionTemplate): [string, string][] {
  const str = (value: string): string => JSON.stringify(value);
  const list = (values: readonly string[]): string => `[${values.map(str).join(", ")}]`;
  const entries: [string, string][] = [];
  if (t.scheme === "graph") {
    entries.push(["revision", str(t.id)]);
    entries.push([
      "revises",
      t.parents.length === 0 ? "null" : t.parents.length === 1 ? str(t.parents[0] as string) : list(t.parents),
    ]);
  }
  entries.push(["message", str(oneLine(t.message))]);
  if (t.scheme === "graph" || (t.dependsOn?.length ?? 0) > 0) entries.push(["dependsOn", list(t.dependsOn ?? [])]);
  if (t.scheme === "graph" || (t.branchLabels?.length ?? 0) > 0) entries.push(["branchLabels", list(t.branchLabels ?? [])]);
  if (t.transactional === false) entries.push(["transactional", "false"]);
  return entries;
}

function bodyLines(t: RevisionTemplate, name: BodyName): string[] {
  const body = t.bodyText?.[name];
  if (body === undefined || body.trim() === "") return [];
  return body
    .replace(/\s+$/, "")
    .split("\n")
    .map((line) => (line === "" ? "" : `  ${line}`));
}

/**
 * JavaScript, typed through JSDoc so that editors still check `op`. CommonJS
 * scripts declare with `exports.NAME = …`, which the header reader reads as
 * it reads `export const`.
 */
function renderJs(t: RevisionTemplate, style: ModuleStyle): string {
  const lines = [`/** @typedef {import("tidemark").${t.rolling ? "ExpandOp" : "Op"}} ${t.rolling ? "ExpandOp" : "Op"} */`];
  if (t.rolling) {
    lines.push(
      '/** @typedef {import("tidemark").MigrateOp} MigrateOp */',
      '/** @typedef {import("tidemark").ContractOp} ContractOp */',
    );
  }
  lines.push("");
  for (const [name, value] of headerEntries(t)) {
    lines.push(style === "esm" ? `export const ${name} = ${value};` : `exports.${name} = ${value};`);
  }
  for (const name of bodyNames(t)) {
    lines.push("", `/** @param {${PARAMETER_TYPE[name]}} op */`);
    lines.push(style === "esm" ? `export async function ${name}(op) {` : `exports.${name} = async function ${name}(op) {`);
    lines.push(...bodyLines(t, name));
    lines.push(style === "esm" ? "}" : "};");
  }
  return `${lines.join("\n")}\n`;
}

function renderSql(t: RevisionTemplate): string {
  const lines: string[] = [];
  if (t.scheme === "graph") {
    lines.push(`-- revision: ${t.id}`);
    if (t.parents.length > 0) lines.push(`-- revises: ${t.parents.join(", ")}`);
  }
  lines.push(`-- message: ${oneLine(t.message)}`);
  if ((t.dependsOn?.length ?? 0) > 0) lines.push(`-- depends-on: ${(t.dependsOn ?? []).join(", ")}`);
  if ((t.branchLabels?.length ?? 0) > 0) lines.push(`-- branch-labels: ${(t.branchLabels ?? []).join(", ")}`);
  if (t.transactional === false) lines.push("-- transactional: false");
  for (const name of bodyNames(t)) {
    lines.push("", `-- +${name}`);
    const body = t.bodyText?.[name];
    if (body !== undefined && body.trim() !== "") lines.push(body.replace(/\s+$/, ""));
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Writes the rendered script into `dir` (created if needed) and returns its
 * path. Never overwrites: an existing file, or in a numbered repository any
 * script with the same number, is a usage error.
 */
export function writeRevisionFile(dir: string, template: RevisionTemplate): string {
  const file = join(dir, revisionFileName(template));
  if (template.language === "js" && template.moduleStyle === undefined) {
    template = { ...template, moduleStyle: moduleStyleOf(dir) };
  }
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new UsageError(`cannot create the folder ${dir}: ${messageOf(error)}`, { cause: error });
  }
  if (template.scheme === "numbered") {
    const clash = listScriptFiles(dir).find((name) => parseNumberedName(name)?.number === Number(template.id));
    if (clash !== undefined) {
      throw new UsageError(`version ${template.id} already exists as ${join(dir, clash)}; tidemark does not overwrite scripts`);
    }
  }
  try {
    writeFileSync(file, renderRevision(template), { flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") {
      throw new UsageError(`${file} already exists; tidemark does not overwrite scripts`, { cause: error });
    }
    throw new UsageError(`cannot write ${file}: ${messageOf(error)}`, { cause: error });
  }
  return file;
}
