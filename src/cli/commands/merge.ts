import type { CommandContext } from "../context.js";

export async function run(context: CommandContext, args: readonly unknown[], options: Record<string, unknown>): Promise<number> {
  const tidemark = await context.tidemark();
  const written = tidemark.merge((args[0] as string[] | undefined) ?? [], {
    message: String(options.message),
    ...(options.sql === true ? { language: "sql" } : {}),
    ...(context.repo === undefined ? {} : { repo: context.repo }),
  });
  context.out.json({ ok: true, revision: written });
  context.out.line(
    `Wrote merge revision ${written.id} of ${written.repository} over ${written.parents.join(", ")}: ${written.file}`,
  );
  return 0;
}
