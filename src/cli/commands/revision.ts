import type { CommandContext } from "../context.js";
import { writeErr } from "../write.js";

export async function run(context: CommandContext, _args: readonly unknown[], options: Record<string, unknown>): Promise<number> {
  if (options.autogenerate === true) return autogenerate(context, options);
  if (options.allowEmpty === true) writeErr("note: --allow-empty only matters with --autogenerate\n");
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

async function autogenerate(context: CommandContext, options: Record<string, unknown>): Promise<number> {
  const tidemark = await context.tidemark();
  const { out } = context;
  const result = await tidemark.autogenerate(String(options.message), {
    ...(context.repo === undefined ? {} : { repo: context.repo }),
    ...(options.sql === true ? { sql: true } : {}),
    ...(options.rolling === true ? { rolling: true } : {}),
    ...(options.allowEmpty === true ? { allowEmpty: true } : {}),
    ...(options.head === undefined ? {} : { head: String(options.head) }),
    ...(options.branchLabel === undefined ? {} : { branchLabel: String(options.branchLabel) }),
    ...(options.dependsOn === undefined ? {} : { dependsOn: options.dependsOn as string[] }),
  });
  out.json({
    ok: true,
    revision: result.written ?? null,
    changes: result.changes,
    warnings: result.warnings,
    destructive: result.destructive,
  });
  if (!context.globals.json) {
    for (const warning of result.warnings) writeErr(`${out.colors.yellow("warning:")} ${warning}\n`);
    for (const what of result.destructive) writeErr(`${out.colors.red("destructive:")} destroys ${what}\n`);
  }
  if (result.written === undefined) {
    out.line(
      `${result.repository}: no changes detected: the database matches the declared schema; no revision written (--allow-empty writes an empty one).`,
    );
    return 0;
  }
  const count = result.changes.length;
  out.line(
    `Wrote revision ${result.written.id} of ${result.written.repository} (${count} operation${count === 1 ? "" : "s"}): ${result.written.file}`,
  );
  return 0;
}
