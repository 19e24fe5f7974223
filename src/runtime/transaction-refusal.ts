/** The error for a statement that cannot run inside the transaction its step runs in: it says how to mark the step. */
import { ScriptError } from "../errors.js";

/** `outcome`: what became of the step ("Nothing was run." when found before the run). */
export function refusedInTransactionError(
  file: string,
  line: number | undefined,
  what: string,
  revision: string,
  outcome = "Nothing was run.",
): ScriptError {
  return new ScriptError(
    file,
    line,
    `${what} cannot run inside a transaction block, and revision ${revision} runs in one. Mark the revision to run ` +
      "outside a transaction: `-- transactional: false` in the header of a .sql script, or " +
      `\`export const transactional = false\` in a .ts/.js script. ${outcome}`,
    { fields: { revision, statement: what } },
  );
}
