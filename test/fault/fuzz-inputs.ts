/**
 * The fuzz suite's inputs (fuzz.test.ts): targets, database URLs, config
 * files and script headers, each with the library call and the CLI
 * arguments that try it. Generated from a seeded Random, so a seed replays.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Tidemark } from "../../src/api/tidemark.js";
import type { Random } from "./fault-harness.js";

/** One fuzzed input: what it is (for the failure message), the library call, and the CLI arguments. */
export interface FuzzInput {
  readonly family: string;
  readonly shown: string;
  readonly run: () => Promise<unknown>;
  readonly cli: readonly string[];
  /** Undoes a change the input made to the project (a rewritten script header). */
  readonly restore?: () => void;
}

export const IDS = ["aaaaaaaaaaa1", "bbbbbbbbbbb2", "ccccccccccc3"] as const;

/** Opens the library as the CLI would and runs `work`, always closing. */
export async function withTidemark<T>(
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

function urlInput(random: Random, dir: string, url: string, servers: readonly URL[]): FuzzInput {
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
    const server = servers.length > 0 && random.chance(0.6) ? random.pick(servers) : undefined;
    // Loopback only: a fuzzed host name would wait on DNS, which is not what is tested here.
    const host = random.pick(["127.0.0.1", "localhost", "[::1]", ""]);
    const port =
      server !== undefined && random.chance(0.6) ? server.port : random.pick(["", "1", "9", "65535", "99999", "-1", "x"]);
    // Fuzzed user and password text never holds "@", "#", "/", "?" or "\\": those end the user
    // part early, and the host would be read from the fuzz ("mysql://83#…" waits on host 83).
    const inUserInfo = (text: string) => text.replace(/[@#/?\\]/g, "");
    const user = random.pick(["", "root", "postgres", inUserInfo(oddText(random, 6))]);
    const password = random.chance(0.5)
      ? `:${random.pick(["s3cret", "p@ss:w/rd", "%40%3A", inUserInfo(oddText(random, 8))])}`
      : "";
    const database = random.pick(["", "/", "/postgres", "/mysql", "/no_such_db", `/${oddText(random, 8)}`]);
    const query = random.chance(0.5)
      ? `?${random.pick(["sslmode=bogus", "sslmode=require", "schema=x", "connect_timeout=1", "charset=bogus", "options=-c%20x", "application_name=%00", `${oddText(random, 4)}=${oddText(random, 4)}`])}`
      : "";
    let tail = `${database}${query}`;
    // Damage only after the host: a damaged host would wait on DNS or an unroutable address.
    // (No "@" or "#" either: the host would be read from the damage.)
    if (random.chance(0.15)) tail = damage(random, tail).replace(/[@#]/g, "");
    // A MySQL client on PostgreSQL's port waits for a greeting that never comes, up to the connect
    // timeout (10 s by default, the hang limit itself): such a pair gets a short one, after any damage.
    const mismatched = server !== undefined && port === server.port && !scheme.startsWith(server.protocol.slice(0, 2));
    // (Without "#": the fuzzed query may hold one, and after it the timeout would be a fragment.)
    if (mismatched) tail = `${tail.replace(/#/g, "")}${tail.includes("?") ? "&" : "?"}connect_timeout=1`;
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

/** The project the inputs act on: its folder, its database URL, and the live servers' admin URLs. */
export interface FuzzContext {
  readonly dir: string;
  readonly url: string;
  readonly servers: readonly URL[];
}

export function nextInput(random: Random, context: FuzzContext, n: number): FuzzInput {
  const { dir, url } = context;
  const family = random.pick(["target", "target", "url", "config", "header"] as const);
  if (family === "target") return targetInput(random, dir, url);
  if (family === "url") return urlInput(random, dir, url, context.servers);
  if (family === "config") return configInput(random, dir, url, n);
  return headerInput(random, dir, url);
}
