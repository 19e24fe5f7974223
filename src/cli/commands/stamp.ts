import type { CommandContext } from "../context.js";
import { printRun } from "../format.js";
import { UsageError } from "../../errors.js";
import { runOffline } from "./offline.js";
import { announceTarget } from "./target.js";

export async function run(context: CommandContext, args: readonly unknown[], options: Record<string, unknown>): Promise<number> {
  const target = args[0] as string | undefined;
  if (options.fromAlembic === true) {
    if (target !== undefined || options.sql === true) {
      throw new UsageError("stamp --from-alembic takes no TARGET and no --sql: the rows come from Alembic's version table.");
    }
    const tidemark = await context.tidemark();
    const result = await tidemark.adoptAlembic({
      ...context.selection,
      purge: options.purge === true,
      ...(typeof options.alembicTable === "string" ? { alembicTable: options.alembicTable } : {}),
    });
    printRun(context.out, result, "adopted");
    return 0;
  }
  if (options.alembicTable !== undefined) throw new UsageError("--alembic-table goes with --from-alembic.");
  if (target === undefined) throw new UsageError("stamp needs a TARGET (or --from-alembic).");
  if (options.sql === true) return runOffline(context, "stamp", target, options);
  const tidemark = await context.tidemark();
  const database = announceTarget(tidemark, context.out);
  const result = await tidemark.stamp(target, { ...context.selection, purge: options.purge === true });
  printRun(context.out, result, "stamped", { target: database });
  return 0;
}
