import type { CommandContext } from "../context.js";
import { printRun } from "../format.js";
import { runOffline } from "./offline.js";
import { announceTarget } from "./target.js";

export async function run(context: CommandContext, args: readonly unknown[], options: Record<string, unknown>): Promise<number> {
  const target = args[0] as string;
  if (options.sql === true) return runOffline(context, "stamp", target, options);
  const tidemark = await context.tidemark();
  const database = announceTarget(tidemark, context.out);
  const result = await tidemark.stamp(target, { ...context.selection, purge: options.purge === true });
  printRun(context.out, result, "stamped", { target: database });
  return 0;
}
