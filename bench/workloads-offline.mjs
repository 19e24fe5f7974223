// Workload (issue 19): `upgrade head --sql` on graph repositories whose
// scripts are all TypeScript, 2,000 and 20,000 revisions — the case where
// every script is compiled and run to render it. Targets: ≤ 1,000 ms and
// ≤ 150 MB max RSS at 20,000, and memory flat in the number of revisions
// (scripts are checked, then loaded, rendered and let go one step at a
// time). `heads` on the same repository is reported beside it: the graph
// and header cache every command holds, a floor under the RSS.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { graphRevisions, writeGraphProject } from "./fixtures.mjs";
import { CLI, childEnv, emit, median, round, sleep, tempDir, timeCommand } from "./lib.mjs";

const SIZES = [2000, 20000];
const TARGET_MS = 1000;
const TARGET_RSS_KB = 150 * 1024;
const TIME = "/usr/bin/time";
/** The header cache ignores files changed in the last 3 s ("racily clean"); wait that out once. */
const RACY_WINDOW_MS = 3500;

/** Wall time, CPU time (user + system) and peak RSS of one tidemark command; CPU and RSS are null without GNU time. */
function timed(args, cwd, env) {
  if (!existsSync(TIME)) return { ...timeCommand(process.execPath, [CLI, ...args], { cwd, env }), cpuMs: null, rssKb: null };
  const out = join(cwd, `.time-${process.pid}`);
  const result = timeCommand(TIME, ["-o", out, "-f", "%U %S %M", process.execPath, CLI, ...args], { cwd, env });
  const [user, system, rss] = readFileSync(out, "utf8").trim().split("\n").pop().split(" ").map(Number);
  return { ms: result.ms, cpuMs: (user + system) * 1000, rssKb: rss };
}

function measure(dir, size, runs) {
  const env = childEnv({ TMPDIR: tempDir(`cache-sql-ts-${size}`) });
  const args = ["upgrade", "head", "--sql"];
  // An untimed run fills the caches (file cache, V8 code cache) and checks the output.
  const { stdout } = timeCommand(process.execPath, [CLI, ...args], { cwd: dir, env, stdout: "pipe" });
  const revisions = graphRevisions(size);
  const head = revisions[revisions.length - 1].id;
  if (stdout.split("COMMIT;").length - 1 !== size || !stdout.includes(`'${head}'`)) {
    throw new Error(`upgrade --sql on ${size} .ts revisions printed unexpected output: ${stdout.slice(0, 300)}`);
  }
  const samples = Array.from({ length: runs }, () => timed(args, dir, env));
  const heads = timed(["heads"], dir, env);
  const rss = samples.map((s) => s.rssKb).filter((kb) => kb !== null);
  return {
    median_ms: round(median(samples.map((s) => s.ms))),
    cpu_ms: rss.length === 0 ? null : round(median(samples.map((s) => s.cpuMs))),
    max_rss_kb: rss.length === 0 ? null : Math.max(...rss),
    heads_rss_kb: heads.rssKb,
    runs,
  };
}

export async function upgradeSqlTs({ runs }) {
  const started = Date.now();
  const dirs = SIZES.map((size) => {
    const dir = tempDir(`graph-ts-${size}`);
    writeGraphProject(dir, size, { tsEvery: 1 });
    return dir;
  });
  await sleep(Math.max(0, RACY_WINDOW_MS - (Date.now() - started)));
  const count = runs ?? 3;
  const small = measure(dirs[0], SIZES[0], count);
  const big = measure(dirs[1], SIZES[1], count);
  const memoryRatio = big.max_rss_kb === null ? null : round(big.max_rss_kb / small.max_rss_kb);
  emit({
    bench: "upgrade-sql-ts",
    revisions: SIZES[1],
    ...big,
    small: { revisions: SIZES[0], median_ms: small.median_ms, cpu_ms: small.cpu_ms, max_rss_kb: small.max_rss_kb },
    ratio: round(big.median_ms / small.median_ms),
    memory_ratio: memoryRatio,
    target_ms: TARGET_MS,
    target_rss_kb: TARGET_RSS_KB,
    ok: big.median_ms <= TARGET_MS && (big.max_rss_kb === null || big.max_rss_kb <= TARGET_RSS_KB),
    // Flat: ten times the revisions, at most half as much memory again (the graph itself grows with them).
    memory_ok: memoryRatio === null || memoryRatio <= 1.5,
  });
}
