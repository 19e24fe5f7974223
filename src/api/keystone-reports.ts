/** keystone's read-only reports: `sync --check` (what is pending, as exit codes) and `db_version`. */
import { groupRows, syncCheckCode, type SyncCheckCode } from "../graph/phase-plan.js";
import type { Workspace } from "./workspace.js";
import type { SelectOptions, SyncCheckResult, VersionEntry } from "./types.js";

export async function syncCheck(workspace: Workspace, options: SelectOptions): Promise<SyncCheckResult> {
  const repositories = workspace.selectForChange(options);
  const session = await workspace.session();
  const entries: { repository: string; code: SyncCheckCode }[] = [];
  for (const repository of repositories) {
    const underControl = await session.tableExists(repository.config.versionTable);
    const rows = groupRows(await session.versionRows(repository.config.versionTable, repository.config.id));
    entries.push({
      repository: repository.config.name,
      code: syncCheckCode(repository.map, repository.rolling, rows, underControl),
    });
  }
  // The most urgent finding decides: out of order, then the earliest pending phase.
  const order: readonly SyncCheckCode[] = [1, 2, 3, 4];
  const code = order.find((c) => entries.some((entry) => entry.code === c)) ?? 0;
  return { code, repositories: entries };
}

export async function dbVersion(workspace: Workspace, options: SelectOptions): Promise<VersionEntry[]> {
  const repositories = workspace.selectForChange(options);
  const session = await workspace.session();
  const entries: VersionEntry[] = [];
  for (const repository of repositories) {
    const rows = await session.versionRows(repository.config.versionTable, repository.config.id);
    const phases = repository.rolling ? ["expand", "migrate", "contract"] : [""];
    const base = repository.scheme === "numbered" ? "0" : "base";
    entries.push({
      repository: repository.config.name,
      scheme: repository.scheme,
      phases: phases.map((phase) => {
        const versions = rows.filter((row) => row.phase === phase).map((row) => row.version);
        return { phase, versions: versions.length === 0 ? [base] : versions };
      }),
    });
  }
  return entries;
}
