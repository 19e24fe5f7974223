/**
 * `--dry-run` of upgrade, downgrade and sync: the plan from where the
 * database is, then its SQL. The plan is written as SQL comments, so the
 * whole output can be saved and read as one script.
 */
import type { DryRunRequest } from "../../api/types.js";
import { UsageError } from "../../errors.js";
import type { CommandContext } from "../context.js";
import { announceTarget } from "./target.js";

export async function runDryRun(
  context: CommandContext,
  request: DryRunRequest,
  options: Record<string, unknown>,
): Promise<number> {
  if (options.sql === true) {
    throw new UsageError(
      "Give --dry-run or --sql, not both: --sql renders offline from a START you give, --dry-run from the database.",
    );
  }
  const tidemark = await context.tidemark();
  const target = announceTarget(tidemark, context.out);
  const report = await tidemark.dryRun(request);
  const { out } = context;
  out.json({ ok: true, dryRun: true, target, repositories: report.repositories, sql: report.sql });
  const lines = ["-- Dry run: nothing was changed. From where the database is now:"];
  for (const repository of report.repositories) {
    const at =
      repository.before.length === 0
        ? "base"
        : repository.before.map((row) => `${row.phase === "" ? "" : `${row.phase} `}${row.version}`).join(", ");
    const count = repository.steps.length;
    lines.push(
      `-- ${repository.repository}: at ${at}; ${count === 0 ? "nothing to do" : `${count} step${count === 1 ? "" : "s"}:`}`,
    );
    for (const step of repository.steps) {
      const phase = step.phase === "" ? "" : ` ${step.phase}`;
      lines.push(`--   ${step.direction}${phase} ${step.revision} ${step.message}`.trimEnd());
    }
  }
  out.result(`${lines.join("\n")}\n${report.sql === "" ? "" : `\n${report.sql}`}`);
  return 0;
}
