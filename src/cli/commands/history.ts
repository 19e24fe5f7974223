import type { CommandContext } from "../context.js";
import { historyOrder, parseHistoryRange, type HistoryRange } from "../../graph/history.js";
import { renderGraph } from "../../graph/graph-render.js";
import { appliedClosure } from "../../graph/planner.js";
import { TidemarkError } from "../../errors.js";
import type { RepositoryHandle } from "../../api/project.js";
import type { Tidemark } from "../../api/tidemark.js";
import type { RevisionInfo } from "../../api/types.js";
import type { RevisionMap } from "../../graph/revision-map.js";
import { revisionInfo } from "./revision-info.js";

async function rangeOf(tidemark: Tidemark, repository: RepositoryHandle, raw: string | undefined): Promise<HistoryRange> {
  if (raw === undefined) return {};
  let rows: string[] = [];
  if (/(^|:)current(:|$)/.test(raw)) {
    const [entry] = await tidemark.current({ repo: repository.config.name });
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
  tidemark: Tidemark,
  repository: RepositoryHandle,
): Promise<{ applied: Map<string, string[]>; current: Set<string> }> {
  const [entry] = await tidemark.current({ repo: repository.config.name });
  const rows = entry?.rows ?? [];
  const applied = new Map<string, string[]>();
  for (const phase of repository.rolling ? ["expand", "migrate", "contract"] : [""]) {
    const heads = rows.filter((row) => row.phase === phase && row.carried !== true && repository.map.has(row.version)).map((row) => row.version);
    for (const id of appliedClosure(repository.map, heads)) applied.set(id, [...(applied.get(id) ?? []), phase]);
  }
  return { applied, current: new Set(rows.filter((row) => row.carried !== true).map((row) => row.version)) };
}

/**
 * `PARENTS -> ID (marks) [phases], message`. Straight from the map, not
 * through RevisionInfo: history prints 20,000 of these.
 */
function line(map: RevisionMap, id: string, applied: readonly string[] | undefined, current: boolean): string {
  const revision = map.require(id);
  const children = map.childCount(id);
  let marks = "";
  if (children === 0) marks += " (head)";
  if (current) marks += " (current)";
  if (children > 1) marks += " (branchpoint)";
  if (revision.parents.length > 1) marks += " (mergepoint)";
  if (applied !== undefined && applied.some((phase) => phase !== "")) marks += ` [${applied.join(" ")}]`;
  const parents = revision.parents.length === 0 ? "<base>" : revision.parents.join(", ");
  return `${parents} -> ${id}${marks}, ${revision.message}`;
}

export async function run(context: CommandContext, _args: readonly unknown[], options: Record<string, unknown>): Promise<number> {
  const tidemark = await context.tidemark();
  const { out } = context;
  const repositories = tidemark.project.selectForReport(context.selection);
  const document = [];
  for (const repository of repositories) {
    const ids = historyOrder(repository.map, await rangeOf(tidemark, repository, options.revRange as string | undefined));
    // History needs no database; when one answers, positions are shown too.
    let applied = new Map<string, string[]>();
    let currentIds = new Set<string>();
    try {
      ({ applied, current: currentIds } = await positions(tidemark, repository));
    } catch (error) {
      if (!(error instanceof TidemarkError) || error.code !== "database") throw error;
      out.info(`(database not reachable, positions not shown: ${error.message})`);
    }
    if (out.options.json) {
      const info = (id: string): RevisionInfo => ({
        ...revisionInfo(repository, id),
        applied: applied.get(id) ?? [],
        current: currentIds.has(id),
      });
      document.push({ repository: repository.config.name, revisions: ids.map(info) });
      continue;
    }
    const text = (id: string) => line(repository.map, id, applied.get(id), currentIds.has(id));
    if (repositories.length > 1) out.line(out.colors.bold(`[${repository.config.name}]`));
    if (options.graph === true) {
      for (const row of renderGraph(repository.map, ids, text)) out.line(row);
    } else {
      for (const id of ids) out.line(text(id));
    }
  }
  out.json({ ok: true, repositories: document });
  return 0;
}
