import type { CommandContext } from "../context.js";
import { UsageError } from "../../errors.js";

export async function run(context: CommandContext, _args: readonly unknown[], options: Record<string, unknown>): Promise<number> {
  if (options.autogenerate === true) {
    throw new UsageError(
      "revision --autogenerate needs a declared schema (config `schema`), which this version of tidemark does not compare yet; write the revision by hand.",
    );
  }
  const tidemark = await context.tidemark();
  const written = tidemark.revision({
    ...(context.repo === undefined ? {} : { repo: context.repo }),
    message: String(options.message),
    ...(options.head === undefined ? {} : { head: String(options.head) }),
    ...(options.branchLabel === undefined ? {} : { branchLabel: String(options.branchLabel) }),
    ...(options.dependsOn === undefined ? {} : { dependsOn: options.dependsOn as string[] }),
    ...(options.sql === true ? { language: "sql" } : {}),
    ...(options.rolling === true ? { rolling: true } : {}),
  });
  context.out.json({ ok: true, revision: written });
  context.out.line(`Wrote revision ${written.id} of ${written.repository}: ${written.file}`);
  return 0;
}
