/**
 * Fault suite (issue 12): a seeded fuzz of targets, database URLs, config
 * files and script headers — 1,000 inputs through the library in-process
 * (10,000 with TIDEMARK_FAULT_LONG=1), a sample of them through the CLI.
 * Every input ends in a result or a TidemarkError (never "a bug in
 * tidemark"), within 10 s, with no stack trace in what it prints, and the
 * database at head is left byte for byte as it was. The seed is printed;
 * TIDEMARK_FAULT_SEED replays a run.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Tidemark } from "../../src/api/tidemark.js";
import { TidemarkError, messageOf } from "../../src/errors.js";
import { runCli } from "../helpers/cli.js";
import { MYSQL_ADMIN_URL, PG_ADMIN_URL, testDialects } from "../helpers/databases.js";
import { makeProject, removeProjects, sqlRevision } from "../helpers/project.js";
import { Random, SIZE, faultSeed } from "./fault-harness.js";

const dialects = await testDialects();
const seed = faultSeed("fuzz");
const HANG_MS = 10_000;
/**
 * A silent peer (a MySQL client on PostgreSQL's port waits for a greeting
 * that never comes) is bounded by the connect timeout, 10 s by default: the
 * one wait allowed to reach the hang limit, if it ends with that error soon.
 */
const CONNECT_TIMEOUT_SLACK_MS = 2_000;
const CONNECT_TIMED_OUT = /^Cannot connect to .*: no answer within 10 s/;

afterAll(removeProjects);

/** One fuzzed input: what it is (for the failure message), the library call, and the CLI arguments. */
interface FuzzInput {
  readonly family: string;
  readonly shown: string;
  readonly run: () => Promise<unknown>;
  readonly cli: readonly string[];
  /** Undoes a change the input made to the project (a rewritten script header). */
  readonly restore?: () => void;
}

const IDS = ["aaaaaaaaaaa1", "bbbbbbbbbbb2", "ccccccccccc3"] as const;

/** A graph-scheme project at head on SQLite: three revisions, applied. */
async function projectAtHead(): Promise<{ dir: string; db: string; url: string }> {
  const dir = makeProject({
    [`migrations/${IDS[0]}_one.sql`]: sqlRevision(IDS[0], null, "CREATE TABLE t1 (id INTEGER);", "DROP TABLE t1;"),
    [`migrations/${IDS[1]}_two.sql`]: sqlRevision(IDS[1], IDS[0], "CREATE TABLE t2 (id INTEGER);", "DROP TABLE t2;"),
    [`migrations/${IDS[2]}_three.sql`]: sqlRevision(IDS[2], IDS[1], "CREATE TABLE t3 (id INTEGER);", "DROP TABLE t3;"),
  });
  const db = join(dir, "tidemark.db");
  const url = `sqlite:${db}`;
  const tidemark = await Tidemark.open({ cwd: dir, url, env: {} });
  try {
    await tidemark.upgrade("head");
  } finally {
    await tidemark.close();
  }
  return { dir, db, url };
}

/** Opens the library as the CLI would and runs `work`, always closing. */
async function withTidemark<T>(
  options: Parameters<typeof Tidemark.open>[0],
  work: (tidemark: Tidemark) => Promise<T>,
): Promise<T> {
  const tidemark = await Tidemark.open({ env: {}, ...options });
  try {
    return await work(tidemark);
  } finally {
    await tidemark.close();
  }
}

const ODD = [
  "",
  " ",
  "\n",
  "\t",
  "'",
  '"',
  "`",
  ";",
  "--",
  "%",
  "%zz",
  "%00",
  "\u0000",
  "é",
  "🎉",
  "\uFEFF",
  "\\",
  "/",
  ":",
  "@",
];

function oddText(random: Random, max = 12): string {
  let text = "";
  const length = random.int(0, max);
  for (let i = 0; i < length; i += 1) {
    text += random.chance(0.3) ? random.pick(ODD) : String.fromCharCode(random.int(32, 126));
  }
  return text;
}

/** A few characters replaced by odd ones at a random place. */
function damage(random: Random, text: string): string {
  const at = random.int(0, text.length);
  return text.slice(0, at) + oddText(random, 3) + text.slice(at + random.int(0, 2));
}

