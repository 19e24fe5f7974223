/**
 * `lint`: the lock and rewrite rules over the scripts, without a database.
 * SQL scripts are read as written; code scripts are recorded (their ops
 * collected, nothing run, reads return no rows) as `check` records them.
 * Every revision is judged in graph order, so that what one validates
 * counts for the next; only the selected revisions are reported.
 */
import type { Dialect } from "../dialects/dialect.js";
import { PHASES, stepFile, type Revision } from "../graph/revision.js";
import { historyOrder, parseHistoryRange } from "../graph/history.js";
import { resolveTarget } from "../graph/target.js";
import { LintHistory, lintRevision, type LintBody, type LintItem } from "../lint/lint-revision.js";
import { opStatements, statementFacts } from "../lint/statement-facts.js";
import { shortenStatement } from "../phases/guard.js";
import { loadPgParser } from "../sql/pg-parser.js";
import type { LoadedBody } from "../repo/loader.js";
import { TidemarkError, messageOf } from "../errors.js";
import type { LintPhase } from "../vocabulary.js";
import type { Op } from "../ops/op.js";
import type { RepositoryHandle } from "./project.js";
import { offlineDialect } from "./offline.js";
import { phaseProblems } from "./check-phases.js";
import { loadFresh, type ScriptLoader } from "./script-cache.js";
import type { LintFinding, LintOptions, LintResult } from "./lint-types.js";
import { onlineOp } from "../runtime/online-defaults.js";
import { recordWithLines } from "../runtime/record.js";
import type { Workspace } from "./workspace.js";

/**
 * The op as the runner will run it. The lint must judge what runs: when the
 * runner gives a rolling repository's ops defaults of its own (an online
 * index build where the script left `concurrently` unset), apply them here too.
 */
function asRun(op: Op, rolling: boolean): Op {
  return rolling ? onlineOp(op) : op;
}

async function bodyItems(body: LoadedBody, dialect: Dialect, who: string, rolling: boolean): Promise<LintItem[]> {
  if (body.kind === "sql") {
    return body.statements.map((statement) => ({
      statement: shortenStatement(statement.sql),
      line: statement.line,
      facts: statementFacts(statement.sql, dialect.name),
      ...(statement.unsafe === undefined ? {} : { unsafe: statement.unsafe }),
    }));
  }
  const items: LintItem[] = [];
  for (const { op, line } of await recordWithLines(body, { dialect, who })) {
    for (const statement of opStatements(asRun(op, rolling), dialect)) {
      items.push({
        statement: shortenStatement(statement.sql),
        ...(line === undefined ? {} : { line }),
        facts: statement.facts,
        ...(statement.unsafe === undefined ? {} : { unsafe: statement.unsafe }),
      });
    }
  }
  return items;
}

/** The revisions `ranges` select in `repository` (all when none). */
function selected(repository: RepositoryHandle, ranges: readonly string[] | undefined): Set<string> {
  const { map } = repository;
  if (ranges === undefined || ranges.length === 0) return new Set(map.revisions.map((revision) => revision.id));
  const ids = new Set<string>();
  for (const text of ranges) {
    if (text.includes(":")) {
      for (const id of historyOrder(map, parseHistoryRange(map, text, []))) ids.add(id);
      continue;
    }
    const target = resolveTarget(map, text, [], repository.scheme);
    if (target.kind !== "base") for (const id of target.ids) ids.add(id);
  }
  return ids;
}

export interface LintRepositoryResult {
  readonly findings: LintFinding[];
  readonly silenced: LintResult["silenced"][number][];
  readonly notes: string[];
}

/** Lints one repository's revisions (also used by `check`). */
export async function lintRepository(
  workspace: Workspace,
  repository: RepositoryHandle,
  dialect: Dialect,
  options: { readonly ranges?: readonly string[]; readonly load?: ScriptLoader } = {},
): Promise<LintRepositoryResult> {
  if (dialect.name === "postgres") await loadPgParser();
  const name = repository.config.name;
  const load = options.load ?? loadFresh;
  const wanted = selected(repository, options.ranges);
  const history = new LintHistory();
  const out: LintRepositoryResult = { findings: [], silenced: [], notes: [] };
  const oldestFirst = historyOrder(repository.map).reverse();
  for (const id of oldestFirst) {
    const revision = repository.map.require(id);
    const bodies = await revisionBodies(revision, repository.rolling, dialect, load, out.notes);
    const report = lintRevision(id, bodies, { dialect: dialect.name, settings: workspace.config.lintRules ?? {}, history });
    if (!wanted.has(id)) continue;
    out.findings.push(...report.findings.map((finding) => ({ repository: name, ...finding })));
    out.silenced.push(...report.silenced.map((mark) => ({ repository: name, ...mark })));
  }
  return out;
}

