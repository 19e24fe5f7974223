// Summarises `node --cpu-prof` output of the bundled CLI: top functions by
// self and by inclusive time, each named with the src/ module it came from
// (esbuild writes a `// src/…` comment before each bundled module).
//   node bench/profile.mjs PROFILE.cpuprofile [--top N]
//   node bench/profile.mjs --run DIR -- upgrade head   (profiles one CLI run in DIR)
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { SourceMap } from "node:module";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { CLI, childEnv } from "./lib.mjs";

/** The bundle's source map (esbuild writes `<bundle>.map`), to name src/ files even in minified code. */
const maps = new Map();
function sourceMapOf(path) {
  if (!maps.has(path)) {
    let map;
    try {
      // Only the map the file itself names (a stale map beside it would mislead).
      const named = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(readFileSync(path, "utf8").slice(-500));
      if (named !== null) map = new SourceMap(JSON.parse(readFileSync(join(dirname(path), named[1]), "utf8")));
    } catch {
      map = undefined;
    }
    maps.set(path, map);
  }
  return maps.get(path);
}

/** "src/x.ts:line" or "~package/file" or a node: module, for one call frame. */
function where(frame) {
  const url = frame.url ?? "";
  if (url === "") return "(native)";
  const path = url.startsWith("file:") ? fileURLToPath(url) : url;
  const map = path.includes("/dist/") ? sourceMapOf(path) : undefined;
  if (map !== undefined) {
    const entry = map.findEntry(frame.lineNumber, frame.columnNumber);
    if (entry?.originalSource) {
      const source = entry.originalSource.replace(/^(file:\/\/)?(\.\.\/)*/, "").replace(/^.*?node_modules\//, "~");
      return { source, name: entry.name, at: `${source}:${entry.originalLine + 1}` };
    }
  }
  const nm = path.lastIndexOf("node_modules/");
  if (nm >= 0)
    return `~${path
      .slice(nm + 13)
      .split("/")
      .slice(0, 3)
      .join("/")}`;
  return path.startsWith("node:") ? path : basename(path);
}

function describe(frame) {
  const place = where(frame);
  if (typeof place === "string") return { key: `${frame.functionName || "(anonymous)"}  ${place}`, source: place };
  // Minified names are one or two letters; the map's name (or the position) says more.
  const name = frame.functionName.length > 2 ? frame.functionName : (place.name ?? frame.functionName) || "(anonymous)";
  return { key: `${name}  ${place.at}`, source: place.source };
}

export function summarise(profile, top = 15) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const described = new Map();
  const info = (node) => {
    if (!described.has(node.id)) described.set(node.id, describe(node.callFrame));
    return described.get(node.id);
  };
  const key = (node) => info(node).key;
  const self = new Map();
  const inclusive = new Map();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    total += ms;
    const leaf = byId.get(id);
    self.set(key(leaf), (self.get(key(leaf)) ?? 0) + ms);
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const k = key(byId.get(at));
      if (k.startsWith("(root)")) continue;
      if (!seen.has(k)) {
        seen.add(k);
        inclusive.set(k, (inclusive.get(k) ?? 0) + ms);
      }
    }
  });
  const list = (map) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => `  ${ms.toFixed(1).padStart(8)} ms ${((ms / total) * 100).toFixed(1).padStart(5)}%  ${name}`)
      .join("\n");
  const bySource = new Map();
  profile.samples.forEach((id, i) => {
    const source = info(byId.get(id)).source;
    bySource.set(source, (bySource.get(source) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return (
    `total sampled: ${total.toFixed(1)} ms\n` +
    `top self:\n${list(self)}\n` +
    `top inclusive:\n${list(inclusive)}\n` +
    `self by module:\n${list(bySource)}\n`
  );
}

function main(argv) {
  const dash = argv.includes("--") ? argv.indexOf("--") : argv.length;
  const topAt = argv.indexOf("--top");
  const top = topAt >= 0 && topAt < dash ? Number(argv[topAt + 1]) : 15;
  const runAt = argv.indexOf("--run");
  if (runAt >= 0 && runAt < dash) {
    const dir = argv[runAt + 1];
    const args = argv.slice(dash + 1);
    const out = mkdtempSync(join(tmpdir(), "tidemark-prof-"));
    spawnSync(process.execPath, ["--cpu-prof", "--cpu-prof-interval", "200", "--cpu-prof-dir", out, CLI, ...args], {
      cwd: dir,
      env: childEnv(),
      stdio: ["ignore", "ignore", "inherit"],
    });
    const file = readdirSync(out).find((name) => name.endsWith(".cpuprofile"));
    process.stdout.write(`${join(out, file)}\n`);
    process.stdout.write(summarise(JSON.parse(readFileSync(join(out, file), "utf8")), top));
    return;
  }
  const files = argv.filter((arg, i) => arg.endsWith(".cpuprofile") && argv[i - 1] !== "--top");
  for (const file of files) process.stdout.write(`${file}\n${summarise(JSON.parse(readFileSync(file, "utf8")), top)}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
