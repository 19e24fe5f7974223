/**
 * What a failed step is reported as: the step named (repository, revision,
 * file, phase), the statement and its line when one failed, and what became
 * of the transaction, so the one paragraph tells the operator what to do.
 */
import { MigrationError, TidemarkError, messageOf, type ErrorCode } from "../errors.js";
import { stepFile } from "../graph/revision.js";
import type { PlannedStep } from "./planned-step.js";
import { StatementFailure } from "./step-context.js";

/** Errors that already say what went wrong where; others get the step's name prepended. */
const PASS_THROUGH: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  "fence",
  "lock-lost",
  "migration",
  "phase-rule",
  "phase-order",
  "script",
  "offline",
  "usage",
  "target",
  "blocked",
  "lock-timeout",
]);

/**
 * `rolled-back`: nothing of the step stays; `batched`: finished backfill
 * batches stay; `partial`: a non-transactional step stopped midway (recorded
 * as failed); `partial-unrecorded`: the same, but the `failed` mark could not
 * be written either (the connection is gone), so its row stays `running`.
 */
export type FailureOutcome = "rolled-back" | "batched" | "partial" | "partial-unrecorded";

export function describeStep(step: Pick<PlannedStep, "repository" | "revision" | "phase" | "direction" | "body">): string {
  const file = step.body.file ?? stepFile(step.revision, step.phase);
  const phase = step.phase === "" ? (step.direction === "down" ? "downgrade" : "upgrade") : step.phase;
  return `Repository ${step.repository}, revision ${step.revision.id}${file === undefined ? "" : ` (${file})`}, ${phase}`;
}

export function stepFailure(step: PlannedStep, error: unknown, outcome: FailureOutcome): Error {
  const what = describeStep(step);
  const after =
    outcome === "rolled-back"
      ? "The step was rolled back; the database is as it was before the step."
      : outcome === "batched"
        ? "The backfill batches that finished stay committed; the step stays open in tidemark_log and the next run " +
          "resumes after the last finished batch."
        : outcome === "partial"
          ? `The database may hold part of the step: it is recorded as failed in tidemark_log and blocks ` +
            `repository ${step.repository} until you fix the database by hand and run \`tidemark repair\`.`
          : `The database may hold part of the step, and the connection was lost before tidemark could record the ` +
            `failure: the step's row in tidemark_log stays 'running' and blocks repository ${step.repository} until you ` +
            "fix the database by hand and run `tidemark repair`.";
  if (error instanceof StatementFailure) {
    const where = error.line === undefined ? "" : ` (line ${error.line})`;
    return new MigrationError(
      step.revision.id,
      error.statement,
      `${what} failed at statement${where}: ${shorten(error.statement)} — ${messageOf(error.cause)}. ${after}`,
      { cause: error.cause, fields: { repository: step.repository, phase: step.phase, direction: step.direction } },
    );
  }
  if (error instanceof TidemarkError && PASS_THROUGH.has(error.code)) return error;
  return new MigrationError(step.revision.id, undefined, `${what} failed: ${messageOf(error)}. ${after}`, {
    cause: error,
    fields: { repository: step.repository, phase: step.phase, direction: step.direction },
  });
}

function shorten(sql: string): string {
  const flat = sql.replace(/\s+/g, " ").trim();
  return flat.length > 300 ? `${flat.slice(0, 297)}...` : flat;
}
