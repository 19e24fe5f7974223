import type { CommandContext } from "../context.js";
import { parseDelta, printRun } from "../format.js";
import { showSteps } from "./progress.js";
import { runOffline } from "./offline.js";
import { announceTarget } from "./target.js";

export async function run(context: CommandContext, args: readonly unknown[], options: Record<string, unknown>): Promise<number> {
  const target = args[0] as string | undefined;
  if (options.sql === true) return runOffline(context, "upgrade", target, options);
  const tidemark = await context.tidemark();
  const database = announceTarget(tidemark, context.out);
  showSteps(tidemark, context.out);
  const delta = parseDelta(options.delta);
  const result = await tidemark.upgrade(target ?? "head", {
    ...context.selection,
    ...(delta === undefined ? {} : { delta }),
  });
  printRun(context.out, result, "upgraded", { target: database });
  return 0;
}
