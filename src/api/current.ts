/** `current` and `repair`: what the version rows say, and clearing a step the user finished or undid by hand. */
import { withCarriedRevisions } from "../graph/phase-plan.js";
import { unfinishedSteps } from "./unfinished.js";
import type { CurrentEntry, RepairEntry, SelectOptions } from "./types.js";
import type { Workspace } from "./workspace.js";

/** The applied revision(s) of each repository (and each phase of rolling ones). */
export async function current(workspace: Workspace, options: SelectOptions): Promise<CurrentEntry[]> {
  const repositories = workspace.project.selectForReport(options);
  const session = await workspace.session();
  const entries: CurrentEntry[] = [];
  for (const repository of repositories) {
    const rows = await session.versionRows(repository.config.versionTable, repository.config.id);
    const heads = new Set(repository.map.heads());
    const unfinished = await unfinishedSteps(session, repository.config);
    entries.push({
      repository: repository.config.name,
      id: repository.config.id,
      rolling: repository.rolling,
      rows: withCarriedRevisions(repository.map, rows).map((row) => ({
        ...row,
        message: repository.map.get(row.version)?.message ?? "(unknown revision)",
        head: heads.has(row.version),
      })),
      ...(unfinished.length === 0 ? {} : { unfinished }),
    });
  }
  return entries;
}

/** Clears `running`/`failed` steps after the database was fixed by hand; says how many per repository. */
export async function repair(workspace: Workspace, options: SelectOptions): Promise<RepairEntry[]> {
  const repositories = workspace.project.select(options);
  const session = await workspace.session();
  const connection = await session.connectIfExists();
  const results: RepairEntry[] = [];
  for (const repository of repositories) {
    let cleared = 0;
    if (connection !== undefined && (await session.logStore.exists(connection))) {
      const statement = session.logStore.repairStatement(repository.config.id);
      cleared = (await connection.execute(statement.sql, statement.params)).affectedRows;
    }
    results.push({ repository: repository.config.name, cleared });
  }
  return results;
}
