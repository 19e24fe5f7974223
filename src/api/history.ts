/**
 * The graph reports of SPEC §10: history, heads, branches and show. They
 * need no database; when one answers, history also shows where it is.
 */
import { TargetError, TidemarkError } from "../errors.js";
import { layoutGraph } from "../graph/graph-render.js";
import { historyOrder, parseHistoryRange, type HistoryRange } from "../graph/history.js";
import { appliedClosure } from "../graph/planner.js";
import { isRolling, revisionFile } from "../graph/revision.js";
import { resolveTarget } from "../graph/target.js";
import { current } from "./current.js";
import type { RepositoryHandle } from "./project.js";
import type {
  BranchesReport,
  HeadsReport,
  HistoryEntry,
  HistoryOptions,
  HistoryReport,
  RevisionInfo,
  SelectOptions,
} from "./types.js";
import type { Workspace } from "./workspace.js";

export function revisionInfo(repository: RepositoryHandle, id: string): RevisionInfo {
  const { map } = repository;
  const revision = map.require(id);
  const children = map.children(id);
  return {
    repository: repository.config.name,
    id,
    parents: revision.parents,
    dependsOn: revision.dependsOn,
    branchLabels: revision.branchLabels,
    message: revision.message,
    file: revisionFile(revision) ?? "",
    head: children.length === 0,
    branchPoint: children.length > 1,
    mergePoint: revision.parents.length > 1,
    children,
    rolling: isRolling(revision),
  };
}

export function heads(workspace: Workspace, options: SelectOptions): HeadsReport[] {
  return workspace.project.selectForReport(options).map((repository) => ({
    repository: repository.config.name,
    heads: repository.map.heads().map((id) => revisionInfo(repository, id)),
  }));
}

export function branches(workspace: Workspace, options: SelectOptions): BranchesReport[] {
  return workspace.project.selectForReport(options).map((repository) => ({
    repository: repository.config.name,
    branchPoints: repository.map.branchPoints().map((id) => revisionInfo(repository, id)),
  }));
}

/** One revision, named by any target form that resolves to exactly one. */
export function show(workspace: Workspace, rev: string, options: Pick<SelectOptions, "repo">): RevisionInfo {
  const repository = workspace.repository(options.repo);
  const target = resolveTarget(repository.map, rev, [], repository.scheme);
  if (target.kind === "base" || target.ids.length !== 1) {
    throw new TargetError(`show needs one revision; "${rev}" is ${target.kind === "base" ? "base" : target.ids.join(", ")}.`);
  }
  return revisionInfo(repository, target.ids[0] as string);
}

const NONE: readonly string[] = Object.freeze([]);

/** Revisions newest first per repository, with the database's position when it can be read. */
export async function history(workspace: Workspace, options: HistoryOptions): Promise<HistoryReport[]> {
  const reports: HistoryReport[] = [];
  for (const repository of workspace.project.selectForReport(options)) {
    const ids = historyOrder(repository.map, await rangeOf(workspace, repository, options.range));
    let applied = new Map<string, string[]>();
    let currentIds = new Set<string>();
    let note: string | undefined;
    try {
      ({ applied, current: currentIds } = await positions(workspace, repository));
    } catch (error) {
      if (!(error instanceof TidemarkError) || error.code !== "database") throw error;
      note = `database not reachable, positions not shown: ${error.message}`;
    }
    // Object.assign on the fresh info, not a spread copy: 20,000 entries are built per call.
    const entry = (id: string): HistoryEntry =>
      Object.assign(revisionInfo(repository, id), { applied: applied.get(id) ?? NONE, current: currentIds.has(id) });
    const revisions =
      options.graph === true
        ? layoutGraph(repository.map, ids).map((row) => ({ ...entry(row.id), graph: { node: row.node, after: row.after } }))
        : ids.map(entry);
    reports.push({ repository: repository.config.name, revisions, ...(note === undefined ? {} : { note }) });
  }
  return reports;
}

async function rangeOf(workspace: Workspace, repository: RepositoryHandle, raw: string | undefined): Promise<HistoryRange> {
  if (raw === undefined) return {};
  let rows: string[] = [];
  if (/(^|:)current(:|$)/.test(raw)) {
    const [entry] = await current(workspace, { repo: repository.config.name });
    const phase = repository.rolling ? "expand" : "";
    rows = (entry?.rows ?? []).filter((row) => row.carried !== true && row.phase === phase).map((row) => row.version);
  }
  return parseHistoryRange(repository.map, raw, rows);
}

/**
 * Where the database is: the revisions its version rows name, and which
 * phases of each revision are applied ('' for plain repositories). One read;
 * empty when there is no database yet.
 */
async function positions(
  workspace: Workspace,
  repository: RepositoryHandle,
): Promise<{ applied: Map<string, string[]>; current: Set<string> }> {
  const [entry] = await current(workspace, { repo: repository.config.name });
  const rows = entry?.rows ?? [];
  const applied = new Map<string, string[]>();
  for (const phase of repository.rolling ? ["expand", "migrate", "contract"] : [""]) {
    const ids = rows
      .filter((row) => row.phase === phase && row.carried !== true && repository.map.has(row.version))
      .map((row) => row.version);
    for (const id of appliedClosure(repository.map, ids)) applied.set(id, [...(applied.get(id) ?? []), phase]);
  }
  return { applied, current: new Set(rows.filter((row) => row.carried !== true).map((row) => row.version)) };
}
