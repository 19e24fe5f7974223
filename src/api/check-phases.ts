/**
 * The phase rules of `check`, without a database: every rolling revision's
 * phases are classified (SQL as written, script bodies recorded), trigger
 * bookkeeping between expand and contract is audited, and every `unsafe`
 * mark is listed.
 */
import type { Dialect } from "../dialects/dialect.js";
import { PHASES, stepFile, type Phase } from "../graph/revision.js";
import { evaluateOps, evaluateStatements, type GuardStatement } from "../phases/guard.js";
import { phaseMethodGuard } from "../phases/phase-builders.js";
import { loadSqlClassifier } from "../phases/sql-classifier.js";
import { checkContractTriggers, type PhaseContent } from "../phases/trigger-audit.js";
import type { LoadedBody } from "../repo/loader.js";
import { recordBody } from "../runtime/record.js";
import { PhaseRuleError, TidemarkError } from "../errors.js";
import { permanentTriggers } from "./permanent-triggers.js";
import type { RepositoryHandle } from "./project.js";
import { loadFresh, type ScriptLoader } from "./script-cache.js";
import type { CheckProblem, CheckResult } from "./types.js";

type UnsafeEntry = CheckResult["unsafe"][number];

async function contentOf(
  body: LoadedBody | undefined,
  phase: Phase,
  dialect: Dialect,
  file: string,
  revision: string,
): Promise<PhaseContent> {
  if (body === undefined) return {};
  if (body.kind === "sql") return { statements: body.statements as readonly GuardStatement[] };
  const ops = await recordBody(body, {
    dialect,
    who: `${file} (${phase})`,
    allow: phaseMethodGuard(phase, { file, revision }),
  });
  return { ops };
}

export async function phaseProblems(
  repository: RepositoryHandle,
  dialect: Dialect,
  load: ScriptLoader = loadFresh,
): Promise<{ problems: CheckProblem[]; unsafe: UnsafeEntry[] }> {
  const problems: CheckProblem[] = [];
  const unsafe: UnsafeEntry[] = [];
  if (!repository.rolling) return { problems, unsafe };
  await loadSqlClassifier(dialect.name);
  const name = repository.config.name;
  for (const revision of repository.map.revisions) {
    const loaded = await load(revision, dialect.name);
    const contents = new Map<Phase, PhaseContent>();
    for (const phase of PHASES) {
      const body = loaded.bodies[phase];
      const file = body?.file ?? stepFile(revision, phase) ?? "";
      const ctx = { dialect: dialect.name, file, revision: revision.id };
      let content: PhaseContent;
      try {
        content = await contentOf(body, phase, dialect, file, revision.id);
      } catch (error) {
        if (!(error instanceof TidemarkError)) throw error;
        problems.push({
          repository: name,
          kind: error instanceof PhaseRuleError ? "phase-rule" : "graph",
          message: error.message,
        });
        continue;
      }
      contents.set(phase, content);
      const report =
        content.statements !== undefined
          ? evaluateStatements(content.statements, phase, ctx)
          : evaluateOps(content.ops ?? [], phase, ctx);
      for (const violation of report.violations) {
        problems.push({ repository: name, kind: "phase-rule", message: violation.message, fields: { ...violation } });
      }
      for (const mark of report.unsafe) {
        unsafe.push({
          repository: name,
          file: mark.file,
          ...(mark.line === undefined ? {} : { line: mark.line }),
          phase: mark.phase,
          reason: mark.reason,
          statement: mark.statement,
        });
      }
    }
    const contractFile = loaded.bodies.contract?.file ?? stepFile(revision, "contract") ?? "";
    for (const violation of checkContractTriggers(contents.get("expand") ?? {}, contents.get("contract") ?? {}, {
      dialect: dialect.name,
      revision: revision.id,
      file: contractFile,
      permanent: permanentTriggers(loaded),
    })) {
      problems.push({ repository: name, kind: "trigger-left", message: violation.message, fields: { ...violation } });
    }
  }
  return { problems, unsafe };
}
