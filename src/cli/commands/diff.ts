/** `diff`: the ops that would bring the database to the declared schema. Exit 0 none, 3 some (SPEC §11). */
import type { CommandContext } from "../context.js";
import { writeErr } from "../write.js";

export async function run(context: CommandContext, _args: readonly unknown[], options: Record<string, unknown>): Promise<number> {
  const tidemark = await context.tidemark();
  const sql = options.sql === true;
  const result = await tidemark.diff({ ...(context.repo === undefined ? {} : { repo: context.repo }), sql });
  const { out } = context;
  out.json({
    ok: true,
    repository: result.repository,
    differs: result.differs,
    changes: result.changes,
    warnings: result.warnings,
    destructive: result.destructive,
  });
  if (!context.globals.json) {
    for (const warning of result.warnings) writeErr(`${out.colors.yellow("warning:")} ${warning}\n`);
  }
  if (!result.differs) {
    out.line(`${result.repository}: no differences: the database matches the declared schema (${result.schema}).`);
    return 0;
  }
  const text = sql ? (result.sql ?? "") : result.script;
  if (text !== "") out.result(text);
  out.info(
    `${result.repository}: ${result.changes.length} operation${result.changes.length === 1 ? "" : "s"} would bring the database to the declared schema.`,
  );
  return 3;
}
