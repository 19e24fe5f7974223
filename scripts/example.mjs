// `npm run example`: applies the bundled example project (a core repository
// and one extension) on SQLite, then shows `current` and `history`.
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const project = join(root, "examples", "quickstart");
const bin = join(root, "dist", "cli", "bin.js");
rmSync(join(project, "quickstart.db"), { force: true });

const steps = [["upgrade", "head"], ["upgrade", "head", "--extension", "audit"], ["current"], ["history"]];
for (const args of steps) {
  process.stdout.write(`\n$ tidemark ${args.join(" ")}\n`);
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: project, stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
