/**
 * What each phase of a rolling upgrade may do (SPEC §8, keystone's rules).
 * While expand and migrate run, the old release is still serving; after
 * contract, only the new one is. So expand only adds what the old release
 * can ignore, migrate only moves data, and contract removes or tightens
 * what only the old release needed.
 */
import type { Phase } from "../graph/revision.js";
import type { Category, Change } from "./classification.js";

export interface PhaseRule {
  readonly phase: Phase;
  readonly allows: readonly Category[];
  /**
   * A statement the classifier cannot prove harmless: refused in every
   * phase unless marked unsafe (closed rules, as strong_migrations does it).
   */
  readonly unknown: "refuse";
  /** The rule in plain words, the start of every refusal. */
  readonly summary: string;
}

export const PHASE_RULES: Readonly<Record<Phase, PhaseRule>> = {
  expand: {
    phase: "expand",
    allows: ["additive", "constraint", "neutral"],
    unknown: "refuse",
    summary: "expand may only make additive schema changes",
  },
  migrate: {
    phase: "migrate",
    allows: ["data", "neutral"],
    unknown: "refuse",
    summary: "migrate may only change data, not the schema",
  },
  contract: {
    phase: "contract",
    allows: ["contractive", "constraint", "neutral"],
    unknown: "refuse",
    summary: "contract may only make contractive schema changes (drops, renames, type changes, NOT NULL, constraints)",
  },
};

export function isAllowed(phase: Phase, category: Category): boolean {
  const rule = PHASE_RULES[phase];
  if (category === "unknown") return false;
  return rule.allows.includes(category);
}

/** The phases a category belongs in (none for `breaking`). */
export function homePhases(category: Category): Phase[] {
  return (["expand", "migrate", "contract"] as const).filter((p) => PHASE_RULES[p].allows.includes(category));
}

function home(category: Category): string {
  const phases = homePhases(category);
  return phases.length === 0 ? "no phase" : phases.join(" or ");
}

export const UNSAFE_HINT =
  'if it is safe while both releases run, mark it with op.execute(sql, { unsafe: "why" }) ' +
  "or a `-- tidemark:unsafe why` line right before it in a SQL script";

/** Why `phase` refuses `change`, in plain words (no file or revision: the guard adds those). */
export function explainRefusal(phase: Phase, change: Change): string {
  const { category, what } = change;
  const rule = PHASE_RULES[phase];
  switch (category) {
    case "breaking":
      return `no phase may do this: ${what} ${change.effect ?? "breaks the release that runs at the time"}`;
    case "unknown":
      return change.effect === undefined
        ? `${phase} refuses SQL tidemark cannot classify (${what}); ${UNSAFE_HINT}`
        : `${phase} refuses what tidemark cannot prove safe: ${what} ${change.effect}; ${UNSAFE_HINT}`;
    case "data":
      return `${phase} may not change data: ${what} writes rows; data changes belong in the migrate phase`;
    case "contractive":
      if (phase === "expand") {
        return (
          `${rule.summary}: ${what} ${change.effect ?? "removes or changes schema the old release still uses"}; ` +
          "it belongs in the contract phase"
        );
      }
      return `${rule.summary}: ${what} is a schema change; it belongs in the contract phase`;
    case "additive":
    case "constraint":
      if (phase === "contract") {
        return `${rule.summary}: ${what} adds schema, which belongs in the expand phase (of this revision or the next)`;
      }
      return `${rule.summary}: ${what} is a schema change; it belongs in the ${home(category)} phase`;
    case "neutral":
      return `${rule.summary}: ${what}`;
  }
}
