/** Options and results of `lint` (the lock and rewrite rules, without a database). */
import type { LintPhase, LintRuleId } from "../vocabulary.js";

export type { LintPhase, LintRuleId, LintSeverity, LintSeveritySetting } from "../vocabulary.js";

export interface LintOptions {
  /** One repository; default every repository (with `ranges`: the default repository). */
  readonly repo?: string;
  /** Revisions to report on: `START:END` ranges (as `history -r`) or single revisions; default all. */
  readonly ranges?: readonly string[];
  /** The SQL dialect to read the scripts as; default the URL's. */
  readonly dialect?: string;
}

/**
 * `phase-rule` and `trigger-left` are the phase rules of rolling
 * repositories (always errors, as `check` reports them); the TMnnn rules are
 * the lock and rewrite lint.
 */
export type LintFindingRule = LintRuleId | "phase-rule" | "trigger-left";

export interface LintFinding {
  readonly repository: string;
  readonly revision: string;
  /** The body: a rolling phase, or `upgrade` of a plain repository. */
  readonly phase: LintPhase;
  readonly file: string;
  /** 1-based line of the statement (SQL scripts) or of the op call (code scripts), when known. */
  readonly line?: number;
  readonly rule: LintFindingRule;
  /** The rule's name, e.g. `index-not-concurrent`. */
  readonly name: string;
  readonly severity: "error" | "warning";
  /** The statement, on one line, shortened. */
  readonly statement: string;
  /** What is wrong and the safe sequence. */
  readonly message: string;
}

export interface LintResult {
  /** No error-severity finding (warnings do not count). */
  readonly ok: boolean;
  readonly dialect: string;
  readonly findings: readonly LintFinding[];
  /** Lock findings an `unsafe` mark silenced, with its reason. */
  readonly silenced: readonly (Omit<LintFinding, "severity"> & { readonly reason: string })[];
  /** What could not be linted (a body that failed while it was recorded), and why. */
  readonly notes: readonly string[];
}
