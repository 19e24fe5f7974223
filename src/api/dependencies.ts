/**
 * Dependencies between repositories: an extension revision that needs a
 * core revision (`dependsOn: ["core@003"]` in the script, or `dependsOn:
 * ["core@003"]` for the whole repository in the config) is refused until
 * the core is there — counting what the same command applies first.
 */
import { appliedClosure } from "../graph/planner.js";
import { resolveTarget } from "../graph/target.js";
import { DependencyError } from "../errors.js";
import type { PlannedStep } from "../runtime/runner.js";
import type { ExternalDependency, Project, RepositoryHandle } from "./project.js";
import type { Session } from "./session.js";
import { groupRows } from "../graph/phase-plan.js";
import { headRowsPhase } from "./head-rows.js";

export interface PlannedRepository {
  readonly repository: RepositoryHandle;
  readonly steps: readonly PlannedStep[];
}

function configDependencies(repository: RepositoryHandle): ExternalDependency[] {
  return repository.config.dependsOn
    .filter((entry) => entry.includes("@"))
    .map((entry) => ({
      repository: entry.slice(0, entry.indexOf("@")),
      target: entry.slice(entry.indexOf("@") + 1),
      declaredBy: `the config of repository ${repository.config.name}`,
    }));
}

/** The rows a repository will have once the steps planned for it in this command ran. */
function rowsAfter(plan: PlannedRepository | undefined, current: readonly string[], phase: string): readonly string[] {
  let rows = current;
  for (const step of plan?.steps ?? []) {
    for (const change of step.changes) if (change.phase === phase) rows = change.after;
  }
  return rows;
}

export async function assertDependencies(
  project: Project,
  session: Session,
  planned: readonly PlannedRepository[],
): Promise<void> {
  const byName = new Map(planned.map((plan) => [plan.repository.config.name, plan]));
  for (const plan of planned) {
    const ups = plan.steps.filter((step) => step.direction === "up");
    if (ups.length === 0) continue;
    const shared = configDependencies(plan.repository);
    for (const step of ups) {
      const needs = [...shared, ...(plan.repository.external.get(step.revision.id) ?? [])];
      for (const need of needs) {
        const other = project.repository(need.repository);
        const phase = headRowsPhase(other);
        const current = groupRows(await session.versionRows(other.config.versionTable, other.config.id)).get(phase) ?? [];
        // Only repositories planned earlier in this command count as applied first.
        const earlier = planned.indexOf(byName.get(need.repository) as PlannedRepository) < planned.indexOf(plan);
        const rows = earlier ? rowsAfter(byName.get(need.repository), current, phase) : current;
        const target = resolveTarget(other.map, need.target, rows, other.scheme);
        const applied = appliedClosure(other.map, rows);
        const missing = target.kind === "base" ? [] : target.ids.filter((id) => !applied.has(id));
        if (missing.length === 0) continue;
        const at = rows.length === 0 ? "base" : rows.join(", ");
        throw new DependencyError(
          `Revision ${step.revision.id} of repository ${plan.repository.config.name} needs ${need.repository}@${need.target} ` +
            `(declared in ${need.declaredBy}), but ${need.repository} is at ${at}. Upgrade ${need.repository} first ` +
            `(\`tidemark upgrade --repo ${need.repository}\`, or \`--all\` to do both in config order). Nothing was run.`,
          {
            fields: {
              repository: plan.repository.config.name,
              revision: step.revision.id,
              needs: `${need.repository}@${need.target}`,
              at: rows,
            },
          },
        );
      }
    }
  }
}
