/**
 * The contract trigger audit against the database (SPEC §8, issue 13 D7):
 * after a contract step's body ran, and before it commits, the triggers
 * that exist are compared with the triggers its revision's expand step
 * created. Names compare as the database compares them; a trigger dropped
 * with its table or view is simply no longer listed; a trigger created
 * through a function or DO block is recognised on PostgreSQL by the
 * transaction that created it (the expand step's). A leftover refuses the
 * step, which then rolls back where DDL is transactional.
 */
import type { LeftoverTrigger, TriggerAuditContext } from "./trigger-audit.js";
import { leftoverViolation, triggerKey } from "./trigger-audit.js";
import { phaseRuleError } from "./guard.js";

/** A trigger as the database lists it (dialects' LiveTrigger). */
export interface ExistingTrigger {
  readonly name: string;
  readonly table: string;
  readonly transaction?: string;
}

export interface LiveAuditInput {
  /** Triggers the expand step's scripts create (and do not drop themselves). */
  readonly created: readonly LeftoverTrigger[];
  /** The triggers that exist after the contract body ran. */
  readonly existing: readonly ExistingTrigger[];
  /** PostgreSQL: the transaction the expand step ran in, when it ran in one. */
  readonly expandTransaction?: string;
  readonly foldCase: boolean;
}

/** The expand triggers the database still holds, permanent ones excepted. */
export function triggersStillThere(input: LiveAuditInput, permanent: readonly string[] = []): LeftoverTrigger[] {
  const key = (name: string) => triggerKey(name, input.foldCase);
  const kept = new Set(permanent.map(key));
  const out: LeftoverTrigger[] = [];
  for (const trigger of input.existing) {
    if (kept.has(key(trigger.name))) continue;
    const named = input.created.find(
      (created) =>
        key(created.name) === key(trigger.name) && (created.table === undefined || key(created.table) === key(trigger.table)),
    );
    if (named !== undefined) {
      out.push({ ...named, name: trigger.name, table: trigger.table });
    } else if (input.expandTransaction !== undefined && trigger.transaction === input.expandTransaction) {
      out.push({
        name: trigger.name,
        table: trigger.table,
        createdBy: "a function or DO block of the expand step",
        remedy: `DROP TRIGGER ${trigger.name} ON ${trigger.table}`,
      });
    }
  }
  return out;
}

/** Throws PhaseRuleError naming every expand trigger the database still holds after the contract body. */
export function auditLiveTriggers(input: LiveAuditInput, ctx: TriggerAuditContext): void {
  const left = triggersStillThere(input, ctx.permanent);
  if (left.length === 0) return;
  throw phaseRuleError(
    left.map((trigger) => leftoverViolation(trigger, ctx, "still exists in the database after the contract step ran")),
  );
}
