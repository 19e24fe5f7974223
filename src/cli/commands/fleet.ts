/**
 * `--fleet NAME`: a database command over every target of a fleet. The
 * command's own flags mean what they mean on one database; `--concurrency`,
 * `--fail-fast` and `--force-partial` shape the run. Exit 0 when every
 * target succeeded, 1 when any failed (3 for check/validate problems, and
 * `sync --check` the most urgent code), 2 when the command was refused
 * before any target ran.
 */
import type { FleetReport, FleetRunOptions } from "../../api/fleet-types.js";
import type { Phase } from "../../api/types.js";
import { UsageError } from "../../errors.js";
import type { CommandContext } from "../context.js";
import { parseDelta } from "../format.js";
import { trackFleet } from "./fleet-progress.js";
import { printFleetReport, type FleetCommandName } from "./fleet-table.js";

export interface FleetFlags {
  readonly fleet: string;
  readonly concurrency?: string;
  readonly failFast?: boolean;
  readonly forcePartial?: boolean;
}

/** The commands `--fleet` runs, and the options of each it understands (`sql`/`dialect`: to refuse them clearly). */
const FLEET_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  upgrade: ["delta", "sql", "dialect"],
  downgrade: ["delta", "sql", "dialect"],
  stamp: ["purge", "sql", "dialect"],
  sync: ["expand", "migrate", "contract", "check", "maxCount", "sql", "dialect"],
  current: [],
  version: [],
  check: [],
  validate: [],
  repair: [],
  diff: [],
};
const FLEET_COMMANDS = Object.keys(FLEET_OPTIONS);

/**
 * An option this handler does not know (one added to the command later)
 * must not be silently dropped over a whole fleet: refused until it is wired.
 */
export function refuseUnknownOptions(command: string, options: Record<string, unknown>): void {
  const known = FLEET_OPTIONS[command] ?? [];
  const unknown = Object.keys(options).filter((key) => options[key] !== undefined && !known.includes(key));
  if (unknown.length === 0) return;
  const flags = unknown.map((key) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
  throw new UsageError(`${command} ${flags.join(" ")} is not available with --fleet yet; run it on one database (--url).`);
}

function runOptions(flags: FleetFlags): FleetRunOptions {
  const raw = flags.concurrency;
  const concurrency = raw === undefined ? undefined : /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (concurrency !== undefined && !(concurrency >= 1)) {
    throw new UsageError(`--concurrency must be a whole number of databases, 1 or more, not "${raw}".`);
  }
  return { ...(concurrency === undefined ? {} : { concurrency }), ...(flags.failFast === true ? { failFast: true } : {}) };
}

function phaseOf(options: Record<string, unknown>): Phase | undefined {
  const phases = (["expand", "migrate", "contract"] as const).filter((phase) => options[phase] === true);
  if (phases.length > 1)
    throw new UsageError(`Give one of --expand, --migrate, --contract, not ${phases.map((p) => `--${p}`).join(" and ")}.`);
  return phases[0];
}

/** Flags that make no sense over a fleet, refused before anything runs. */
function refuseOffline(command: string, options: Record<string, unknown>): void {
  if (options["sql"] === true && command !== "diff") {
    throw new UsageError(
      `${command} --sql prints SQL without connecting to any database, so --fleet has nothing to add: ` +
        `run \`tidemark ${command} --sql\` without --fleet.`,
    );
  }
}

function positiveCount(raw: unknown, flag: string): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1)
    throw new UsageError(`${flag} must be a positive whole number, not "${String(raw)}".`);
  return value;
}

export async function runFleet(
  context: CommandContext,
  command: string,
  args: readonly unknown[],
  options: Record<string, unknown>,
  flags: FleetFlags,
): Promise<number> {
  if (!FLEET_COMMANDS.includes(command)) {
    throw new UsageError(
      `--fleet runs the commands that act on a database (${FLEET_COMMANDS.join(", ")}); \`${command}\` does not use one. ` +
        "Run it without --fleet.",
    );
  }
  if (context.globals.url !== undefined) {
    throw new UsageError("Give either --url or --fleet: a fleet names its own databases.");
  }
  if (flags.forcePartial === true && !(command === "sync" && (options["migrate"] === true || options["contract"] === true))) {
    throw new UsageError("--force-partial is for `sync --migrate` and `sync --contract` over a fleet.");
  }
  refuseOffline(command, options);
  refuseUnknownOptions(command, options);
  // Without --json the table needs each changed target's positions and step count, not its step list.
  const run = { ...runOptions(flags), ...(context.out.options.json ? {} : { keepResults: false }) };
  const tidemark = await context.tidemark();
  const fleet = tidemark.fleet(flags.fleet);
  const selection = context.selection;
  const repo = context.repo === undefined ? {} : { repo: context.repo };
  const progress = trackFleet(fleet, context.out);
  let report: FleetReport<unknown>;
  let kind: FleetCommandName = command as FleetCommandName;
  let code: number | undefined;
  try {
    switch (command) {
      case "upgrade":
      case "downgrade": {
        const delta = parseDelta(options["delta"]);
        const target = args[0] as string | undefined;
        const opts = { ...selection, ...run, ...(delta === undefined ? {} : { delta }) };
        report = command === "upgrade" ? await fleet.upgrade(target ?? "head", opts) : await fleet.downgrade(target, opts);
        break;
      }
      case "stamp":
        report = await fleet.stamp(args[0] as string, { ...selection, ...run, purge: options["purge"] === true });
        break;
      case "sync": {
        const phase = phaseOf(options);
        const version = args[0] as string | undefined;
        if (options["check"] === true) {
          if (phase !== undefined || version !== undefined) {
            throw new UsageError("sync --check takes no VERSION or phase: it reports what is pending up to head.");
          }
          const checked = await fleet.syncCheck({ ...selection, ...run });
          report = checked;
          code = checked.code;
          kind = "sync-check";
          break;
        }
        const maxCount = positiveCount(options["maxCount"], "--max-count");
        report = await fleet.sync(version ?? "head", {
          ...selection,
          ...run,
          ...(phase === undefined ? {} : { phase }),
          ...(maxCount === undefined ? {} : { maxCount }),
          ...(flags.forcePartial === true ? { forcePartial: true } : {}),
        });
        break;
      }
      case "current":
        report = await fleet.current({ ...selection, ...run });
        break;
      case "version":
        report = await fleet.version({ ...selection, ...run });
        break;
      case "check":
        report = await fleet.check({ ...repo, ...run });
        break;
      case "validate":
        report = await fleet.validate({ ...repo, ...run });
        break;
      case "diff":
        report = await fleet.diff({ ...repo, ...run });
        break;
      default:
        report = await fleet.repair({ ...selection, ...run });
    }
  } finally {
    progress.stop();
  }
  printFleetReport(context.out, report, kind, code);
  if (code !== undefined) return code;
  if (!report.ok) return 1;
  if (kind === "check" || kind === "validate") {
    return report.targets.some((target) => (target.result as { ok?: boolean } | undefined)?.ok === false) ? 3 : 0;
  }
  if (kind === "diff") {
    return report.targets.some((target) => (target.result as { differs?: boolean } | undefined)?.differs === true) ? 3 : 0;
  }
  return 0;
}
