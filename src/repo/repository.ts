/**
 * Turns a repository folder into Revisions, reading headers only. It decides
 * the id scheme and whether the repository is plain or rolling, and refuses
 * mixtures; the graph checks (gaps, unknown parents, cycles) belong to the
 * RevisionMap, which sees the files through Revision.files.
 */
import { statSync } from "node:fs";
import { ConfigError, GraphError, ScriptError, messageOf } from "../errors.js";
import { isRolling, revisionFile, type IdScheme, type Revision } from "../graph/revision.js";
import { isKeystoneLayout, scanKeystoneLayout } from "./keystone-layout.js";
import { readFolderHeaders } from "./read-header.js";
import type { ScriptHeader } from "./script-header.js";
import {
  compareRevisions,
  listScriptFiles,
  numberedParents,
  parseNumberedName,
  scriptsFolderOf,
  slugToMessage,
} from "./script-files.js";

export type RepositoryLayout = "single" | "keystone";

export interface RepositoryScan {
  readonly name: string;
  readonly dir: string;
  /** Where the scripts are: `dir/versions` when it exists, else `dir` (keystone: `dir`). */
  readonly scriptsDir: string;
  readonly scheme: IdScheme;
  readonly layout: RepositoryLayout;
  readonly rolling: boolean;
  /** Numbered: by number. Graph: by file name (the graph orders them). */
  readonly revisions: readonly Revision[];
}

export interface ScanOptions {
  /** The repository's name, used in messages. */
  readonly name: string;
  /** The scheme to report for a repository with no scripts yet (default "graph"). */
  readonly scheme?: IdScheme;
  /** Header cache folder, or false for none (default: node_modules/.cache/tidemark, see header-cache.ts). */
  readonly cache?: string | false;
}

export function scanRepository(dir: string, options: ScanOptions): RepositoryScan {
  assertFolder(dir, options.name);
  if (isKeystoneLayout(dir)) {
    return {
      name: options.name,
      dir,
      scriptsDir: dir,
      scheme: "numbered",
      layout: "keystone",
      rolling: true,
      revisions: scanKeystoneLayout(dir, options.cache),
    };
  }
  const scriptsDir = scriptsFolderOf(dir);
  const graph: Revision[] = [];
  const numbered: Revision[] = [];
  const names = listScriptFiles(scriptsDir);
  const headers = readFolderHeaders(scriptsDir, names, options.cache);
  names.forEach((fileName, i) => {
    const header = headers[i] as ScriptHeader;
    if (header.revision !== undefined) graph.push(graphRevision(header, fileName));
    else numbered.push(numberedRevision(header, fileName));
  });
  if (graph.length > 0 && numbered.length > 0) {
    throw new GraphError(
      `the ${options.name} repository mixes id schemes: ${fileOf(graph[0] as Revision)} declares its revision id (graph scheme) while ${fileOf(numbered[0] as Revision)} is numbered by its file name; use one scheme per repository`,
    );
  }
  const revisions = graph.length > 0 ? graph : numbered;
  assertUnique(revisions);
  const rolling = plainOrRolling(revisions, options.name);
  return {
    name: options.name,
    dir,
    scriptsDir,
    scheme: graph.length > 0 ? "graph" : numbered.length > 0 ? "numbered" : (options.scheme ?? "graph"),
    layout: "single",
    rolling,
    revisions: revisions.sort(compareRevisions),
  };
}

function assertFolder(dir: string, name: string): void {
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(
      code === "ENOENT"
        ? `the folder of the ${name} repository, ${dir}, does not exist (create it, or run \`tidemark init\`)`
        : `cannot read the folder of the ${name} repository, ${dir}: ${messageOf(error)}`,
      { cause: error },
    );
  }
  if (!isDir) throw new ConfigError(`the path of the ${name} repository, ${dir}, is not a folder`);
}

function graphRevision(header: ScriptHeader, fileName: string): Revision {
  const id = header.revision as string;
  const stem = fileName.replace(/\.[^.]+$/, "");
  // `<id>_<slug>`, or a template's `<date>_<time>_<id>_<slug>`: the slug follows the id.
  const at = stem.indexOf(`${id}_`);
  const slug = at === -1 ? stem : stem.slice(at + id.length + 1);
  return {
    id,
    parents: header.revises ?? [],
    dependsOn: header.dependsOn,
    branchLabels: header.branchLabels,
    message: header.message ?? slugToMessage(slug),
    bodies: header.bodies,
    transactional: header.transactional,
    files: { main: header.file },
    stamp: header.stamp,
  };
}

function numberedRevision(header: ScriptHeader, fileName: string): Revision {
  const name = parseNumberedName(fileName);
  if (name === undefined) {
    throw new ScriptError(
      header.file,
      undefined,
      "this script declares no `revision` id (graph scheme) and its name is not NNN_slug.ext (numbered scheme), so it has " +
        'no id. Declare one at module level with a literal: `export const revision = "1a2b3c4d5e6f";` (ES module), ' +
        '`exports.revision = "1a2b3c4d5e6f";` or `module.exports = { revision: "1a2b3c4d5e6f", … }` (CommonJS), ' +
        "`-- revision: 1a2b3c4d5e6f` (SQL)",
    );
  }
  if (name.number === 0) {
    throw new GraphError(`${header.file}: numbered versions start at 1 (version 0 means base, before any script)`);
  }
  return {
    id: String(name.number),
    parents: numberedParents(name.number),
    dependsOn: header.dependsOn,
    branchLabels: header.branchLabels,
    message: header.message ?? slugToMessage(name.slug),
    number: name.number,
    bodies: header.bodies,
    transactional: header.transactional,
    files: { main: header.file },
    stamp: header.stamp,
  };
}

function assertUnique(revisions: readonly Revision[]): void {
  const seen = new Map<string, Revision>();
  for (const revision of revisions) {
    const previous = seen.get(revision.id);
    if (previous !== undefined) {
      const what = revision.number !== undefined ? `version ${revision.number}` : `revision id ${revision.id}`;
      throw new GraphError(`two scripts have ${what}: ${fileOf(previous)} and ${fileOf(revision)}`);
    }
    seen.set(revision.id, revision);
  }
}

/** A repository is rolling when its scripts have phase bodies; plain and rolling scripts cannot mix. */
function plainOrRolling(revisions: readonly Revision[], name: string): boolean {
  const rolling = revisions.find(isRolling);
  if (rolling === undefined) return false;
  const plain = revisions.find((r) => r.bodies.upgrade);
  if (plain !== undefined) {
    throw new GraphError(
      `the ${name} repository mixes plain and rolling scripts: ${fileOf(plain)} has an upgrade body while ${fileOf(rolling)} has expand/migrate/contract bodies; a repository is either plain or rolling`,
    );
  }
  return true;
}

function fileOf(revision: Revision): string {
  return revisionFile(revision) ?? revision.id;
}
