/**
 * `tidemark.fleet(name)`: the database commands over every target of a
 * fleet. Each method checks its arguments, the configuration and the
 * revision graph once, before any target is opened (a bad target or a
 * broken graph is a usage error, exit 2, with nothing run), then hands the
 * single-database command module to the FleetRunner for each target.
 *
 * `diff` is not here yet: it will be `this.each((ws) => diff(ws, …))`
 * once the declared-schema comparison exists.
 */
import type { ResolvedFleet } from "../config/fleet-types.js";
import { ConfigError, UsageError } from "../errors.js";
import { checkTargetEarly, downgrade, positive, sync, upgrade } from "./change.js";
import { diffDatabase } from "./autogenerate.js";
import { runCheck, runValidate } from "./check.js";
import { current, repair } from "./current.js";
import { assertFleetReady } from "./fleet-rolling.js";
import { FleetRunner, runOutcome, type FleetCommand } from "./fleet-runner.js";
import type {
  FleetEvent,
  FleetReport,
  FleetRunOptions,
  FleetSyncCheckReport,
  FleetSyncOptions,
  FleetTargetInfo,
} from "./fleet-types.js";
import { dbVersion, syncCheck } from "./keystone-reports.js";
import { stamp } from "./stamp.js";
import type {
  CheckOptions,
  CheckResult,
  CurrentEntry,
  DiffOptions,
  DiffResult,
  DowngradeOptions,
  RepairEntry,
  RunResult,
  SelectOptions,
  StampOptions,
  SyncCheckResult,
  SyncOptions,
  UpgradeOptions,
  VersionEntry,
} from "./types.js";
import type { Workspace } from "./workspace.js";

type Listener = (event: FleetEvent) => void;

export class Fleet {
  private readonly listeners = new Set<Listener>();
  private readonly runner: FleetRunner;

  /** @internal Use `tidemark.fleet(name)`. */
  constructor(
    private readonly base: Workspace,
    readonly name: string,
  ) {
    this.runner = new FleetRunner(base, fleetNamed(base, name), (event) => {
      for (const listener of this.listeners) listener(event);
    });
  }

  /** Subscribes to per-target events (start, end, and each target's own step events); returns the unsubscribe function. */
  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The targets as the fleet's source lists them now (the file is read, the catalog queried), without passwords. */
  async targets(): Promise<FleetTargetInfo[]> {
    return (await this.runner.entries()).map((entry) => {
      if (entry.kind === "unusable") return entry.info;
      const { url: _url, ...info } = entry.target;
      return info;
    });
  }

  upgrade(target = "head", options: UpgradeOptions & FleetRunOptions = {}): Promise<FleetReport<RunResult>> {
    if (options.delta !== undefined) positive(options.delta);
    checkTargetEarly(this.base.project.select(options), options.delta === undefined ? target : "+1", "upgrade");
    return this.runner.run(
      this.changing(options, (ws) => upgrade(ws, target, options)),
      options,
    );
  }

  downgrade(target: string | undefined, options: DowngradeOptions & FleetRunOptions = {}): Promise<FleetReport<RunResult>> {
    if (target === undefined && options.delta === undefined) {
      throw new UsageError("downgrade needs a TARGET or --delta N (e.g. `tidemark downgrade -1 --fleet NAME`).");
    }
    if (options.delta !== undefined) positive(options.delta);
    checkTargetEarly(this.base.project.select(options), options.delta === undefined ? (target as string) : "-1", "downgrade");
    return this.runner.run(
      this.changing(options, (ws) => downgrade(ws, target, options)),
      options,
    );
  }

  stamp(target: string, options: StampOptions & FleetRunOptions = {}): Promise<FleetReport<RunResult>> {
    checkTargetEarly(this.base.project.select(options), target, "any");
    return this.runner.run(
      this.changing(options, (ws) => stamp(ws, target, options)),
      options,
    );
  }

