/**
 * `check` / `check_migration`: graph problems need no database; checksums of
 * applied scripts are compared when the database can be read.
 */
import { GraphError, ScriptError, TidemarkError, messageOf } from "../errors.js";
import { fileChecksum, matchesLegacyChecksum } from "../repo/checksum.js";
import { stepFile } from "../graph/revision.js";
import type { CheckOptions, CheckProblem, CheckResult } from "./types.js";
import type { Workspace } from "./workspace.js";
import type { RepositoryHandle } from "./project.js";
import { phaseProblems } from "./check-phases.js";
import { loadDialect } from "../dialects/registry.js";
import { unfinishedSteps } from "./unfinished.js";
import { lintRepository } from "./lint.js";
import type { LintFinding } from "./lint-types.js";

export async function runCheck(workspace: Workspace, options: CheckOptions): Promise<CheckResult> {
  const problems: CheckProblem[] = [];
  const notes: string[] = [];
  const names =
    options.repo === undefined ? workspace.project.repositoryNames : [workspace.project.repository(options.repo).config.name];
  const loaded: RepositoryHandle[] = [];
  for (const name of names) {
    try {
      loaded.push(workspace.project.repository(name));
    } catch (error) {
      if (!(error instanceof GraphError || error instanceof ScriptError)) throw error;
      problems.push({ repository: name, kind: "graph", message: error.message });
    }
  }
  for (const repository of loaded) problems.push(...graphProblems(repository));
  const unsafe: CheckResult["unsafe"][number][] = [];
  const lint: LintFinding[] = [];
  if (loaded.some((repository) => repository.rolling)) {
    const dialect = await loadDialect(workspace.url.dialect);
    for (const repository of loaded) {
      const phases = await phaseProblems(repository, dialect, workspace.scripts);
      problems.push(...phases.problems);
      unsafe.push(...phases.unsafe);
      // The lock lint guards the rolling window; `tidemark lint` also covers plain repositories.
      if (!repository.rolling) continue;
      const linted = await lintRepository(workspace, repository, dialect, { load: workspace.scripts });
      lint.push(...linted.findings);
      notes.push(...linted.notes);
      for (const finding of linted.findings) {
        if (finding.severity !== "error") continue;
        problems.push({
          repository: repository.config.name,
          kind: "lint",
          message: lintProblemMessage(finding),
          fields: { ...finding },
        });
      }
    }
  }
  try {
    problems.push(...(await checksumProblems(workspace, loaded)));
    problems.push(...(await blockedProblems(workspace, loaded)));
  } catch (error) {
    if (!(error instanceof TidemarkError)) throw error;
    notes.push(`Checksums of applied scripts were not compared: ${messageOf(error)}`);
  }
  return { ok: problems.length === 0, problems, unsafe, notes, ...(lint.length === 0 ? {} : { lint }) };
}

function lintProblemMessage(finding: LintFinding): string {
  const where = finding.line === undefined ? finding.file : `${finding.file}:${finding.line}`;
  return (
    `${where} (revision ${finding.revision}, ${finding.phase} phase): \`${finding.statement}\` breaks lint rule ` +
    `${finding.rule} ${finding.name}: ${finding.message}`
  );
}

function graphProblems(repository: RepositoryHandle): CheckProblem[] {
  const { map, config } = repository;
  const heads = map.heads();
  if (heads.length <= 1) return [];
  const branchPoints = map.branchPoints();
  const where =
    branchPoints.length === 0
      ? "the heads have separate roots"
      : `branch point${branchPoints.length > 1 ? "s" : ""} ${branchPoints.join(", ")}`;
  return [
    {
      repository: config.name,
      kind: "multiple-heads",
      message:
        `Repository ${config.name} has ${heads.length} heads: ${heads.join(", ")} (${where}). ` +
        "Merge them with `tidemark merge -m MESSAGE` so that upgrades follow one line.",
      fields: { heads, branchPoints },
    },
  ];
}

export async function checksumProblems(workspace: Workspace, repositories: readonly RepositoryHandle[]): Promise<CheckProblem[]> {
  const session = await workspace.session();
  const connection = await session.connectIfExists();
  if (connection === undefined || !(await session.logStore.exists(connection))) return [];
  const problems: CheckProblem[] = [];
  for (const repository of repositories) {
    const applied = await session.logStore.appliedChecksums(connection, repository.config.id);
    for (const row of applied.values()) {
      const revision = repository.map.get(row.revision);
      if (revision === undefined || row.checksum === null) continue;
      const file = stepFile(revision, row.phase);
      if (file === undefined) continue;
      const now = fileChecksum(file);
      if (now === row.checksum || matchesLegacyChecksum(file, row.checksum)) continue;
      problems.push({
        repository: repository.config.name,
        kind: "checksum",
        message:
          `Revision ${row.revision}${row.phase === "" ? "" : ` (${row.phase})`} of repository ${repository.config.name} ` +
          `was applied on ${row.startedAt} from a script that has changed since: ${file}. ` +
          "Restore the script, or write a new revision for the change.",
        fields: { revision: row.revision, phase: row.phase, file, applied: row.checksum, current: now, appliedAt: row.startedAt },
      });
    }
  }
  return problems;
}

/** A step left running or failed blocks its repository: check says so, as upgrade would. */
async function blockedProblems(workspace: Workspace, repositories: readonly RepositoryHandle[]): Promise<CheckProblem[]> {
  const session = await workspace.session();
  const problems: CheckProblem[] = [];
  for (const repository of repositories) {
    for (const step of await unfinishedSteps(session, repository.config)) {
      if (step.resumable) continue;
      problems.push({
        repository: repository.config.name,
        kind: "blocked",
        message: step.message,
        fields: { revision: step.revision, phase: step.phase, status: step.status },
      });
    }
  }
  return problems;
}

/** `validate`: only the checksums; the database must be readable. */
export async function runValidate(workspace: Workspace, options: CheckOptions): Promise<CheckResult> {
  const repositories = workspace.project.selectForReport(options.repo === undefined ? {} : { repo: options.repo });
  const session = await workspace.session();
  const notes = session.databaseExists() ? [] : ["The database does not exist yet: nothing is applied."];
  const problems = await checksumProblems(workspace, repositories);
  return { ok: problems.length === 0, problems, unsafe: [], notes };
}
