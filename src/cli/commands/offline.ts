/** `--sql`: offline rendering (SPEC §6). */
import type { CommandContext } from "../context.js";
import type { Phase } from "../../api/types.js";

export async function runOffline(
  context: CommandContext,
  command: "upgrade" | "downgrade" | "stamp",
  target: string | undefined,
  options: Record<string, unknown>,
): Promise<number> {
  const tidemark = await context.tidemark();
  const sql = await tidemark.renderSql(command, target, {
    ...context.selection,
    ...(typeof options.dialect === "string" ? { dialect: options.dialect } : {}),
    ...(options.delta === undefined ? {} : { delta: String(options.delta) }),
    purge: options.purge === true,
    ...(typeof options.phase === "string" ? { phase: options.phase as Phase } : {}),
  });
  if (context.out.options.json) context.out.json({ ok: true, sql });
  else context.out.result(sql);
  return 0;
}
