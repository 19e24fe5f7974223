// Shared helpers of `npm run bench`: options, child-process timing, medians,
// temp folders and the one-JSON-line-per-workload output.
import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
export const CLI = join(ROOT, "dist", "cli", "tidemark.cjs");

/**
 * Children run without NODE_EXTRA_CA_CERTS: on the bench machine it costs
 * ~40 ms per node start-up, which would swamp a 60 ms budget. The header
 * cache stays on (its default) unless a workload asks otherwise.
 */
let cacheDir;
/** Children get a private TMPDIR, so tidemark's caches (and its V8 code cache) are the bench's own. */
export function setCacheDir(dir) {
  cacheDir = dir;
}

export function childEnv(extra = {}) {
  const env = { ...process.env, ...(cacheDir === undefined ? {} : { TMPDIR: cacheDir }), ...extra };
  delete env.NODE_EXTRA_CA_CERTS;
  delete env.NODE_OPTIONS;
  env.NO_COLOR = "1";
  return env;
}

export function parseArgs(argv) {
  const options = { only: undefined, runs: undefined, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes("=") ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = () => inline ?? argv[++i];
    if (flag === "--only")
      options.only = new Set(
        value()
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean),
      );
    else if (flag === "--runs") {
      options.runs = Number.parseInt(value(), 10);
      if (!(options.runs > 0)) throw new Error(`--runs needs a positive integer`);
    } else if (flag === "--keep") options.keep = true;
    else if (flag === "--help" || flag === "-h") options.help = true;
    else throw new Error(`unknown option ${arg} (use --only a,b --runs N --keep)`);
  }
  return options;
}

/** Runs one command to completion and returns its wall time in ms; a non-zero exit is fatal. */
export function timeCommand(command, args, { cwd, env, stdinFile, allowFail = false, stdout = "ignore" } = {}) {
  // Like `command < file`: the child reads the file itself, no pipe in between.
  const stdin = stdinFile === undefined ? "ignore" : openSync(stdinFile, "r");
  const started = performance.now();
  const result = spawnSync(command, args, {
    cwd,
    env: env ?? childEnv(),
    stdio: [stdin, stdout === "ignore" ? "ignore" : "pipe", "pipe"],
    maxBuffer: 1 << 30,
  });
  const ms = performance.now() - started;
  if (typeof stdin === "number") closeSync(stdin);
  if (result.error) throw result.error;
  if (result.status !== 0 && !allowFail) {
    const stderr = String(result.stderr ?? "")
      .trim()
      .slice(0, 2000);
    throw new Error(`${command} ${args.join(" ")} (in ${cwd}) exited with ${result.status}: ${stderr}`);
  }
  return { ms, status: result.status, stdout: result.stdout === null ? "" : String(result.stdout ?? "") };
}

export function tidemark(args, options = {}) {
  return timeCommand(process.execPath, [CLI, ...args], options);
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export const round = (ms) => Math.round(ms * 10) / 10;

/**
 * Medians of paired runs and the median of the per-run ratios: each run
 * times tidemark and its baseline back to back, so a slow spell of a shared
 * disk or CPU hits both sides of one ratio rather than skewing one median.
 */
export function pairStats(ours, theirs) {
  const ratios = ours.map((ms, i) => ms / theirs[i]);
  return {
    median_ms: round(median(ours)),
    baseline_ms: round(median(theirs)),
    ratio: Math.round(median(ratios) * 100) / 100,
    ratios: ratios.map((r) => Math.round(r * 100) / 100),
  };
}

/**
 * The median of `runs` timed runs. `prepare` runs before each measurement,
 * untimed (fresh databases); `warmup` runs are discarded (page cache and
 * tidemark's caches).
 */
export function sample(runs, measure, { prepare, warmup = 0 } = {}) {
  const times = [];
  for (let i = 0; i < warmup + runs; i++) {
    const state = prepare?.(i);
    const ms = measure(state, i);
    if (i >= warmup) times.push(ms);
  }
  return { median_ms: round(median(times)), min_ms: round(Math.min(...times)), runs: times.length };
}

export async function sampleAsync(runs, measure, { prepare, cleanup, warmup = 0 } = {}) {
  const times = [];
  for (let i = 0; i < warmup + runs; i++) {
    const state = await prepare?.(i);
    try {
      const ms = await measure(state, i);
      if (i >= warmup) times.push(ms);
    } finally {
      await cleanup?.(state);
    }
  }
  return { median_ms: round(median(times)), min_ms: round(Math.min(...times)), runs: times.length };
}

let floorCache;
/** `node -e ""` start-up: the least any tidemark command can cost. */
export function nodeFloor(runs = 15) {
  if (floorCache === undefined) {
    const result = sample(runs, () => timeCommand(process.execPath, ["-e", ""]).ms, { warmup: 2 });
    floorCache = { name: 'node -e ""', median_ms: result.median_ms, runs: result.runs };
  }
  return floorCache;
}

export function emit(line) {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

/** A note for a skipped or failed workload, still one JSON line. */
export function note(bench, message, extra = {}) {
  emit({ bench, skipped: true, note: message, ...extra });
}

const made = [];
export function tempDir(label, base = tmpdir()) {
  const dir = mkdtempSync(join(base, `tidemark-bench-${label}-`));
  made.push(dir);
  return dir;
}

export function tempDirs() {
  return [...made];
}

export function removeTempDirs() {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Whether a command-line tool is installed (sqlite3, psql, mariadb). */
export function hasTool(name) {
  const result = spawnSync(name, ["--version"], { stdio: "ignore", env: childEnv() });
  return result.error === undefined && result.status === 0;
}

/** A RAM-backed folder (Linux /dev/shm), to time SQLite without fsync; undefined when there is none. */
export function ramDir(label) {
  try {
    return statSync("/dev/shm").isDirectory() ? tempDir(label, "/dev/shm") : undefined;
  } catch {
    return undefined;
  }
}

export function sleep(ms) {
  return new Promise((done) => setTimeout(done, ms));
}
