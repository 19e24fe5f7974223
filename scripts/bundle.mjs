// Bundles the CLI into one CommonJS file. Node 20 spends ~13 ms setting up
// an ESM entry and ~0.7 ms per module; one CJS file keeps `tidemark current`
// inside its start-up budget. The library (dist/index.js) stays tsc's ESM.
import { build } from "esbuild";

await build({
  entryPoints: ["src/cli/bin.ts"],
  outfile: "dist/cli/tidemark.cjs",
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  // Drivers, the TypeScript loader and the PostgreSQL parser load only when needed, from node_modules.
  external: ["better-sqlite3", "pg", "mysql2", "mysql2/*", "jiti", "libpg-query", "cli-progress"],
  banner: { js: 'const __tidemark_url = require("node:url").pathToFileURL(__filename).href;' },
  define: { "import.meta.url": "__tidemark_url" },
  sourcemap: "linked",
  logLevel: "warning",
});
