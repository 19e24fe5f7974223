import type { CommandContext } from "../context.js";
import { UsageError } from "../../errors.js";
import type { Phase } from "../../api/types.js";
import { printRun } from "../format.js";
import { runOffline } from "./offline.js";
import { INTERRUPTED_EXIT, watchRun } from "./run-watch.js";
import { announceTarget } from "./target.js";
import { runDryRun } from "./dry-run.js";

const CHECK_MEANING: Readonly<Record<number, string>> = {
  0: "nothing to do",
  1: "phases are out of order (contract ahead of migrate, or migrate ahead of expand)",
  2: "expand pending (or not under version control yet)",
  3: "migrate pending",
  4: "contract pending",
};

function phaseOf(options: Record<string, unknown>): Phase | undefined {
  const phases = (["expand", "migrate", "contract"] as const).filter((phase) => options[phase] === true);
  if (phases.length > 1)
    throw new UsageError(`Give one of --expand, --migrate, --contract, not ${phases.map((p) => `--${p}`).join(" and ")}.`);
  return phases[0];
}

/** `sync --abort`: the open window's expand steps undone, newest first. */
async function runAbort(context: CommandContext, version: string | undefined, options: Record<string, unknown>): Promise<number> {
  const others = ["expand", "migrate", "contract", "check", "maxCount"].filter(
    (name) => options[name] !== undefined && options[name] !== false,
  );
  const offline = options.sql === true;
  if ((version !== undefined && !offline) || others.length > 0) {
    const flags = others.map((name) => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
    throw new UsageError(
      `sync --abort takes no VERSION${flags.length === 0 ? "" : ` and no ${flags.join(", ")}`}: it undoes the whole open window ` +
        "of the repository, which it reads from the version rows (offline, `sync --abort --sql START:END` names the window).",
    );
  }
  if (options.dryRun === true) return runDryRun(context, { command: "abort", options: context.selection }, options);
  if (offline) {
    const tidemark = await context.tidemark();
    const sql = await tidemark.renderSql("abort", version, {
      ...context.selection,
      ...(typeof options.dialect === "string" ? { dialect: options.dialect } : {}),
    });
    if (context.out.options.json) context.out.json({ ok: true, sql });
    else context.out.result(sql);
    return 0;
  }
  const tidemark = await context.tidemark();
  const database = announceTarget(tidemark, context.out);
  const watch = watchRun(context, tidemark);
  try {
    const result = await tidemark.abort({ ...context.selection, signal: watch.signal });
    watch.stop();
    printRun(context.out, result, "aborted", { target: database, interrupted: watch.interrupted() });
    return watch.interrupted() ? INTERRUPTED_EXIT : 0;
  } finally {
    watch.stop();
  }
}

export async function run(context: CommandContext, args: readonly unknown[], options: Record<string, unknown>): Promise<number> {
  const version = args[0] as string | undefined;
  if (options.abort === true) return runAbort(context, version, options);
  const phase = phaseOf(options);
  if (options.check === true) {
    if (phase !== undefined || version !== undefined || options.sql === true || options.dryRun === true) {
      throw new UsageError("sync --check takes no VERSION, phase or --sql: it reports what is pending up to head.");
    }
    const tidemark = await context.tidemark();
    const result = await tidemark.syncCheck(context.selection);
    context.out.json({ ok: true, ...result, meaning: CHECK_MEANING[result.code] });
    for (const entry of result.repositories) context.out.line(`${entry.repository}: ${CHECK_MEANING[entry.code]}`);
    return result.code;
  }
  if (options.sql === true && options.dryRun !== true)
    return runOffline(context, "upgrade", version, { ...options, ...(phase === undefined ? {} : { phase }) });
  const maxCount = options.maxCount === undefined ? undefined : Number(options.maxCount);
  if (maxCount !== undefined && (!Number.isInteger(maxCount) || maxCount < 1)) {
    throw new UsageError(`--max-count must be a positive whole number of rows, not "${String(options.maxCount)}".`);
  }
  const syncOptions = {
    ...context.selection,
    ...(phase === undefined ? {} : { phase }),
    ...(maxCount === undefined ? {} : { maxCount }),
  };
  if (options.dryRun === true)
    return runDryRun(context, { command: "sync", target: version ?? "head", options: syncOptions }, options);
  const tidemark = await context.tidemark();
  const database = announceTarget(tidemark, context.out);
  const watch = watchRun(context, tidemark);
  try {
    const result = await tidemark.sync(version ?? "head", { ...syncOptions, signal: watch.signal });
    watch.stop();
    printRun(context.out, result, "synced", { target: database, progress: watch.progress(), interrupted: watch.interrupted() });
    return watch.interrupted() ? INTERRUPTED_EXIT : 0;
  } finally {
    watch.stop();
  }
}