  /**
   * keystone's db_sync on every target. `--migrate` waits for every target
   * to have finished expand, and `--contract` for migrate, unless
   * `forcePartial` (see fleet-rolling.ts).
   */
  async sync(version = "head", options: SyncOptions & FleetSyncOptions = {}): Promise<FleetReport<RunResult>> {
    checkTargetEarly(this.base.project.select(options), version, "any");
    const entries = await this.runner.entries();
    if (options.phase !== undefined && options.forcePartial !== true) {
      await assertFleetReady(this.runner, entries, options.phase, version, options);
    }
    return this.runner.run(
      this.changing(options, (ws) => sync(ws, version, options)),
      options,
      entries,
    );
  }

  /** `sync --check` on every target; `code` is the most urgent one (a target that cannot be read counts as 1). */
  async syncCheck(options: SelectOptions & FleetRunOptions = {}): Promise<FleetSyncCheckReport<SyncCheckResult>> {
    this.base.project.select(options);
    const report = await this.runner.run({ run: (ws) => syncCheck(ws, options) }, options);
    const codes = report.targets.map((target) => (target.status === "succeeded" ? (target.result?.code ?? 0) : 1));
    const code = ([1, 2, 3, 4] as const).find((c) => codes.includes(c)) ?? 0;
    return { ...report, code };
  }

  current(options: SelectOptions & FleetRunOptions = {}): Promise<FleetReport<CurrentEntry[]>> {
    this.base.project.selectForReport(options);
    return this.runner.run({ run: (ws) => current(ws, options) }, options);
  }

  /** keystone's db_version on every target. */
  version(options: SelectOptions & FleetRunOptions = {}): Promise<FleetReport<VersionEntry[]>> {
    this.base.project.select(options);
    return this.runner.run({ run: (ws) => dbVersion(ws, options) }, options);
  }

  check(options: CheckOptions & FleetRunOptions = {}): Promise<FleetReport<CheckResult>> {
    return this.runner.run({ run: (ws) => runCheck(ws, options) }, options);
  }

  validate(options: CheckOptions & FleetRunOptions = {}): Promise<FleetReport<CheckResult>> {
    this.base.project.selectForReport(options.repo === undefined ? {} : { repo: options.repo });
    return this.runner.run({ run: (ws) => runValidate(ws, options) }, options);
  }

  /** `diff` on every target: each database compared with the declared schema; nothing is changed. */
  diff(options: DiffOptions & FleetRunOptions = {}): Promise<FleetReport<DiffResult>> {
    this.base.project.select(options.repo === undefined ? {} : { repo: options.repo });
    return this.runner.run({ run: (ws) => diffDatabase(ws, options) }, options);
  }

  repair(options: SelectOptions & FleetRunOptions = {}): Promise<FleetReport<RepairEntry[]>> {
    this.base.project.select(options);
    return this.runner.run({ run: (ws) => repair(ws, options) }, options);
  }

  private changing(selection: SelectOptions, run: (workspace: Workspace) => Promise<RunResult>): FleetCommand<RunResult> {
    return {
      run,
      changes: {
        selection: {
          ...(selection.repo === undefined ? {} : { repo: selection.repo }),
          ...(selection.all === true ? { all: true } : {}),
        },
        outcome: runOutcome,
      },
    };
  }
}

function fleetNamed(workspace: Workspace, name: string): ResolvedFleet {
  const fleets = workspace.config.fleets ?? {};
  const fleet = Object.hasOwn(fleets, name) ? fleets[name] : undefined;
  if (fleet === undefined) {
    const known = Object.keys(fleets);
    throw new ConfigError(
      `Unknown fleet "${name}". ${known.length === 0 ? "The config declares no fleets (`fleets: { NAME: { urls: [...] } }`)." : `Configured fleets: ${known.join(", ")}.`}`,
      { fields: { fleet: name, known } },
    );
  }
  return fleet;
}
