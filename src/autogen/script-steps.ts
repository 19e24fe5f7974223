/**
 * What goes into a script body: ops, a backfill (rolling migrate), and the
 * comments around them — what a destructive op destroys, rename hints.
 * Plain repositories get `upgrade` (the changes in order) and `downgrade`
 * (their inverses, last first).
 */
import type { BackfillOptions } from "../ops/backfill-options.js";
import type { Op } from "../ops/op.js";
import type { Change } from "./change.js";

export type ScriptStep =
  | { readonly kind: "op"; readonly op: Op; readonly comments: readonly string[] }
  | { readonly kind: "backfill"; readonly options: BackfillOptions; readonly comments: readonly string[] }
  | { readonly kind: "comment"; readonly text: string };

export type BodyName = "upgrade" | "downgrade" | "expand" | "migrate" | "contract";

export type ScriptBodies = Partial<Record<BodyName, readonly ScriptStep[]>>;

/** Comments for the first op of a change: what it destroys, and its notes. */
export function changeComments(change: Change): string[] {
  const comments = [...(change.notes ?? [])];
  if (change.destroys !== undefined) comments.push(`destroys ${change.destroys}`);
  return comments;
}

export function opSteps(ops: readonly Op[], comments: readonly string[]): ScriptStep[] {
  return ops.map((op, i) => ({ kind: "op", op, comments: i === 0 ? comments : [] }));
}

export function plainBodies(changes: readonly Change[]): ScriptBodies {
  return {
    upgrade: changes.flatMap((change) => opSteps(change.up, changeComments(change))),
    downgrade: [...changes].reverse().flatMap((change) => opSteps(change.down, [])),
  };
}

/** Every destructive change, in words, for the command to list. */
export function destructiveChanges(changes: readonly Change[]): string[] {
  return changes.flatMap((change) => (change.destroys === undefined ? [] : [change.destroys]));
}
