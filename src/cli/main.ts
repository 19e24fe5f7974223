/**
 * The tidemark command line: declares commands and options, then hands each
 * to its handler module (imported only when that command runs, to keep
 * start-up fast). Formatting lives in the handlers; logic in the API.
 */
import { Command, CommanderError, Option } from "commander";
import { CommandContext, type GlobalOptions } from "./context.js";
import { Output, colorWanted } from "./output.js";
import { UsageError } from "../errors.js";
import { protectNegativeTargets, restoreNegativeTarget } from "./argv.js";
import type { FleetFlags } from "./commands/fleet.js";
import { helpAfter } from "./help-text.js";
import { writeOut } from "./write.js";
import { onStopSignals } from "./stop-signals.js";

type Handler = (context: CommandContext, args: readonly unknown[], options: Record<string, unknown>) => Promise<number | void>;

/** The package's version, written into the bundle when it is built (scripts/bundle.mjs): no file to read at start-up. */
declare const TIDEMARK_VERSION: string;

function collect(value: string, previous: readonly string[] = []): string[] {
  return [...previous, value];
}

function assertNoFleetFlags(flags: Partial<FleetFlags>): void {
  const given = [
    flags.concurrency === undefined ? undefined : "--concurrency",
    flags.failFast === true ? "--fail-fast" : undefined,
    flags.forcePartial === true ? "--force-partial" : undefined,
  ].filter((flag) => flag !== undefined);
  if (given.length > 0)
    throw new UsageError(`${given.join(", ")} only make${given.length === 1 ? "s" : ""} sense with --fleet NAME.`);
}

