/**
 * The one check point of the phase rules. The runner calls the `guard*`
 * functions before a step's first statement runs (they throw
 * PhaseRuleError); `tidemark check` calls `evaluate*` / `check*`, which
 * report without throwing and need no database. Everything here is
 * synchronous: for PostgreSQL, await `loadSqlClassifier("postgres")` once
 * before the first call.
 */
import type { DialectName } from "../vocabulary.js";
import type { Phase } from "../graph/revision.js";
import type { Category, Classified } from "./classification.js";
import type { Op } from "../ops/op.js";
import { categorizeDetailed } from "./category.js";
import { PhaseRuleError, type PhaseViolation } from "../errors.js";
import { classifySql } from "./sql-classifier.js";
import { splitAtPlaceholders } from "../sql/placeholders.js";
import { explainRefusal, isAllowed } from "./rules.js";

export interface GuardContext {
  readonly dialect: DialectName;
  /** The script file, as it should appear in messages. */
  readonly file: string;
  readonly revision: string;
  /** The file line of the op being guarded, when known (SQL scripts). */
  readonly line?: number;
}

/** A statement of a SQL script, as sql/splitter.ts gives it. */
export interface GuardStatement {
  readonly sql: string;
  /** 1-based line in the file. */
  readonly line?: number;
  readonly unsafe?: string;
}

export interface Violation extends PhaseViolation {
  readonly category?: Category;
  readonly what: string;
  /** One paragraph naming file, line, revision, phase, statement and rule. */
  readonly message: string;
}

export interface UnsafeMark {
  readonly file: string;
  readonly line?: number;
  readonly revision: string;
  readonly phase: Phase;
  readonly statement: string;
  readonly what: string;
  readonly category: Category;
  readonly reason: string;
  /** True when the mark let through something the phase would otherwise refuse. */
  readonly needed: boolean;
}

export interface PhaseReport {
  readonly violations: readonly Violation[];
  readonly unsafe: readonly UnsafeMark[];
}

const MAX_STATEMENT = 100;

