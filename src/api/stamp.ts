/** `stamp`: sets the version rows to a target without running any script (a `stamp` log row records it). */
import { groupRows, placeholderRevision } from "../graph/phase-plan.js";
import { stampRows } from "../graph/planner.js";
import { resolveTarget, targetIds } from "../graph/target.js";
import { checkTargetEarly } from "./change.js";
import { headRowsPhase } from "./head-rows.js";
import { onlineRunner } from "./online-runner.js";
import type { RepositoryRun, RunResult, StampOptions } from "./types.js";
import type { Workspace } from "./workspace.js";

export async function stamp(workspace: Workspace, target: string, options: StampOptions): Promise<RunResult> {
  const repositories = workspace.selectForChange(options);
  checkTargetEarly(repositories, target, "any");
  const session = await workspace.session();
  const connection = await session.connect();
  const lock = await session.lock();
  try {
    const results: RepositoryRun[] = [];
    for (const repository of repositories) {
      const { config, map } = repository;
      const before = await session.versionRows(config.versionTable, config.id);
      const rows = groupRows(before);
      const resolved = resolveTarget(map, target, rows.get(headRowsPhase(repository)) ?? [], repository.scheme);
      const store = session.versionStore(config.versionTable);
      const phases = repository.rolling ? ["expand", "migrate", "contract"] : [""];
      const ids = targetIds(resolved);
      const purge = options.purge === true;
      const changes = phases.map((phase) => {
        const current = purge ? [] : (rows.get(phase) ?? []);
        return { phase, before: current, after: stampRows(map, current, resolved, purge) };
      });
      const runner = onlineRunner(workspace, session, connection, {
        singleTransaction: false,
        ensureTables: await session.missingTableStatements([config.versionTable]),
      });
      const revision = map.get(ids[0] ?? "") ?? placeholderRevision(ids[0] ?? "base");
      await runner.stamp(
        {
          repository: config.name,
          repositoryId: config.id,
          store,
          revision,
          phase: "",
          direction: "stamp",
          checksum: null,
          changes,
        },
        purge ? [store.purgeStatement(config.id)] : [],
      );
      session.forgetTables();
      const after = await session.versionRows(config.versionTable, config.id);
      results.push({ repository: config.name, before, after, steps: [] });
    }
    return { repositories: results };
  } finally {
    await lock.release();
  }
}
