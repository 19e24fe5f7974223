import type { CommandContext } from "../context.js";
import { writeErr } from "../write.js";

export async function run(context: CommandContext): Promise<number> {
  const tidemark = await context.tidemark();
  const result = await tidemark.validate(context.repo === undefined ? {} : { repo: context.repo });
  const { out } = context;
  out.json(result);
  for (const note of result.notes) out.info(note);
  if (result.ok) {
    out.line(out.colors.green("OK: every applied script matches its checksum."));
    return 0;
  }
  for (const problem of result.problems) writeErr(`${out.colors.red("problem:")} ${problem.message}\n`);
  return 3;
}