async function revisionBodies(
  revision: Revision,
  rolling: boolean,
  dialect: Dialect,
  load: ScriptLoader,
  notes: string[],
): Promise<LintBody[]> {
  const phases: readonly LintPhase[] = rolling ? PHASES : ["upgrade"];
  let loaded: Awaited<ReturnType<ScriptLoader>>;
  try {
    loaded = await load(revision, dialect.name);
  } catch (error) {
    if (!(error instanceof TidemarkError)) throw error;
    notes.push(`Revision ${revision.id} was not linted: ${messageOf(error)}`);
    return [];
  }
  const bodies: LintBody[] = [];
  for (const phase of phases) {
    const body = loaded.bodies[phase];
    if (body === undefined) continue;
    const file = body.file ?? stepFile(revision, phase) ?? "";
    try {
      bodies.push({ phase, file, items: await bodyItems(body, dialect, `${file} (${phase})`, rolling) });
    } catch (error) {
      notes.push(`${file} (${phase}) was not linted: recording it failed: ${messageOf(error)}`);
    }
  }
  return bodies;
}

/** The phase rules, as `check` reports them, as findings of `lint` (SPEC: lint runs both). */
async function phaseFindings(
  repository: RepositoryHandle,
  dialect: Dialect,
  load: ScriptLoader,
  ranges: readonly string[] | undefined,
): Promise<LintFinding[]> {
  if (!repository.rolling) return [];
  const wanted = selected(repository, ranges);
  const { problems } = await phaseProblems(repository, dialect, load);
  const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
  return problems.flatMap((problem): LintFinding[] => {
    // A script that failed to load or record is a note of lintRepository already.
    if (problem.kind !== "phase-rule" && problem.kind !== "trigger-left") return [];
    const fields = problem.fields ?? {};
    const revision = text(fields.revision) ?? "";
    if (revision !== "" && !wanted.has(revision)) return [];
    const rule = problem.kind === "trigger-left" ? "trigger-left" : "phase-rule";
    const phase = text(fields.phase);
    return [
      {
        repository: repository.config.name,
        revision,
        phase: phase === "expand" || phase === "migrate" || phase === "contract" ? phase : "expand",
        file: text(fields.file) ?? "",
        ...(typeof fields.line === "number" ? { line: fields.line } : {}),
        rule,
        name: rule,
        severity: "error",
        statement: text(fields.statement) ?? "",
        // check's message names file and line first; the finding's line already does.
        message:
          problem.kind === "phase-rule" && text(fields.rule) !== undefined
            ? `${phase ?? ""} phase of revision ${revision}: \`${text(fields.statement) ?? ""}\` breaks a phase rule: ${text(fields.rule)}.`
            : problem.message,
      },
    ];
  });
}

export async function runLint(workspace: Workspace, options: LintOptions): Promise<LintResult> {
  const dialect = await offlineDialect(workspace, options.dialect);
  const ranged = options.ranges !== undefined && options.ranges.length > 0;
  const repositories =
    options.repo === undefined && ranged
      ? [workspace.repository(undefined)]
      : workspace.project.selectForReport(options.repo === undefined ? {} : { repo: options.repo });
  const findings: LintFinding[] = [];
  const silenced: LintResult["silenced"][number][] = [];
  const notes: string[] = [];
  for (const repository of repositories) {
    const result = await lintRepository(workspace, repository, dialect, {
      ...(ranged ? { ranges: options.ranges } : {}),
      load: workspace.scripts,
    });
    findings.push(...(await phaseFindings(repository, dialect, workspace.scripts, ranged ? options.ranges : undefined)));
    findings.push(...result.findings);
    silenced.push(...result.silenced);
    notes.push(...result.notes);
  }
  return { ok: !findings.some((finding) => finding.severity === "error"), dialect: dialect.name, findings, silenced, notes };
}
