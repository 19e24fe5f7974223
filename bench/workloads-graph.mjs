// Workload 3: read-only commands and offline SQL on big graph-scheme
// repositories (2,000 and 20,000 revisions), to see both speed and growth.
import { graphId, graphRevisions, writeGraphProject } from "./fixtures.mjs";
import { childEnv, emit, nodeFloor, round, sample, sleep, tempDir, tidemark } from "./lib.mjs";

const SIZES = [2000, 20000];

/** The header cache ignores files changed in the last 3 s ("racily clean"); wait that out once. */
const RACY_WINDOW_MS = 3500;

let projects;
async function graphProjects() {
  if (projects === undefined) {
    const started = Date.now();
    projects = new Map();
    for (const size of SIZES) {
      const dir = tempDir(`graph-${size}`);
      writeGraphProject(dir, size);
      const revisions = graphRevisions(size);
      projects.set(size, { dir, size, head: revisions[revisions.length - 1].id, root: graphId(`g${size}`, 0) });
    }
    await sleep(Math.max(0, RACY_WINDOW_MS - (Date.now() - started)));
  }
  return projects;
}

const COMMANDS = {
  heads: {
    args: ["heads"],
    target: 300,
    verify: (out, p) => out.includes(p.head) && out.trim().split("\n").length === 1,
  },
  history: {
    args: ["history"],
    target: 300,
    verify: (out, p) => out.trim().split("\n").length >= p.size && out.includes(p.root),
  },
  check: { args: ["check"], target: 300, verify: (out) => out.startsWith("OK") },
  "upgrade-sql": {
    args: ["upgrade", "head", "--sql"],
    target: 1000,
    verify: (out, p) => out.split("COMMIT;").length - 1 === p.size && out.includes(`'${p.head}'`),
  },
};

function measure(name, project, runs) {
  const spec = COMMANDS[name];
  const offline = name === "upgrade-sql";
  // Each measurement has its own TMPDIR, where tidemark's caches live (the
  // projects have no node_modules). First nothing cached (TIDEMARK_NO_CACHE);
  // then an untimed run fills the caches and the timed runs use them.
  const cacheDir = tempDir(`cache-${name}-${project.size}`);
  const nocache = sample(offline ? 1 : 3, () => {
    const env = childEnv({ TIDEMARK_NO_CACHE: "1", TMPDIR: cacheDir });
    return tidemark(spec.args, { cwd: project.dir, env }).ms;
  });
  const env = childEnv({ TMPDIR: cacheDir });
  // An untimed run fills the caches and checks the output.
  const { stdout } = tidemark(spec.args, { cwd: project.dir, env, stdout: "pipe" });
  if (!spec.verify(stdout, project)) {
    throw new Error(`${name} on ${project.size} revisions printed unexpected output: ${stdout.slice(0, 300)}`);
  }
  const warm = sample(runs, () => tidemark(spec.args, { cwd: project.dir, env }).ms);
  return { median_ms: warm.median_ms, min_ms: warm.min_ms, runs: warm.runs, nocache_ms: nocache.median_ms };
}

export function graphWorkload(name) {
  return async ({ runs }) => {
    const all = await graphProjects();
    const spec = COMMANDS[name];
    const count = runs ?? (name === "upgrade-sql" ? 3 : 5);
    const small = measure(name, all.get(SIZES[0]), count);
    const big = measure(name, all.get(SIZES[1]), count);
    emit({
      bench: `${name}-graph`,
      revisions: SIZES[1],
      ...big,
      small: { revisions: SIZES[0], median_ms: small.median_ms, nocache_ms: small.nocache_ms },
      ratio: round(big.median_ms / small.median_ms),
      nocache_ratio: round(big.nocache_ms / small.nocache_ms),
      target_ms: spec.target,
      floor: nodeFloor(),
      ok: big.median_ms <= spec.target && big.median_ms / small.median_ms <= 10,
      nocache_ok: big.nocache_ms <= spec.target,
    });
  };
}
