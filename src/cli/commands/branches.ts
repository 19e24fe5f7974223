import type { CommandContext } from "../context.js";
import { revisionInfo } from "./revision-info.js";

export async function run(context: CommandContext): Promise<number> {
  const tidemark = await context.tidemark();
  const { out } = context;
  const result = tidemark.project.selectForReport(context.selection).map((repository) => ({
    repository: repository.config.name,
    branchPoints: repository.map.branchPoints().map((id) => revisionInfo(repository, id)),
  }));
  out.json({ ok: true, repositories: result });
  for (const entry of result) {
    if (entry.branchPoints.length === 0) out.line(`${entry.repository}: no branches`);
    for (const point of entry.branchPoints) {
      out.line(`${entry.repository}: ${out.colors.bold(point.id)} (branchpoint) ${point.message}`);
      for (const child of point.children) out.line(`  -> ${child}`);
    }
  }
  return 0;
}
