/**
 * Typed phases: `expand(op)` gets a builder that only has the methods
 * expand allows, and so on, so that a drop in expand is a compile error in
 * TypeScript. JavaScript authors get the same refusal at run time from
 * `phaseMethodGuard` (the OpSink `allow` hook). The guard still checks every
 * op's fields and every SQL statement: these lists only say which methods
 * can ever be right in a phase (alterColumn relaxing a column is additive,
 * tightening it contractive, so it is in both).
 */
import type { Phase } from "../graph/revision.js";
import type { OpBuilder, OpMethod } from "../ops/builder.js";
import { PhaseRuleError } from "../errors.js";
import { locate } from "./guard.js";
import { PHASE_RULES } from "./rules.js";

/** Every phase: raw SQL is classified statement by statement; `sql` only builds an expression. */
export const COMMON_METHODS = ["sql", "execute", "query"] as const satisfies readonly OpMethod[];

export const EXPAND_METHODS = [
  "createTable",
  "addColumn",
  "alterColumn",
  "createIndex",
  "createView",
  "addForeignKey",
  "addUnique",
  "addCheck",
  "syncColumns",
  "forbidWrites",
  "aliasTable",
  "changeType",
] as const satisfies readonly OpMethod[];

export const MIGRATE_METHODS = [
  "bulkInsert",
  "backfill",
  "validateConstraint",
  "backfillTypeChange",
] as const satisfies readonly OpMethod[];

export const CONTRACT_METHODS = [
  "dropTable",
  "renameTable",
  "dropColumn",
  "alterColumn",
  "renameColumn",
  "dropIndex",
  "dropConstraint",
  "dropView",
  "addForeignKey",
  "addUnique",
  "addCheck",
  "dropSync",
  "allowWrites",
  "validateConstraint",
  "setNotNull",
  "finishTypeChange",
] as const satisfies readonly OpMethod[];

export type CommonMethod = (typeof COMMON_METHODS)[number];
export type ExpandMethod = (typeof EXPAND_METHODS)[number];
export type MigrateMethod = (typeof MIGRATE_METHODS)[number];
export type ContractMethod = (typeof CONTRACT_METHODS)[number];
/** Methods that belong to some phases only. */
export type PhaseOnlyMethod = ExpandMethod | MigrateMethod | ContractMethod;

// A new builder method that no list mentions fails the build here.
type AssertNever<T extends never> = T;
export type EveryMethodHasAPhase = AssertNever<Exclude<OpMethod, PhaseOnlyMethod | CommonMethod>>;

/**
 * `B` without the phase-only methods that `M` does not allow. Everything
 * else of `B` (offline, dialect, sql, execute, query) stays.
 */
export type PhaseBuilder<B, M extends PhaseOnlyMethod> = Omit<B, Exclude<PhaseOnlyMethod, M>>;
export type ExpandOp<B = OpBuilder> = PhaseBuilder<B, ExpandMethod>;
export type MigrateOp<B = OpBuilder> = PhaseBuilder<B, MigrateMethod>;
export type ContractOp<B = OpBuilder> = PhaseBuilder<B, ContractMethod>;

export const PHASE_METHODS: Readonly<Record<Phase, readonly OpMethod[]>> = {
  expand: [...COMMON_METHODS, ...EXPAND_METHODS],
  migrate: [...COMMON_METHODS, ...MIGRATE_METHODS],
  contract: [...COMMON_METHODS, ...CONTRACT_METHODS],
};

export function methodAllowed(phase: Phase, method: OpMethod): boolean {
  return PHASE_METHODS[phase].includes(method);
}

export interface MethodGuardContext {
  readonly file: string;
  readonly revision: string;
}

/** Throws PhaseRuleError when a script calls a method its phase does not have. */
export function assertMethodAllowed(phase: Phase, method: OpMethod, ctx: MethodGuardContext): void {
  if (methodAllowed(phase, method)) return;
  const homes = (["expand", "migrate", "contract"] as const).filter((p) => methodAllowed(p, method));
  const rule = `${PHASE_RULES[phase].summary}; op.${method} belongs in the ${homes.join(" or ")} phase`;
  const violation = { file: ctx.file, revision: ctx.revision, phase, statement: `op.${method}(…)`, rule };
  throw new PhaseRuleError(
    `${locate(ctx.file, undefined)} (revision ${ctx.revision}, ${phase} phase): \`op.${method}(…)\` ` +
      `breaks a phase rule: op.${method} is not available in ${phase}: ${rule}.`,
    [violation],
    { fields: violation },
  );
}

/** The OpSink `allow` hook for a step of `phase`. */
export function phaseMethodGuard(phase: Phase, ctx: MethodGuardContext): (method: OpMethod) => void {
  return (method) => assertMethodAllowed(phase, method, ctx);
}