function targetInput(random: Random, dir: string, url: string): FuzzInput {
  const tokens = [
    "head",
    "heads",
    "base",
    "current",
    "0",
    "1",
    "3",
    "+1",
    "-1",
    "+99",
    "-99",
    "head-1",
    "head+1",
    "1+1",
    "@",
    "core@head",
    "x@head",
    ...IDS,
    IDS[1].slice(0, 4),
    "a",
    "b",
    ":",
    "..",
    "9999999999999999999999",
    "1e3",
    "0x1",
    "NaN",
  ];
  const parts = Array.from({ length: random.int(1, 3) }, () => (random.chance(0.8) ? random.pick(tokens) : oddText(random, 6)));
  const target = parts.join(random.pick(["", "", "@", ":", "+", "-", " "]));
  const command = random.pick(["upgrade", "show", "history", "sql"] as const);
  const run = (): Promise<unknown> =>
    withTidemark({ cwd: dir, url }, async (tidemark) => {
      if (command === "upgrade") return tidemark.upgrade(target);
      if (command === "show") return tidemark.show(target);
      if (command === "history") return tidemark.history({ range: target.includes(":") ? target : `${target}:` });
      return tidemark.renderSql("upgrade", target);
    });
  const cli =
    command === "sql"
      ? ["upgrade", target, "--sql", "--url", url]
      : command === "history"
        ? ["history", "-r", target.includes(":") ? target : `${target}:`, "--url", url]
        : [command, target, "--url", url];
  return { family: "target", shown: `${command} ${JSON.stringify(target)}`, run, cli };
}

function urlInput(random: Random, dir: string, url: string): FuzzInput {
  const scheme = random.pick([
    "sqlite",
    "postgres",
    "postgresql",
    "postgresql+psycopg2",
    "mysql",
    "mysql+pymysql",
    "mariadb",
    "oracle",
    "mongodb",
    "",
    "sqlite3",
    oddText(random, 5),
  ]);
  let text: string;
  if (scheme.startsWith("sqlite") && random.chance(0.7)) {
    const path = random.pick([
      url.slice("sqlite:".length),
      ":memory:",
      "/",
      "/proc/x.db",
      "/dev/null",
      "missing/x.db",
      oddText(random),
    ]);
    text = `${scheme}:${random.chance(0.3) ? "///" : ""}${path}`;
  } else {
    const servers = [
      ...(dialects.includes("postgres") ? [new URL(PG_ADMIN_URL)] : []),
      ...(dialects.includes("mysql") ? [new URL(MYSQL_ADMIN_URL)] : []),
    ];
    const server = servers.length > 0 && random.chance(0.6) ? random.pick(servers) : undefined;
    // Loopback only: a fuzzed host name would wait on DNS, which is not what is tested here.
    const host = random.pick(["127.0.0.1", "localhost", "[::1]", ""]);
    const port =
      server !== undefined && random.chance(0.6) ? server.port : random.pick(["", "1", "9", "65535", "99999", "-1", "x"]);
    const user = random.pick(["", "root", "postgres", oddText(random, 6)]);
    const password = random.chance(0.5) ? `:${random.pick(["s3cret", "p@ss:w/rd", "%40%3A", oddText(random, 8)])}` : "";
    const database = random.pick(["", "/", "/postgres", "/mysql", "/no_such_db", `/${oddText(random, 8)}`]);
    let query = random.chance(0.5)
      ? `?${random.pick(["sslmode=bogus", "sslmode=require", "schema=x", "connect_timeout=1", "charset=bogus", "options=-c%20x", "application_name=%00", `${oddText(random, 4)}=${oddText(random, 4)}`])}`
      : "";
    // A MySQL client on PostgreSQL's port waits for a greeting that never comes, up to the connect
    // timeout (10 s by default, the hang limit itself): such a pair gets a short one.
    const mismatched = server !== undefined && port === server.port && !scheme.startsWith(server.protocol.slice(0, 2));
    if (mismatched) query = `${query === "" ? "?" : `${query}&`}connect_timeout=1`;
    let tail = `${database}${query}`;
    // Damage only after the host: a damaged host would wait on DNS or an unroutable address.
    if (random.chance(0.15)) tail = damage(random, tail);
    text = `${scheme}://${user}${password}${user === "" && password === "" ? "" : "@"}${host}${port === "" ? "" : `:${port}`}${tail}`;
  }
  if (scheme.startsWith("sqlite") && random.chance(0.15)) text = damage(random, text);
  // Read-only commands: a fuzzed URL may name any database, none of which may change.
  const command = random.pick(["current", "history", "check"] as const);
  const run = (): Promise<unknown> =>
    withTidemark<unknown>({ cwd: dir, url: text }, (tidemark) =>
      command === "current" ? tidemark.current() : command === "history" ? tidemark.history() : tidemark.check(),
    );
  return { family: "url", shown: `${command} --url ${JSON.stringify(text)}`, run, cli: [command, "--url", text] };
}