/** One line, at most `max` characters: long statements end in `…`. */
export function shortenStatement(sql: string, max = MAX_STATEMENT): string {
  const flat = sql.replace(/\s+/g, " ").trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`;
}

export function locate(file: string, line: number | undefined): string {
  return line === undefined ? file : `${file}:${line}`;
}

/** `file:line (revision r, expand phase): \`statement\` breaks a phase rule: rule.` */
export function violationMessage(v: Omit<Violation, "message">): string {
  return (
    `${locate(v.file, v.line)} (revision ${v.revision}, ${v.phase} phase): \`${v.statement}\` ` +
    `breaks a phase rule: ${v.rule}.`
  );
}

interface Item extends Classified {
  readonly line?: number;
  readonly unsafe?: string;
  /** An op.query whose category the phase allows, but which lacks the mark a read in a rolling phase needs. */
  readonly needsMark?: { readonly what: string; readonly effect: string };
}

function evaluateItems(items: readonly Item[], phase: Phase, ctx: GuardContext): PhaseReport {
  const violations: Violation[] = [];
  const unsafe: UnsafeMark[] = [];
  for (const item of items) {
    const categoryAllowed = isAllowed(phase, item.category);
    const allowed = categoryAllowed && item.needsMark === undefined;
    const base = {
      file: ctx.file,
      ...(item.line === undefined ? {} : { line: item.line }),
      revision: ctx.revision,
      phase,
      statement: shortenStatement(item.statement),
      what: item.what,
      category: item.category,
    };
    if (item.unsafe !== undefined) {
      // The author's mark is the documented escape hatch: it lets anything through, and `check` lists it.
      unsafe.push({ ...base, reason: item.unsafe, needed: !allowed });
      continue;
    }
    if (allowed) continue;
    // A statement the phase refuses anyway is refused for what it does; a mark would not change that.
    const refused = categoryAllowed && item.needsMark !== undefined ? { ...item.needsMark, category: "unknown" as const } : item;
    const withRule = { ...base, what: refused.what, rule: explainRefusal(phase, refused) };
    violations.push({ ...withRule, message: violationMessage(withRule) });
  }
  return { violations, unsafe };
}

function fileLine(ctxLine: number | undefined, innerLine: number): number | undefined {
  return ctxLine === undefined ? undefined : ctxLine + innerLine - 1;
}

/** What the classifiers call a statement that only reads (SELECT INTO writes a table: not a read). */
// \u2026 is "…": the bundle stays ASCII (scripts/bundle.mjs), which esbuild cannot do for a regex literal.
const READS = /^(SELECT(?! INTO)|WITH \u2026 SELECT|SHOW|VALUES|TABLE|EXPLAIN|DESCRIBE|DESC|COPY \u2026 TO|PRAGMA [a-z_]+$)/;

/**
 * `op.query` in a rolling phase: its rows may steer what the script does,
 * and recording reads none, so the script must say why it reads (a
 * `readOnly` mark that tidemark proves, or `unsafe`).
 */
function queryMark(item: Classified, readOnly: boolean, statement: string): Pick<Item, "needsMark"> {
  if (!readOnly) {
    return {
      needsMark: {
        what: `op.query(${JSON.stringify(shortenStatement(statement, 60))})`,
        effect:
          "reads rows that may steer the script, but the rule check records the body without reading anything; " +
          "mark a read with op.query(sql, params, { readOnly: true }) (tidemark proves it only reads)",
      },
    };
  }
  if (item.category === "neutral" && READS.test(item.what)) return {};
  return {
    needsMark: {
      what: `op.query(…, { readOnly: true }) with ${item.what}`,
      effect: "is not a statement tidemark can prove only reads",
    },
  };
}

function opItems(op: Op, ctx: GuardContext): Item[] {
  const backfillProblem = op.kind === "execute" ? op.backfill?.problem : undefined;
  if (backfillProblem !== undefined) {
    const statement = op.kind === "execute" ? op.sql : "";
    return [{ category: "unknown", what: "op.backfill", effect: `refused: ${backfillProblem}`, statement }];
  }
  if (op.kind === "execute") {
    // PostgreSQL's parser reads `$1`, not the `?` scripts write (the driver translates them the same way).
    const sql =
      ctx.dialect === "postgres" && op.params !== undefined && op.params.length > 0
        ? splitAtPlaceholders(op.sql, "postgres").reduce((out, piece, k) => `${out}$${k}${piece}`)
        : op.sql;
    return classifySql(sql, ctx.dialect).map((classified) => {
      const item: Item =
        op.query === undefined ? classified : { ...classified, ...queryMark(classified, op.query.readOnly, op.sql) };
      const line = fileLine(ctx.line ?? op.line, classified.line);
      const unsafe = op.unsafe ?? classified.unsafe;
      return { ...item, line, ...(unsafe === undefined ? {} : { unsafe }) };
    });
  }
  return categorizeDetailed(op, ctx.dialect).map((item) => (ctx.line === undefined ? item : { ...item, line: ctx.line }));
}

function statementItems(statement: GuardStatement, ctx: GuardContext): Item[] {
  return classifySql(statement.sql, ctx.dialect).map((item) => {
    const line = statement.line === undefined ? undefined : statement.line + item.line - 1;
    const unsafe = statement.unsafe ?? item.unsafe;
    return { ...item, line, ...(unsafe === undefined ? {} : { unsafe }) };
  });
}

export function evaluateOps(ops: readonly Op[], phase: Phase, ctx: GuardContext): PhaseReport {
  return evaluateItems(
    ops.flatMap((op) => opItems(op, ctx)),
    phase,
    ctx,
  );
}

export function evaluateStatements(statements: readonly GuardStatement[], phase: Phase, ctx: GuardContext): PhaseReport {
  return evaluateItems(
    statements.flatMap((s) => statementItems(s, ctx)),
    phase,
    ctx,
  );
}

/** The error for a refused step: the first violation in full, the others counted. */
export function phaseRuleError(violations: readonly Violation[]): PhaseRuleError {
  const [first, ...more] = violations;
  if (first === undefined) throw new Error("phaseRuleError needs at least one violation");
  const tail =
    more.length === 0
      ? ""
      : ` ${more.length} more statement${more.length === 1 ? "" : "s"} of this step break${more.length === 1 ? "s" : ""} ` +
        `phase rules too: ${more
          .slice(0, 5)
          .map((v) => `${locate(v.file, v.line)} ${v.what}`)
          .join("; ")}${more.length > 5 ? "; …" : ""}.`;
  return new PhaseRuleError(first.message + tail, violations, {
    fields: {
      file: first.file,
      line: first.line,
      revision: first.revision,
      phase: first.phase,
      statement: first.statement,
      category: first.category,
      rule: first.rule,
      violations: violations.map(({ message: _m, ...rest }) => rest),
    },
  });
}

function guard(report: PhaseReport): readonly UnsafeMark[] {
  if (report.violations.length > 0) throw phaseRuleError(report.violations);
  return report.unsafe;
}

/** Throws PhaseRuleError when `op` breaks the rules of `phase`; returns the unsafe marks it used. */
export function guardOp(op: Op, phase: Phase, ctx: GuardContext): readonly UnsafeMark[] {
  return guard(evaluateOps([op], phase, ctx));
}

/** Checks a whole step's ops at once, so that nothing runs when any of them is refused. */
export function guardOps(ops: readonly Op[], phase: Phase, ctx: GuardContext): readonly UnsafeMark[] {
  return guard(evaluateOps(ops, phase, ctx));
}

export function guardStatements(statements: readonly GuardStatement[], phase: Phase, ctx: GuardContext): readonly UnsafeMark[] {
  return guard(evaluateStatements(statements, phase, ctx));
}

/** For `tidemark check`: the violations, without throwing. */
export function checkOps(ops: readonly Op[], phase: Phase, ctx: GuardContext): readonly Violation[] {
  return evaluateOps(ops, phase, ctx).violations;
}

export function checkStatements(statements: readonly GuardStatement[], phase: Phase, ctx: GuardContext): readonly Violation[] {
  return evaluateStatements(statements, phase, ctx).violations;
}

/** Every unsafe mark (`check` lists them all, needed or not). */
export function unsafeMarksInOps(ops: readonly Op[], phase: Phase, ctx: GuardContext): readonly UnsafeMark[] {
  return evaluateOps(ops, phase, ctx).unsafe;
}

export function unsafeMarksInStatements(
  statements: readonly GuardStatement[],
  phase: Phase,
  ctx: GuardContext,
): readonly UnsafeMark[] {
  return evaluateStatements(statements, phase, ctx).unsafe;
}
