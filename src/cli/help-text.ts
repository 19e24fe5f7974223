/**
 * What `--help` shows after a command's options: examples a user can paste
 * (with `npx`, as a local install runs it) and, for commands that take a
 * target, the forms a target may have (SPEC §5).
 */

export const TARGET_FORMS = [
  "Targets:",
  "  head            the single head (an error naming them if there are several)",
  "  heads           every head",
  "  base            before the first revision (also 0 in a numbered repository)",
  "  1a2b3c4d5e6f    a full id, or a unique prefix of one (1a2b)",
  "  3               a version number (numbered repositories)",
  "  +2, -1          relative to what is applied (also --delta N)",
  "  head-1, base+1, ID+2, ID-1",
  "  LABEL@head, LABEL@base, LABEL@+1, REV@head   branch forms, as in Alembic",
  "  START:END       a range, only with --sql (offline)",
].join("\n");

const EXAMPLES: Readonly<Record<string, readonly string[]>> = {
  tidemark: [
    "npx tidemark init",
    'npx tidemark revision -m "create users"',
    "npx tidemark upgrade head",
    "npx tidemark status",
    "npx tidemark <command> --help",
  ],
  init: ["npx tidemark init", "npx tidemark init --language sql", "npx tidemark init --scheme numbered --rolling"],
  revision: [
    'npx tidemark revision -m "create users"',
    'npx tidemark revision -m "add audit" --sql',
    'npx tidemark revision -m "new branch" --head base --branch-label audit',
  ],
  upgrade: [
    "npx tidemark upgrade",
    "npx tidemark upgrade +1",
    "npx tidemark upgrade head --dry-run",
    "npx tidemark upgrade head --sql --dialect postgresql > upgrade.sql",
    "DATABASE_URL=postgres://app@db/app npx tidemark upgrade head",
  ],
  downgrade: ["npx tidemark downgrade -1", "npx tidemark downgrade base --dry-run", "npx tidemark downgrade head:base --sql"],
  stamp: ["npx tidemark stamp head", "npx tidemark stamp 1a2b3c4d5e6f --purge", "npx tidemark stamp head --sql"],
  current: ["npx tidemark current", "npx tidemark current --json"],
  status: ["npx tidemark status", "npx tidemark status --json", "npx tidemark status || echo 'pending or blocked'"],
  history: ["npx tidemark history", "npx tidemark history -r base:head --graph", "npx tidemark history -r current:"],
  heads: ["npx tidemark heads"],
  branches: ["npx tidemark branches"],
  show: ["npx tidemark show head", "npx tidemark show 1a2b"],
  merge: ['npx tidemark merge -m "merge heads"', 'npx tidemark merge -m "merge" 1a2b 3c4d'],
  sync: [
    "npx tidemark sync",
    "npx tidemark sync --expand",
    "npx tidemark sync --migrate --max-count 100000",
    "npx tidemark sync --check",
    "npx tidemark sync --abort",
    "npx tidemark db_sync --extension example 0",
  ],
  version: ["npx tidemark version", "npx tidemark db_version --extension example", "npx tidemark --version   # tidemark's own"],
  diff: ["npx tidemark diff", "npx tidemark diff --sql"],
  check: ["npx tidemark check", "npx tidemark check --repo core --json"],
  lint: ["npx tidemark lint", "npx tidemark lint 1a2b3c4d5e6f --json", "npx tidemark lint base:head --dialect postgresql"],
  validate: ["npx tidemark validate"],
  repair: ["npx tidemark repair", "npx tidemark repair --repo example"],
};

/** Commands whose argument is a target (the forms are listed in their help). */
const TAKES_TARGET = new Set(["upgrade", "downgrade", "stamp", "sync", "show", "history", "revision"]);

/** The text after a command's options: examples, then target forms where they apply. */
export function helpAfter(command: string): string {
  const examples = EXAMPLES[command] ?? [];
  const parts: string[] = [];
  if (examples.length > 0) parts.push(["Examples:", ...examples.map((line) => `  ${line}`)].join("\n"));
  if (TAKES_TARGET.has(command)) parts.push(TARGET_FORMS);
  if (command === "tidemark") {
    parts.push(
      [
        "The database: --url, else DATABASE_URL (also from .env beside the config), else the config's url,",
        "else sqlite:tidemark.db. The config (tidemark.config.*) is found in this folder or the nearest above.",
        "Exit codes: 0 success, 1 migration or database error, 2 usage or configuration error,",
        "3 check/validate/status/diff/lint found something.",
      ].join("\n"),
    );
  }
  return parts.length === 0 ? "" : `\n${parts.join("\n\n")}\n`;
}