function configInput(random: Random, dir: string, url: string, n: number): FuzzInput {
  const values = () =>
    random.pick<unknown>([
      null,
      true,
      0,
      -1,
      1e309,
      "",
      "migrations",
      "no_such_folder",
      url,
      "oracle://scott:tiger@h/x",
      "postgresql://u:p@127.0.0.1:1/x",
      oddText(random),
      "x".repeat(random.int(0, 3) * 50_000),
      [],
      ["core"],
      {},
      { core: { path: "migrations" } },
      { core: { path: oddText(random) } },
      { [oddText(random, 4)]: { path: "migrations", extension: "maybe" } },
      { __proto__: { polluted: true } },
    ]);
  const keys = [
    "url",
    "repositories",
    "versionTable",
    "schema",
    "dbSchema",
    "lockTimeout",
    "statementTimeout",
    "language",
    "__proto__",
    "constructor",
    oddText(random, 6),
  ];
  let file: string;
  let text: string;
  if (random.chance(0.7)) {
    const config: Record<string, unknown> = { url, repositories: { core: { path: "migrations" } } };
    for (let i = random.int(1, 3); i > 0; i -= 1) {
      const key = random.pick(keys);
      if (random.chance(0.2)) delete config[key];
      else Object.defineProperty(config, key, { value: values(), enumerable: true, configurable: true, writable: true });
    }
    text = JSON.stringify(config);
    if (random.chance(0.15)) text = text.slice(0, random.int(0, text.length));
    if (random.chance(0.1)) text = `\uFEFF${text}`;
    file = `cfg-${n}.json`;
  } else {
    const lines = [
      "[database]",
      `connection = ${url}`,
      `url = ${url}`,
      "[repository:core]",
      "path = migrations",
      "[tidemark]",
      `lock_timeout = ${random.pick(["5", "-1", "x", ""])}`,
      `statement_timeout = ${random.pick(["0", "30", "-2", "soon"])}`,
      "version_table = tm-version",
      "[DEFAULT]",
      "  continued",
      "no equals sign here",
      "= value without key",
      oddText(random, 20),
      "x".repeat(random.int(0, 2) * 70_000),
    ];
    text = Array.from({ length: random.int(1, 8) }, () => random.pick(lines)).join(random.pick(["\n", "\r\n"]));
    file = `cfg-${n}.${random.pick(["ini", "conf", "cfg"])}`;
  }
  writeFileSync(join(dir, file), text);
  const command = random.pick(["current", "upgrade", "check"] as const);
  const run = (): Promise<unknown> =>
    withTidemark<unknown>({ cwd: dir, configFiles: [file] }, (tidemark) =>
      command === "current" ? tidemark.current() : command === "upgrade" ? tidemark.upgrade("head") : tidemark.check(),
    );
  return {
    family: "config",
    shown: `${command} --config ${file}: ${JSON.stringify(text.slice(0, 200))}`,
    run,
    cli: [command, "--config", file],
  };
}

function headerInput(random: Random, dir: string, url: string): FuzzInput {
  const which = random.int(0, 2);
  const file = join(dir, "migrations", [`${IDS[0]}_one.sql`, `${IDS[1]}_two.sql`, `${IDS[2]}_three.sql`][which] as string);
  const original = readFileSync(file, "utf8");
  const header = [
    `-- revision: ${random.pick([...IDS, "", "dup", oddText(random, 14), IDS[which] as string])}`,
    `-- revises: ${random.pick(["", "null", ...IDS, "(aaaaaaaaaaa1, bbbbbbbbbbb2)", "[x, y]", oddText(random, 10)])}`,
    `-- message: ${oddText(random, 20)}`,
    random.pick(["", "-- transactional: maybe", "-- transactional: false", "-- depends_on: zzz", "-- branch_labels: a b", "--"]),
    random.pick(["-- +upgrade", "-- +upgrade", "-- +UPGRADE", "", "-- +upgrade\n-- +upgrade"]),
    random.pick(["CREATE TABLE t9 (id INTEGER);", "", oddText(random, 30), "\u0000"]),
  ].filter(() => random.chance(0.9));
  const text = `${random.chance(0.1) ? "\uFEFF" : ""}${header.join(random.pick(["\n", "\r\n"]))}\n`;
  writeFileSync(file, text);
  // Read-only and offline commands: a header fuzzed into a valid new revision would rightly be applied.
  const command = random.pick(["check", "history", "heads", "sql", "validate"] as const);
  const run = (): Promise<unknown> =>
    withTidemark({ cwd: dir, url }, async (tidemark) => {
      if (command === "check") return tidemark.check();
      if (command === "history") return tidemark.history();
      if (command === "heads") return tidemark.heads();
      if (command === "validate") return tidemark.validate();
      return tidemark.renderSql("upgrade", "head");
    });
  const cli = command === "sql" ? ["upgrade", "head", "--sql", "--url", url] : [command, "--url", url];
  return {
    family: "header",
    shown: `${command} with ${file}: ${JSON.stringify(text.slice(0, 200))}`,
    run,
    cli,
    restore: () => writeFileSync(file, original),
  };
}

