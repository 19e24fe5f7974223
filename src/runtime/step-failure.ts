/**
 * What a failed step is reported as: the step named (repository, revision,
 * file, phase), the statement and its line when one failed, and what became
 * of the transaction, so the one paragraph tells the operator what to do.
 */
import { FenceError, MigrationError, TidemarkError, messageOf, type ErrorCode } from "../errors.js";
import { stepFile } from "../graph/revision.js";
import type { PlannedStep } from "./planned-step.js";
import { StatementFailure } from "./step-context.js";
import { callSiteOf } from "../ops/builder.js";
import { shortenSql } from "../util/shorten-sql.js";

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
  const file = step.body.file;
  if (error instanceof StatementFailure) {
    // A SQL script knows its statement's line; a code script's op call shows in the (async) stack.
    const line = error.line ?? (file === undefined ? undefined : scriptLine(error, file));
    const where = line === undefined ? "" : ` (line ${line})`;
    return new MigrationError(
      step.revision.id,
      error.statement,
      `${what} failed at statement${where}: ${shortenSql(error.statement, 300)} — ${messageOf(error.cause)}. ${after}`,
      { cause: error.cause, fields: { repository: step.repository, phase: step.phase, direction: step.direction } },
    );
  }
  if (error instanceof TidemarkError && PASS_THROUGH.has(error.code)) return error;
  const line = file === undefined ? undefined : scriptLine(error, file);
  const at = line === undefined ? "" : ` at line ${line}`;
  return new MigrationError(step.revision.id, undefined, `${what} failed${at}: ${messageOf(error)}. ${after}`, {
    cause: error,
    fields: { repository: step.repository, phase: step.phase, direction: step.direction },
  });
}

/**
 * The script's line in an error's stack (or its cause's): scripts run with
 * their own line numbers (util/module-loader.ts), and V8's async stack
 * traces keep the `await op.…` frame of the script. The innermost frame in
 * the file is the line that failed.
 */
export function scriptLine(error: unknown, file: string): number | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 3; current = current.cause, depth++) {
    for (const frame of `${callSiteOf(current) ?? ""}\n${current.stack ?? ""}`.split("\n")) {
      const at = frame.lastIndexOf(file);
      if (at === -1) continue;
      const match = /^:(\d+)/.exec(frame.slice(at + file.length));
      if (match !== null) return Number(match[1]);
    }
  }
  return undefined;
}

/** Another runner moved the version rows this step was planned from; `when` says what of the step had run. */
export function fenceError(step: PlannedStep, when: string): FenceError {
  const rows = step.changes.map((change) => `${change.phase === "" ? "" : `${change.phase}: `}${describeRows(change.before)}`);
  return new FenceError(
    `${describeStep(step)}: another runner changed the state — the version rows of repository ${step.repository} are no ` +
      `longer ${rows.join("; ")}, which this step was planned from. The step stopped ${when}. Run the command again: it ` +
      "plans from the state the other runner left.",
    { fields: { repository: step.repository, revision: step.revision.id, phase: step.phase } },
  );
}

function describeRows(rows: readonly string[]): string {
  return rows.length === 0 ? "base" : rows.join(", ");
}
