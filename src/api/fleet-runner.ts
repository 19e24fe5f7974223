/**
 * Runs one command over the targets of a fleet: at most `concurrency`
 * databases at once, each in its own Workspace (its own session, lock and
 * connections, closed when the target is done), all sharing the project
 * (scripts scanned once) and one script cache (each script loaded once per
 * run). A failing target is reported and the others go on, unless
 * `failFast`: then no new target starts after the first failure.
 */
import type { ResolvedFleet } from "../config/fleet-types.js";
import { ConfigError, TidemarkError, UsageError, messageOf } from "../errors.js";
import { redactCredentials, scrubPassword } from "../util/redact.js";
import { resolveFleetTargets, type FleetEntry, type FleetTarget } from "./fleet-targets.js";
import type {
  FleetEvent,
  FleetReport,
  FleetRunOptions,
  FleetTargetError,
  FleetTargetInfo,
  FleetTargetReport,
  RepositoryPosition,
} from "./fleet-types.js";
import { ScriptCache } from "./script-cache.js";
import type { RunResult, SelectOptions } from "./types.js";
import { Workspace } from "./workspace.js";
import { monotonicMs } from "../util/clock.js";

export const DEFAULT_CONCURRENCY = 4;

/** What a fleet command does on one target. */
export interface FleetCommand<T> {
  readonly run: (workspace: Workspace) => Promise<T>;
  /**
   * Commands that change the database: where each target was before, and
   * (for a failed one) where it stopped, so that the report shows a refused
   * target unchanged.
   */
  readonly changes?: { readonly selection: SelectOptions; readonly outcome: (result: T) => ChangeOutcome };
}

export interface ChangeOutcome {
  readonly after: readonly RepositoryPosition[];
  readonly steps: number;
}

/** The outcome of a RunResult (upgrade, downgrade, sync, stamp). */
export function runOutcome(result: RunResult): ChangeOutcome {
  return {
    after: result.repositories.map((run) => ({ repository: run.repository, rows: run.after })),
    steps: result.repositories.reduce((sum, run) => sum + run.steps.filter((step) => step.outcome !== "skipped").length, 0),
  };
}

export class FleetRunner {
  constructor(
    private readonly base: Workspace,
    readonly fleet: ResolvedFleet,
    private readonly notify: (event: FleetEvent) => void,
  ) {}

  /** The fleet's targets as listed now (the file is read, the catalog queried, on every call). */
  entries(): Promise<FleetEntry[]> {
    return resolveFleetTargets(this.fleet, this.base.options.env ?? process.env);
  }

  async run<T>(command: FleetCommand<T>, options: FleetRunOptions, given?: readonly FleetEntry[]): Promise<FleetReport<T>> {
    const concurrency = checkConcurrency(options.concurrency);
    const started = monotonicMs();
    const entries = given ?? (await this.entries());
    const reports: (FleetTargetReport<T> | undefined)[] = entries.map((entry): FleetTargetReport<T> | undefined =>
      entry.kind === "unusable" ? { ...entry.info, status: "failed", ms: 0, error: errorOf(entry.error, undefined) } : undefined,
    );
    let failed = reports.some((report) => report !== undefined);
    reports.forEach((report, index) => {
      if (report !== undefined) this.notifyEnd(report, index, entries.length);
    });
    const scripts = new ScriptCache();
    let next = 0;
    const worker = async (): Promise<void> => {
      for (;;) {
        if (options.failFast === true && failed) return;
        const index = next;
        next += 1;
        const entry = entries[index];
        if (entry === undefined) return;
        if (entry.kind !== "target") continue;
        // SQLite works synchronously: without a turn of the event loop between targets, timers
        // (a terminal's progress redraw) and signals would wait for the whole fleet.
        await new Promise<void>((resolve) => setImmediate(resolve));
        const report = await this.runTarget(entry.target, index, entries.length, command, scripts, options.keepResults !== false);
        reports[index] = report;
        if (report.status === "failed") failed = true;
      }
    };
    const workers = Math.max(1, Math.min(concurrency, entries.length));
    await Promise.all(Array.from({ length: workers }, worker));
    const targets = entries.map((entry, i): FleetTargetReport<T> => {
      const report = reports[i];
      if (report !== undefined) return report;
      const notStarted: FleetTargetReport<T> = {
        ...(entry.kind === "target" ? infoOf(entry.target) : entry.info),
        status: "not-started",
        ms: 0,
      };
      this.notifyEnd(notStarted, i, entries.length);
      return notStarted;
    });
    return {
      fleet: this.fleet.name,
      ok: targets.every((target) => target.status === "succeeded"),
      ms: Math.round(monotonicMs() - started),
      targets,
    };
  }

