/**
 * The layering of src/ (README "Code map"), checked by `npm run lint`.
 * Lower layers never import higher ones; the CLI sees only the API.
 */
const ground = "^src/(errors|vocabulary)[.]ts$|^src/util/";

/** A rule: files matching `from` may import nothing in src/ outside `allowed`. */
function only(name, comment, from, allowed) {
  return {
    name,
    comment,
    severity: "error",
    from: { path: from },
    to: { path: "^src/", pathNot: `${allowed}|${ground}` },
  };
}

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "Import cycles make layers that cannot be understood or tested alone.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    only("ground-floor", "errors, vocabulary and util import only each other.", ground, "^$"),
    only("graph-is-pure", "The revision graph is plain values: no I/O, no dialects, no scripts.", "^src/graph/", "^src/graph/"),
    only("sql-text-alone", "The SQL lexer and splitter know text only.", "^src/sql/", "^src/sql/"),
    only("ops-at-the-bottom", "Ops are data; they import nothing above them.", "^src/ops/", "^src/ops/"),
    only("config-opens-nothing", "Reading the config opens no database and runs no script.", "^src/config/", "^src/config/"),
    only(
      "dialects-below-the-engine",
      "A dialect turns ops into SQL and talks to its database; it knows no phases, runtime, repositories, API or CLI.",
      "^src/dialects/",
      "^src/(dialects|ops|sql)/",
    ),
    only(
      "phases-judge-only",
      "The phase rules classify ops and SQL; they run nothing.",
      "^src/phases/",
      "^src/(phases|ops|sql|graph)/",
    ),
    only(
      "lint-judges-only",
      "The lock lint reads SQL and ops (compiled by a dialect handed to it); it runs nothing.",
      "^src/lint/",
      "^src/(lint|ops|sql|dialects|phases)/",
    ),
    only(
      "repo-reads-files",
      "Repositories read scripts and their headers; they do not execute or connect.",
      "^src/repo/",
      "^src/(repo|graph|sql|ops)/",
    ),
    only(
      "runtime-below-the-api",
      "The runner executes planned steps; it does not plan, read config or know the API.",
      "^src/runtime/",
      "^src/(runtime|dialects|ops|phases|graph|sql)/",
    ),
    only("cli-sees-the-api", "The CLI is one client of the public API.", "^src/cli/", "^src/(cli|api)/"),
  ],
  options: {
    parser: "swc",
    tsPreCompilationDeps: true,
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(dist|node_modules)/" },
  },
};
