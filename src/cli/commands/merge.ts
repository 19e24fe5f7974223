import type { CommandContext } from "../context.js";
import { writeMerge } from "../../api/scaffolding.js";

export async function run(context: CommandContext, args: readonly unknown[], options: Record<string, unknown>): Promise<number> {
  const tidemark = await context.tidemark();
  const repository = tidemark.project.repository(context.repo ?? tidemark.project.defaultRepositoryName());
  const revisions = (args[0] as string[] | undefined) ?? [];
  const written = writeMerge(repository, revisions, {
    message: String(options.message),
    language: options.sql === true ? "sql" : (tidemark.config.language ?? "ts"),
  });
  context.out.json({ ok: true, revision: written });
  context.out.line(`Wrote merge revision ${written.id} of ${written.repository} over ${written.parents.join(", ")}: ${written.file}`);
  return 0;
}