  /** Works on every target with a read-only probe, at the same concurrency, no fail-fast (used by checks before a run). */
  async probe<T>(
    entries: readonly FleetEntry[],
    options: FleetRunOptions,
    work: (workspace: Workspace) => Promise<T>,
  ): Promise<{ readonly target: FleetTarget; readonly value?: T; readonly error?: FleetTargetError }[]> {
    const targets = entries.flatMap((entry) => (entry.kind === "target" ? [entry.target] : []));
    const out: { target: FleetTarget; value?: T; error?: FleetTargetError }[] = new Array(targets.length);
    const scripts = new ScriptCache();
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let index = next++; index < targets.length; index = next++) {
        const target = targets[index] as FleetTarget;
        const workspace = Workspace.forTarget(this.base, withSchema(target), scripts.load);
        try {
          out[index] = { target, value: await work(workspace) };
        } catch (error) {
          out[index] = { target, error: errorOf(error, workspace) };
        } finally {
          await closeQuietly(workspace);
        }
      }
    };
    const workers = Math.max(1, Math.min(checkConcurrency(options.concurrency), targets.length));
    await Promise.all(Array.from({ length: workers }, worker));
    return out;
  }

  private async runTarget<T>(
    target: FleetTarget,
    index: number,
    total: number,
    command: FleetCommand<T>,
    scripts: ScriptCache,
    keepResult: boolean,
  ): Promise<FleetTargetReport<T>> {
    const started = monotonicMs();
    const info = infoOf(target);
    this.notify({ type: "target-start", target: target.name, index, total });
    let workspace: Workspace | undefined;
    let before: readonly RepositoryPosition[] | undefined;
    let report: FleetTargetReport<T>;
    try {
      workspace = Workspace.forTarget(this.base, withSchema(target), scripts.load);
      const name = target.name;
      workspace.listen((event) => this.notify({ type: "target-event", target: name, event }));
      await assertSchemaPossible(workspace, target);
      if (command.changes !== undefined) before = await positions(workspace, command.changes.selection);
      const result = await command.run(workspace);
      const outcome = command.changes?.outcome(result);
      report = {
        ...info,
        status: "succeeded",
        ms: Math.round(monotonicMs() - started),
        ...(before === undefined ? {} : { before }),
        ...(outcome === undefined ? {} : { after: outcome.after, steps: outcome.steps }),
        ...(outcome !== undefined && !keepResult ? {} : { result }),
      };
    } catch (error) {
      const after =
        before === undefined || workspace === undefined || command.changes === undefined
          ? undefined
          : await positions(workspace, command.changes.selection).catch(() => undefined);
      report = {
        ...info,
        status: "failed",
        ms: Math.round(monotonicMs() - started),
        ...(before === undefined ? {} : { before }),
        ...(after === undefined ? {} : { after }),
        error: errorOf(error, workspace),
      };
    } finally {
      if (workspace !== undefined) await closeQuietly(workspace);
    }
    this.notifyEnd(report, index, total);
    return report;
  }

  /** Every entry ends with one `target-end` event: run, unusable, or not started. */
  private notifyEnd(report: FleetTargetReport<unknown>, index: number, total: number): void {
    this.notify({
      type: "target-end",
      target: report.name,
      index,
      total,
      status: report.status,
      ms: report.ms,
      ...(report.error === undefined ? {} : { error: report.error }),
    });
  }
}

function checkConcurrency(value: number | undefined): number {
  const concurrency = value ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new UsageError(`--concurrency must be a whole number of databases, 1 or more, not ${String(value)}.`);
  }
  return concurrency;
}

function infoOf(target: FleetTarget): FleetTargetInfo {
  const { url: _url, ...info } = target;
  return info;
}

function withSchema(target: FleetTarget): { url: string; dbSchema?: string } {
  return { url: target.url, ...(target.schema === undefined ? {} : { dbSchema: target.schema }) };
}

/** A schema target on a database without schemas would silently use the database itself: refused instead. */
async function assertSchemaPossible(workspace: Workspace, target: FleetTarget): Promise<void> {
  if (target.schema === undefined) return;
  const session = await workspace.session();
  if (!session.dialect.caps.schemas) {
    throw new ConfigError(
      `${target.where}: schema "${target.schema}" given for a ${target.dialect} database, which has no schemas; ` +
        "list one database per target instead.",
    );
  }
}

async function positions(workspace: Workspace, selection: SelectOptions): Promise<RepositoryPosition[]> {
  const session = await workspace.session();
  const out: RepositoryPosition[] = [];
  for (const repository of workspace.project.select(selection)) {
    const rows = await session.versionRows(repository.config.versionTable, repository.config.id);
    out.push({ repository: repository.config.name, rows: rows.map((row) => ({ phase: row.phase, version: row.version })) });
  }
  return out;
}

/** The error as the report shows it: its code, its single-database exit code, and no password in any spelling. */
function errorOf(error: unknown, workspace: Workspace | undefined): FleetTargetError {
  const known = error instanceof TidemarkError;
  const text = messageOf(error);
  const message = redactCredentials(workspace === undefined ? text : scrubPassword(text, workspace.url));
  return { code: known ? error.code : "internal", exitCode: known ? error.exitCode : 1, message };
}

async function closeQuietly(workspace: Workspace): Promise<void> {
  try {
    await workspace.close();
  } catch {
    // A target whose connection broke must not stop the fleet.
  }
}
