import type { CommandContext } from "../context.js";
import { writeErr } from "../write.js";

export async function run(context: CommandContext): Promise<number> {
  const tidemark = await context.tidemark();
  const result = await tidemark.check(context.repo === undefined ? {} : { repo: context.repo });
  const { out } = context;
  out.json(result);
  for (const note of result.notes) out.info(note);
  for (const finding of result.lint ?? []) {
    if (finding.severity !== "warning") continue;
    const where = finding.line === undefined ? finding.file : `${finding.file}:${finding.line}`;
    out.info(`${out.colors.yellow("lint warning:")} ${where} ${finding.rule} ${finding.name}: ${finding.message}`);
  }
  for (const mark of result.unsafe) {
    const where = mark.line === undefined ? mark.file : `${mark.file}:${mark.line}`;
    out.line(`${mark.repository}: unsafe (${mark.reason}) in ${where}: ${mark.statement}`);
  }
  if (result.ok) {
    out.line(out.colors.green("OK: one head per repository, scripts unchanged, phase rules kept."));
    return 0;
  }
  for (const problem of result.problems) writeErr(`${out.colors.red("problem:")} ${problem.message}\n`);
  return 3;
}