function nextInput(random: Random, dir: string, url: string, n: number): FuzzInput {
  const family = random.pick(["target", "target", "url", "config", "header"] as const);
  if (family === "target") return targetInput(random, dir, url);
  if (family === "url") return urlInput(random, dir, url);
  if (family === "config") return configInput(random, dir, url, n);
  return headerInput(random, dir, url);
}

/** Runs one input in-process: a result or a TidemarkError, in time, without a stack in its message. */
async function runInProcess(input: FuzzInput): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<"hang">((resolve) => {
    timer = setTimeout(() => resolve("hang"), HANG_MS + CONNECT_TIMEOUT_SLACK_MS);
  });
  const started = performance.now();
  try {
    const outcome = await Promise.race([
      input.run().then(
        () => "ok" as const,
        (error: unknown) => error,
      ),
      hang,
    ]);
    const late = performance.now() - started > HANG_MS;
    if (outcome === "hang") return `did not finish within ${HANG_MS / 1000} s`;
    if (late && !(outcome instanceof TidemarkError && CONNECT_TIMED_OUT.test(outcome.message))) {
      return `took ${Math.round(performance.now() - started)} ms`;
    }
    if (outcome === "ok") return undefined;
    if (!(outcome instanceof TidemarkError)) return `not a TidemarkError (a bug in tidemark): ${String(outcome)}`;
    if (/\n\s+at /.test(outcome.message)) return `a stack trace in the message: ${outcome.message}`;
    if (![1, 2, 3].includes(outcome.exitCode)) return `exit code ${outcome.exitCode}: ${messageOf(outcome)}`;
    return undefined;
  } finally {
    clearTimeout(timer);
    input.restore?.();
  }
}

describe("seeded fuzz of targets, URLs, configs and headers", () => {
  it(`${SIZE.fuzzInProcess} inputs in-process and ${SIZE.fuzzCli} through the CLI: no stack, no hang over 10 s, the database unchanged`, async () => {
    const random = new Random(seed);
    const { dir, db, url } = await projectAtHead();
    const before = readFileSync(db);
    const failures: string[] = [];
    const counts = new Map<string, number>();
    const sampleEvery = Math.max(1, Math.floor(SIZE.fuzzInProcess / SIZE.fuzzCli));
    let cliRuns = 0;
    for (let n = 0; n < SIZE.fuzzInProcess; n += 1) {
      const input = nextInput(random, dir, url, n);
      counts.set(input.family, (counts.get(input.family) ?? 0) + 1);
      // A command line cannot hold a NUL character: such inputs are for the library only.
      const cliable = input.cli.every((arg) => !arg.includes("\u0000"));
      if (cliable && cliRuns < SIZE.fuzzCli && cliRuns * sampleEvery <= n) {
        cliRuns += 1;
        // The same input through the CLI, before the library run restores a rewritten header.
        const result = await runCli(input.cli, {
          cwd: dir,
          env: { DATABASE_URL: undefined },
          timeoutMs: HANG_MS + CONNECT_TIMEOUT_SLACK_MS,
        });
        if (![0, 1, 2, 3].includes(result.code)) failures.push(`#${n} CLI exit ${result.code}: ${input.shown}\n${result.stderr}`);
        if (/\n\s+at |This is a bug in tidemark/.test(result.stderr))
          failures.push(`#${n} CLI stack: ${input.shown}\n${result.stderr}`);
      }
      const problem = await runInProcess(input);
      if (problem !== undefined) failures.push(`#${n} ${input.family}: ${input.shown} → ${problem}`);
      if (!readFileSync(db).equals(before)) {
        failures.push(`#${n} ${input.family}: ${input.shown} → the database changed`);
        break;
      }
      if (failures.length >= 10) break;
    }
    console.warn(
      `fuzz (seed ${seed}): ${[...counts].map(([family, count]) => `${count} ${family}`).join(", ")}; ${cliRuns} through the CLI`,
    );
    expect(failures, `seed ${seed}`).toEqual([]);
  }, 600_000);
});
