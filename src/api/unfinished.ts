/** Steps left running or failed in tidemark_log, as status, current and check report them. */
import type { ResolvedRepository } from "../config/types.js";
import { blockedMessage, type Session } from "./session.js";
import type { UnfinishedStep } from "./types.js";

/** Steps left running or failed, each with what to do about it. */
export async function unfinishedSteps(session: Session, config: ResolvedRepository): Promise<UnfinishedStep[]> {
  return (await session.unfinishedSteps(config.id)).map((row) => ({
    revision: row.revision,
    phase: row.phase,
    direction: row.direction,
    status: row.status === "failed" ? "failed" : "running",
    startedAt: row.startedAt,
    error: row.error,
    resumable: row.resumable,
    message: row.resumable
      ? `The backfill of revision ${row.revision} stopped after key ${row.progress}; the next \`tidemark sync\` resumes it.`
      : blockedMessage(config.name, row),
  }));
}
