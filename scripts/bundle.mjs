// Bundles the CLI into one CommonJS file. Node 20 spends ~13 ms setting up
// an ESM entry and ~0.7 ms per module; one CJS file keeps `tidemark current`
// inside its start-up budget. The library (dist/index.js) stays tsc's ESM.
import { createHash } from "node:crypto";
import { chmodSync, copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { build } from "esbuild";
import { lazyBuiltins } from "./lazy-builtins.mjs";

await build({
  entryPoints: ["src/cli/bin.ts"],
  outfile: "dist/cli/tidemark-main.cjs",
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  // The database drivers (all optional: better-sqlite3 too, with its native addon) and the
  // PostgreSQL parser load only when needed, from the project's node_modules. Everything else —
  // commander, cli-progress, picocolors, sucrase — is in the bundle, so none of the CLI's own
  // libraries is a dependency of the package (sucrase still is, for the library's loader).
  external: ["pg", "mysql2", "mysql2/*", "libpg-query", "better-sqlite3"],
  // The build id (filled in below) keys the launcher's V8 code cache: V8 itself tells sources
  // apart only by length, and npm gives every installed file the same mtime.
  banner: {
    js: `// tidemark-build ${"0".repeat(64)}\nconst __tidemark_url = require("node:url").pathToFileURL(__filename).href;`,
  },
  define: {
    "import.meta.url": "__tidemark_url",
    TIDEMARK_VERSION: JSON.stringify(JSON.parse(readFileSync("package.json", "utf8")).version),
  },
  // Less to parse at every start. Identifiers keep their names: error classes say what they
  // are (`new.target.name`), and esbuild's keepNames instead would wrap every closure created.
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: "linked",
  plugins: [lazyBuiltins],
  logLevel: "warning",
});

// The launcher reads the bundle as Latin-1, a copy of its bytes, which is faster than decoding UTF-8: so it
// must be ASCII (esbuild escapes strings, not regular expression literals). The hashbang goes too (the
// launcher wraps the source in a function), its line kept empty so that the source map still fits.
const bundled = readFileSync("dist/cli/tidemark-main.cjs", "utf8").replace(/^#![^\n]*/, "");
const wide = /[^\x00-\x7f]/.exec(bundled);
if (wide !== null) {
  const line = bundled.slice(0, wide.index).split("\n").length;
  throw new Error(
    `dist/cli/tidemark-main.cjs line ${line} holds ${JSON.stringify(wide[0])}: write it as \\u${wide[0].charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
const id = createHash("sha256").update(bundled).digest("hex");
writeFileSync("dist/cli/tidemark-main.cjs", bundled.replace(`// tidemark-build ${"0".repeat(64)}`, `// tidemark-build ${id}`));

// The `tidemark` bin: runs the bundle above with V8's code cache.
copyFileSync(new URL("./launcher.cjs", import.meta.url), "dist/cli/tidemark.cjs");
chmodSync("dist/cli/tidemark.cjs", 0o755);
