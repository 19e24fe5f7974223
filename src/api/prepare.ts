/**
 * Loads the scripts a plan will run — all of them, before the first step,
 * so that a script with a syntax error stops the command before anything
 * changes — and turns each sketch into a runnable step.
 */
import type { Dialect } from "../dialects/dialect.js";
import { stepFile, type Revision } from "../graph/revision.js";
import { appliedClosure } from "../graph/planner.js";
import type { LoadedScript } from "../repo/loader.js";
import { fileChecksum } from "../repo/checksum.js";
import { refusedInTransaction } from "../sql/transaction-blocks.js";
import { refusedInTransactionError } from "../runtime/transaction-refusal.js";
import type { PlannedStep } from "../runtime/runner.js";
import type { StepBody } from "../runtime/step-body.js";
import type { VersionRow } from "../runtime/version-store.js";
import type { RepositoryHandle } from "./project.js";
import type { StepSketch } from "../graph/phase-plan.js";
import type { Session } from "./session.js";
import { loadFresh, type ScriptLoader } from "./script-cache.js";

export interface PrepareHooks {
  /** Where scripts come from (a fleet run shares one cache); default: read afresh. */
  readonly load?: ScriptLoader;
  /** Adds phase rules to a rolling step (set by the rolling-upgrade layer). */
  readonly decorate?: (step: PlannedStep, loaded: LoadedScript) => PlannedStep | Promise<PlannedStep>;
}

function bodyOf(loaded: LoadedScript, sketch: StepSketch): StepBody {
  const name = sketch.direction === "down" ? "downgrade" : sketch.phase === "" ? "upgrade" : sketch.phase;
  const body = loaded.bodies[name];
  if (body !== undefined) return body;
  const file = stepFile(sketch.revision, sketch.phase);
  return file === undefined ? { kind: "none" } : { kind: "none", file };
}

/** Did another runner already apply this step? Compares the step's phase rows after the fact. */
function alreadyDone(sketch: StepSketch, repository: RepositoryHandle): (rows: readonly VersionRow[]) => boolean {
  return (rows) => {
    const phase = sketch.phase !== "" ? sketch.phase : (sketch.changes[0]?.phase ?? "");
    const heads = rows.filter((row) => row.phase === phase).map((row) => row.version);
    const applied = appliedClosure(
      repository.map,
      heads.filter((id) => repository.map.has(id)),
    );
    return sketch.direction === "up" ? applied.has(sketch.revision.id) : !applied.has(sketch.revision.id);
  };
}

export async function prepareSteps(
  repository: RepositoryHandle,
  sketches: readonly StepSketch[],
  session: Pick<Session, "dialect" | "versionStore">,
  hooks: PrepareHooks = {},
): Promise<PlannedStep[]> {
  const dialect: Dialect = session.dialect;
  const scripts = new Map<Revision, Promise<LoadedScript>>();
  const load = (revision: Revision) => {
    let promise = scripts.get(revision);
    if (promise === undefined) {
      promise = (hooks.load ?? loadFresh)(revision, dialect.name);
      scripts.set(revision, promise);
    }
    return promise;
  };
  const steps: PlannedStep[] = [];
  for (const sketch of sketches) {
    const loaded = await load(sketch.revision);
    const body = bodyOf(loaded, sketch);
    const file = stepFile(sketch.revision, sketch.direction === "down" ? "" : sketch.phase);
    let step: PlannedStep = {
      repository: repository.config.name,
      repositoryId: repository.config.id,
      store: session.versionStore(repository.config.versionTable),
      revision: sketch.revision,
      phase: sketch.phase,
      direction: sketch.direction,
      body,
      checksum: file === undefined ? null : (loaded.checksums.get(file) ?? fileChecksum(file)),
      changes: sketch.changes,
      alreadyDone: alreadyDone(sketch, repository),
    };
    if (hooks.decorate !== undefined) step = await hooks.decorate(step, loaded);
    await assertRunsInTransaction(step, dialect);
    steps.push(step);
  }
  return steps;
}

/**
 * A step that runs in a transaction (the default where DDL is transactional)
 * must not hold a statement the database refuses there: found before
 * anything runs, with the fix in the message (issue 11).
 */
async function assertRunsInTransaction(step: PlannedStep, dialect: Dialect): Promise<void> {
  if (!dialect.caps.transactionalDdl || !step.revision.transactional || step.body.kind !== "sql") return;
  for (const statement of step.body.statements) {
    const refused = await refusedInTransaction(statement.sql, dialect.name);
    if (refused !== undefined) throw refusedInTransactionError(step.body.file ?? "", statement.line, refused, step.revision.id);
  }
}
