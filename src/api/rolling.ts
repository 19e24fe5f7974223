/**
 * Phase rules for rolling steps, checked before the step runs (SPEC §8):
 * SQL statements are classified as they are; script bodies are run once
 * against a recorder and their ops classified. A contract step must drop
 * every trigger its revision's expand step created. While the step runs,
 * the op builder refuses methods its phase does not have.
 */
import type { Connection, Dialect } from "../dialects/dialect.js";
import { stepFile, type Phase } from "../graph/revision.js";
import type { Op } from "../ops/op.js";
import { guardOp, guardOps, guardStatements, type GuardStatement } from "../phases/guard.js";
import { phaseMethodGuard } from "../phases/phase-builders.js";
import { loadSqlClassifier } from "../phases/sql-classifier.js";
import {
  guardContractTriggers,
  triggersCreatedByExpand,
  type LeftoverTrigger,
  type PhaseContent,
  type TriggerAuditContext,
} from "../phases/trigger-audit.js";
import { auditLiveTriggers } from "../phases/trigger-audit-live.js";
import { LOG_TABLE } from "../runtime/log-store.js";
import { permanentTriggers } from "./permanent-triggers.js";
import type { LoadedScript } from "../repo/loader.js";
import { recordBody } from "../runtime/record.js";
import type { PlannedStep } from "../runtime/runner.js";
import { describeStep } from "../runtime/step-failure.js";
import { withOnlineDefaults } from "../runtime/online-defaults.js";
import type { StepBody } from "../runtime/step-body.js";

function isPhase(phase: string): phase is Phase {
  return phase === "expand" || phase === "migrate" || phase === "contract";
}

async function contentOf(
  body: StepBody | undefined,
  dialect: Dialect,
  who: string,
  connection: Connection | undefined,
  phase: Phase,
  ctx: { readonly file: string; readonly revision: string },
): Promise<PhaseContent> {
  if (body === undefined || body.kind === "none") return {};
  if (body.kind === "sql") return { statements: body.statements as readonly GuardStatement[] };
  const ops: Op[] = await recordBody(body, {
    dialect,
    who,
    offline: connection === undefined,
    allow: phaseMethodGuard(phase, ctx),
  });
  return { ops };
}

function createsTriggers(content: PhaseContent): boolean {
  if (content.ops?.some((op) => op.kind === "syncColumns" || op.kind === "forbidWrites")) return true;
  return content.statements?.some((statement) => /^\s*CREATE\s+(DEFINER\s*=\s*\S+\s+)?TRIGGER\b/i.test(statement.sql)) ?? false;
}

/** Checks a rolling step and arms its run-time guards; throws PhaseRuleError before anything runs. */
export async function guardRollingStep(
  step: PlannedStep,
  loaded: LoadedScript,
  dialect: Dialect,
  connection: Connection | undefined,
): Promise<PlannedStep> {
  const phase = step.phase;
  if (step.direction !== "up" || !isPhase(phase)) return step;
  await loadSqlClassifier(dialect.name);
  const file = step.body.file ?? stepFile(step.revision, phase) ?? "";
  const ctx = { dialect: dialect.name, file, revision: step.revision.id };
  const who = describeStep(step);
  const content = await contentOf(step.body, dialect, who, connection, phase, ctx);
  if (content.statements !== undefined) guardStatements(content.statements, phase, ctx);
  if (content.ops !== undefined) guardOps(content.ops, phase, ctx);
  if (connection !== undefined && dialect.introspector.checkTriggerPrivilege !== undefined && createsTriggers(content)) {
    await dialect.introspector.checkTriggerPrivilege(connection);
  }
  let afterBody: PlannedStep["afterBody"];
  if (phase === "contract") {
    const expandBody = loaded.bodies.expand;
    const expandFile = expandBody?.file ?? file;
    const expand = await contentOf(expandBody, dialect, who, connection, "expand", {
      file: expandFile,
      revision: step.revision.id,
    });
    const audit = { ...ctx, permanent: permanentTriggers(loaded) };
    // The names in the scripts first: refused before anything runs, with the fix in the message. Then,
    // after the body, the database has the last word (a DO block, a trigger created again, a name's case).
    guardContractTriggers(expand, content, audit);
    afterBody = (live) => auditContractInDatabase(live, dialect, step, triggersCreatedByExpand(expand, dialect.name), audit);
  }
  const guarded: PlannedStep = {
    ...step,
    ...(afterBody === undefined ? {} : { afterBody }),
    guard: (op) => {
      guardOp(op, phase, ctx);
    },
    allow: phaseMethodGuard(phase, ctx),
  };
  return withOnlineDefaults(guarded, content, dialect);
}

/** After the contract body: the expand triggers the database still holds refuse the step. */
async function auditContractInDatabase(
  connection: Connection,
  dialect: Dialect,
  step: PlannedStep,
  created: readonly LeftoverTrigger[],
  ctx: TriggerAuditContext,
): Promise<void> {
  const { introspector } = dialect;
  const existing = await introspector.liveTriggers(connection);
  const expandTransaction =
    introspector.rowTransaction === undefined
      ? undefined
      : await introspector.rowTransaction(connection, dialect.compiler.quoteTable(LOG_TABLE), {
          sql: "l.repository = ? AND l.revision = ? AND l.phase = 'expand' AND l.direction = 'up' AND l.status = 'done'",
          params: [step.repositoryId, step.revision.id],
        });
  auditLiveTriggers(
    {
      created,
      existing,
      foldCase: introspector.triggerNamesFoldCase,
      ...(expandTransaction === undefined ? {} : { expandTransaction }),
    },
    ctx,
  );
}