export async function main(argv: readonly string[]): Promise<number> {
  let exitCode = 0;
  let context: CommandContext | undefined;
  // `-v` is the version in npm, yarn and most tools; commander allows one short flag per option.
  const rawArgs = protectNegativeTargets(argv).map((arg, i) => (i === 0 && arg === "-v" ? "-V" : arg));
  const wantsJson = rawArgs.includes("--json");
  const program = new Command("tidemark");
  program
    .description("Schema migrations for SQLite, PostgreSQL and MySQL/MariaDB, with checked rolling upgrades.")
    .version(TIDEMARK_VERSION, "-V, --version", "print tidemark's version (also -v)")
    .option("--config <file>", "config file (repeatable; later files override earlier ones)", collect)
    .option("--config-file <file>", "alias of --config", collect)
    .option("--url <url>", "database URL (wins over config and DATABASE_URL)")
    .option("--repo <name>", "the repository to act on (default: core)")
    .option("--extension <name>", "alias of --repo (keystone's extensions)")
    .option("--all", "act on every repository, in config order")
    .option("--json", "machine output: one JSON document on stdout")
    .option("--verbose", "print every statement and stack traces")
    .option("--quiet", "print nothing but errors and requested results")
    .option("--no-color", "no colors (also NO_COLOR)")
    .option("--lock-timeout <seconds>", "wait this long for another runner's lock (default 60)")
    .option(
      "--statement-timeout <seconds>",
      "the server stops any one statement after this long; tidemark gives up 5 s later (default 0: no limit)",
    )
    .option("--single-transaction", "run the whole command in one all-or-nothing transaction")
    .option("--schema <name>", "PostgreSQL schema for tidemark's tables and unqualified names (default: public)")
    .option("--fleet <name>", "run the command on every database of the fleet NAME (config `fleets`)")
    .option("--concurrency <n>", "with --fleet: databases worked on at once (default 4)")
    .option("--fail-fast", "with --fleet: start no new database after the first failure")
    .option("--force-partial", "with --fleet: sync --migrate/--contract although some databases lag behind")
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({
      // Parse errors are reported once, by Output.error, as a UsageError.
      writeErr: () => undefined,
      // Help and version go through the CLI's own stdout writer (ordered with everything else, EPIPE-safe).
      writeOut,
    })
    // Each command's --help lists the global options too: they may stand after the command name.
    .configureHelp({ showGlobalOptions: true })
    .addHelpText("after", helpAfter("tidemark"));

  const define = (command: Command, load: () => Promise<{ run: Handler }>): Command =>
    command.addHelpText("after", helpAfter(command.name())).action(async (...params: unknown[]) => {
      const self = params[params.length - 1] as Command;
      const options = self.opts<Record<string, unknown>>();
      const globals = program.opts<GlobalOptions & { configFile?: string[] } & Partial<FleetFlags>>();
      const out = new Output({
        json: globals.json === true,
        quiet: globals.quiet === true,
        verbose: globals.verbose === true,
        color: colorWanted(globals.color),
      });
      const config = [...(globals.config ?? []), ...(globals.configFile ?? [])];
      context = new CommandContext({ ...globals, ...(config.length > 0 ? { config } : {}) }, out);
      const args = params.slice(0, -2).map(restoreNegativeTarget);
      const fleet = globals.fleet;
      if (fleet === undefined) assertNoFleetFlags(globals);
      const stopSignals = onStopSignals(context, out);
      try {
        const code =
          fleet === undefined
            ? await (await load()).run(context, args, options)
            : await (await import("./commands/fleet.js")).runFleet(context, self.name(), args, options, { ...globals, fleet });
        exitCode = typeof code === "number" ? code : 0;
      } finally {
        stopSignals();
      }
    });

  define(
    program
      .command("init [dir]")
      .description("write a config and an empty repository")
      .addOption(new Option("--scheme <scheme>", "id scheme of new revisions").choices(["numbered", "graph"]))
      .option("--rolling", "a rolling (expand/migrate/contract) repository")
      .addOption(new Option("--language <language>", "language of new scripts").choices(["ts", "js", "sql"])),
    () => import("./commands/init.js"),
  );
  define(
    program
      .command("revision")
      .description("write a new revision script")
      .requiredOption("-m, --message <message>", "what the revision does")
      .option("--autogenerate", "fill the script from the declared schema")
      .option("--head <rev>", "the revision to build on (default: the single head; `base` for a new root)")
      .option("--branch-label <label>", "label the new branch")
      .option("--depends-on <rev>", "an extra revision that must be applied first", collect)
      .option("--sql", "write a .sql script instead of TypeScript")
      .option("--rolling", "write expand/migrate/contract bodies")
      .option("--allow-empty", "with --autogenerate: write a revision even when nothing differs"),
    () => import("./commands/revision.js"),
  );
  define(
    program
      .command("upgrade [target]")
      .description("apply revisions up to TARGET (default head)")
      .option("--delta <n>", "apply N more revisions")
      .option("--dry-run", "read where the database is, print the plan and its SQL, change nothing")
      .option("--sql", "print the SQL instead of running it (TARGET may be START:END)")
      .option("--dialect <dialect>", "dialect of --sql output (default: from the URL)"),
    () => import("./commands/upgrade.js"),
  );
  define(
    program
      .command("downgrade [target]")
      .description("revert revisions down to TARGET")
      .option("--delta <n>", "revert N revisions")
      .option("--dry-run", "read where the database is, print the plan and its SQL, change nothing")
      .option("--sql", "print the SQL instead of running it (TARGET must be START:END)")
      .option("--dialect <dialect>", "dialect of --sql output (default: from the URL)"),
    () => import("./commands/downgrade.js"),
  );
  define(
    program
      .command("stamp [target]")
      .description("set the version rows without running scripts")
      .option("--purge", "delete every version row of the repository first")
      .option("--from-alembic", "adopt an Alembic-managed database: copy its version rows (alembic_version stays)")
      .option("--alembic-table <table>", "Alembic's version table, [SCHEMA.]TABLE (default alembic_version)")
      .option("--sql", "print the SQL instead of running it")
      .option("--dialect <dialect>", "dialect of --sql output (default: from the URL)"),
    () => import("./commands/stamp.js"),
  );
  define(
    program.command("current").description("print the applied revision(s) per repository"),
    () => import("./commands/current.js"),
  );
  define(
    program
      .command("status")
      .description("applied, pending, blocked and changed scripts per repository; exit 0 up to date, 3 pending, 1 blocked"),
    () => import("./commands/status.js"),
  );
  define(
    program
      .command("history")
      .description("list revisions, newest first")
      .option("-r, --rev-range <range>", "only START:END")
      .option("--graph", "draw the revision graph"),
    () => import("./commands/history.js"),
  );
  define(program.command("heads").description("list the heads"), () => import("./commands/heads.js"));
  define(program.command("branches").description("list branch points"), () => import("./commands/branches.js"));
  define(program.command("show <rev>").description("show one revision"), () => import("./commands/show.js"));
  define(
    program
      .command("merge [revs...]")
      .description("write a merge revision over the given heads (default: all)")
      .requiredOption("-m, --message <message>", "what the merge is")
      .option("--sql", "write a .sql script instead of TypeScript"),
    () => import("./commands/merge.js"),
  );
  define(
    program
      .command("sync [version]")
      .alias("db_sync")
      .description("keystone's db_sync: up or down to VERSION (default head); rolling: one phase at a time")
      .option("--expand", "run only the expand phase (rolling)")
      .option("--migrate", "run only the migrate phase (rolling)")
      .option("--contract", "run only the contract phase (rolling)")
      .option("--check", "exit 0 nothing to do, 2 expand, 3 migrate, 4 contract pending, 1 out of order")
      .option("--abort", "undo the expand steps of the open window (rolling): its triggers first, then what it added")
      .option("--max-count <n>", "migrate phase: stop backfills after N rows")
      .option("--dry-run", "read where the database is, print the plan and its SQL, change nothing")
      .option("--sql", "print the SQL instead of running it (VERSION may be START:END)")
      .option("--dialect <dialect>", "dialect of --sql output (default: from the URL)"),
    () => import("./commands/sync.js"),
  );
  define(
    program
      .command("version")
      .alias("db_version")
      .description("print the database's applied version number (numbered) or id; tidemark's own: --version"),
    () => import("./commands/version.js"),
  );
  define(
    program
      .command("diff")
      .description("compare the declared schema with the database: exit 0 equal, 3 different")
      .option("--sql", "print the dialect's SQL instead of op calls"),
    () => import("./commands/diff.js"),
  );
  define(
    program.command("check").alias("check_migration").description("check graphs, checksums and phase rules"),
    () => import("./commands/check.js"),
  );
  define(
    program
      .command("lint [ranges...]")
      .description("the phase rules and the lock and rewrite rules over the scripts, without a database: exit 3 on an error")
      .option("--dialect <dialect>", "read the scripts as this dialect's SQL (default: from the URL)"),
    () => import("./commands/lint.js"),
  );
  define(
    program.command("validate").description("compare applied checksums with the scripts"),
    () => import("./commands/validate.js"),
  );
  define(
    program.command("repair").description("clear a running/failed step after fixing the database by hand"),
    () => import("./commands/repair.js"),
  );

  try {
    await program.parseAsync(rawArgs, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.exitCode === 0) {
        return 0;
      }
      if (error.code === "commander.help") {
        // No command given (bare `tidemark`): the help is what was asked for, on stdout.
        program.outputHelp();
        return 0;
      }
      const message = error.message.replace(/^error: /, "");
      const out = new Output({ json: wantsJson, quiet: false, verbose: false, color: colorWanted(undefined) });
      return out.error(new UsageError(`${message} (see \`tidemark --help\`)`));
    }
    const out =
      context?.out ??
      new Output({ json: wantsJson, quiet: false, verbose: argv.includes("--verbose"), color: colorWanted(undefined) });
    exitCode = out.error(error);
  } finally {
    try {
      await context?.close();
    } catch {
      // Closing a broken connection must not hide the real outcome.
    }
  }
  return exitCode;
}
