import type { CommandContext } from "../context.js";
import type { HistoryEntry } from "../../api/types.js";

/** `PARENTS -> ID (marks) [phases], message`, as Alembic prints it. */
function line(entry: HistoryEntry): string {
  let marks = "";
  if (entry.head) marks += " (head)";
  if (entry.current) marks += " (current)";
  if (entry.branchPoint) marks += " (branchpoint)";
  if (entry.mergePoint) marks += " (mergepoint)";
  if (entry.applied.some((phase) => phase !== "")) marks += ` [${entry.applied.join(" ")}]`;
  const parents = entry.parents.length === 0 ? "<base>" : entry.parents.join(", ");
  return `${parents} -> ${entry.id}${marks}, ${entry.message}`;
}

export async function run(context: CommandContext, _args: readonly unknown[], options: Record<string, unknown>): Promise<number> {
  const tidemark = await context.tidemark();
  const { out } = context;
  const reports = await tidemark.history({
    ...(context.repo === undefined ? {} : { repo: context.repo }),
    ...(typeof options.revRange === "string" ? { range: options.revRange } : {}),
    ...(options.graph === true ? { graph: true } : {}),
  });
  for (const report of reports) {
    if (report.note !== undefined) out.info(`(${report.note})`);
    if (out.options.json) continue;
    if (reports.length > 1) out.line(out.colors.bold(`[${report.repository}]`));
    for (const entry of report.revisions) {
      if (entry.graph === undefined) {
        out.line(line(entry));
        continue;
      }
      out.line(`${entry.graph.node} ${line(entry)}`);
      for (const after of entry.graph.after) out.line(after);
    }
  }
  // Built only for --json: a text run over 20,000 revisions would copy every entry for nothing.
  if (!out.options.json) return 0;
  out.json({
    ok: true,
    repositories: reports.map((report) => ({
      repository: report.repository,
      revisions: report.revisions.map(({ graph: _graph, ...entry }) => entry),
    })),
  });
  return 0;
}
