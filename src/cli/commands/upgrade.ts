import type { CommandContext } from "../context.js";
import { parseDelta, printRun } from "../format.js";
import { INTERRUPTED_EXIT, watchRun } from "./run-watch.js";
import { runOffline } from "./offline.js";
import { announceTarget } from "./target.js";
import { runDryRun } from "./dry-run.js";

export async function run(context: CommandContext, args: readonly unknown[], options: Record<string, unknown>): Promise<number> {
  const target = args[0] as string | undefined;
  const delta = parseDelta(options.delta);
  const upgradeOptions = { ...context.selection, ...(delta === undefined ? {} : { delta }) };
  if (options.dryRun === true) {
    return runDryRun(context, { command: "upgrade", target: target ?? "head", options: upgradeOptions }, options);
  }
  if (options.sql === true) return runOffline(context, "upgrade", target, options);
  const tidemark = await context.tidemark();
  const database = announceTarget(tidemark, context.out);
  const watch = watchRun(context, tidemark);
  try {
    const result = await tidemark.upgrade(target ?? "head", { ...upgradeOptions, signal: watch.signal });
    watch.stop();
    printRun(context.out, result, "upgraded", { target: database, progress: watch.progress(), interrupted: watch.interrupted() });
    return watch.interrupted() ? INTERRUPTED_EXIT : 0;
  } finally {
    watch.stop();
  }
}
